using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Model;
using OnCallBot.Core.Paging;
using OnCallBot.Teams.Cards;
using OnCallBot.Teams.Connector;
using OnCallBot.Teams.Inbound;

namespace OnCallBot.Teams.Paging;

/// <summary>
/// Teams' side of the paging flow: the commands <c>page</c>, <c>ack</c>, <c>resolve</c> and <c>help</c> (by @mention in a
/// channel or group chat, or plainly in a 1:1 chat) and the page card's Acknowledge, Escalate now and Resolve buttons
/// (<c>Action.Execute</c>, an <c>adaptiveCard/action</c> invoke). It parses, calls <see cref="PagingService"/> as the
/// person who acted, and answers with the core's words (<see cref="PagingReplies"/>): commands by a reply in the
/// conversation, clicks within the invoke with the refreshed card. Resolving asks coordination who may, when it is on.
/// </summary>
/// <remarks>
/// A host without the paging flow (no <see cref="PagingService"/>) keeps the logging behaviour: messages are taken and
/// logged, invokes answered 501, so nothing looks acted on that was not.
/// </remarks>
internal sealed class TeamsPagingHandler : ITeamsActivityHandler
{
    private readonly IServiceProvider _services;
    private readonly LoggingTeamsActivityHandler _fallback;
    private readonly ILogger<TeamsPagingHandler> _logger;

    public TeamsPagingHandler(IServiceProvider services, ILogger<TeamsPagingHandler> logger, ILogger<LoggingTeamsActivityHandler> fallbackLogger)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(logger);
        _services = services;
        _logger = logger;
        _fallback = new LoggingTeamsActivityHandler(fallbackLogger);
    }

    public async Task<TeamsActivityResponse> HandleAsync(TeamsActivity activity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(activity);
        await using var scope = _services.CreateAsyncScope();
        var paging = scope.ServiceProvider.GetService<PagingService>();
        if (paging is null)
        {
            return await _fallback.HandleAsync(activity, cancellationToken);
        }
        var context = new Context(activity, scope.ServiceProvider, paging, cancellationToken);
        if (activity.IsInvoke && activity.Name == TeamsActivity.AdaptiveCardActionInvoke && activity.CardAction is { } action)
        {
            return await CardActionAsync(context, action);
        }
        if (activity.IsMessage && IsAddressedToBot(activity) && !string.IsNullOrWhiteSpace(activity.CommandText))
        {
            var reply = await CommandAsync(context, activity.CommandText!);
            await ReplyAsync(context, reply);
            return TeamsActivityResponse.Ok;
        }
        return await _fallback.HandleAsync(activity, cancellationToken);
    }

    /// <summary>A 1:1 chat is always with the bot; in a channel or group chat, only a message that @mentions it is.</summary>
    private static bool IsAddressedToBot(TeamsActivity activity) =>
        activity.Conversation?.ConversationType == TeamsConversationTypes.Personal
        || !string.Equals(activity.Text?.Trim(), activity.CommandText, StringComparison.Ordinal);

    private async Task<string> CommandAsync(Context context, string text)
    {
        var parts = text.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var verb = parts.Length > 0 ? parts[0].ToLowerInvariant() : "help";
        var argument = parts.Length > 1 ? parts[1] : string.Empty;
        var reply = verb switch
        {
            "page" => await PageAsync(context, argument),
            "ack" => await ActAsync(context, PagingActions.Acknowledge, "ack", argument),
            "resolve" => await ActAsync(context, PagingActions.Resolve, "resolve", argument),
            "help" => Help,
            _ => $"OnCallBot does not know '{TeamsMarkup.Instance.Fit(parts[0], 50)}'.\n" + Help,
        };
        Log.TeamsCommandHandled(_logger, verb, context.Activity.From?.Id, reply.Split('\n')[0]);
        return reply;
    }

    private static async Task<string> PageAsync(Context context, string text)
    {
        var m = TeamsMarkup.Instance;
        if (!PagingCommandText.TrySplitPage(text, out var targetText, out var summary))
        {
            return PagingReplies.MissingSummary(m, saidNothing: targetText.Length == 0);
        }
        PageTarget target;
        if (targetText.Length > 1 && targetText[0] == '@')
        {
            var name = targetText[1..];
            if ((context.Model.FindUser(name) ?? context.Model.FindUserByTeamsId(name)) is not { } person)
            {
                return $"{m.Escape(targetText)} is not in the on-call config, so OnCallBot cannot page them. " +
                    "Page a service, or name someone listed in the config by their config id (@anna).";
            }
            target = new PageTarget.Person(person.Id);
        }
        else
        {
            target = new PageTarget.ServiceNamed(targetText);
        }
        // Teams delivers an activity again with the same id when it did not get our answer: one page per message.
        var key = $"teams:{context.Activity.Conversation?.Id}:{context.Activity.Id ?? Guid.NewGuid().ToString("N")}";
        var outcome = await context.Paging.PageAsync(new PageRequest(target, summary, context.Actor, key), context.Stopping);
        return PagingReplies.ToPage(m, outcome, context.Model).Text;
    }

    private static async Task<string> ActAsync(Context context, string actionId, string verb, string argument)
    {
        var m = TeamsMarkup.Instance;
        long number;
        if (argument.Length > 0)
        {
            if (!IncidentReference.TryParse(argument, out number))
            {
                return PagingReplies.NotAnIncidentId(m, verb, argument);
            }
        }
        else
        {
            var candidates = await context.Paging.FindIncidentsPagingAsync(context.Actor, context.Stopping);
            switch (candidates.Count)
            {
                case 0:
                    return PagingReplies.NothingPaging(m, context.Actor, verb);
                case 1:
                    number = candidates[0].Number;
                    break;
                default:
                    return PagingReplies.WhichIncident(candidates.Count, verb) + " Name it: " +
                        string.Join(", ", candidates.Select(c => m.Command($"{verb} {c.Reference}") + $" ({m.Escape(PagingReplies.LabelOf(c, context.Model))})")) + ".";
            }
        }
        if (actionId == PagingActions.Resolve
            && await PagingActions.ResolveRefusalAsync(context.Coordination, number, context.Actor, context.Stopping) is { } refusal)
        {
            return m.Escape(refusal);
        }
        var outcome = await PagingActions.CallAsync(context.Paging, actionId, number, context.Actor, context.Stopping);
        return PagingReplies.ToAction(m, outcome, actionId, context.Actor, context.Model).Text;
    }

    /// <summary>A page card's button: answered within the invoke with the card as it is now, or a line saying why not.</summary>
    private async Task<TeamsActivityResponse> CardActionAsync(Context context, TeamsCardAction action)
    {
        var m = TeamsMarkup.Instance;
        var number = IncidentOf(action.Data);
        if (!PagingActions.IsPagingAction(action.Verb) || number is not { } incidentNumber)
        {
            Log.TeamsUnknownCardAction(_logger, action.Verb, number?.ToString(CultureInfo.InvariantCulture) ?? "(none)");
            return TeamsActivityResponse.AdaptiveCardMessage(action.Verb is TeamsCardVerbs.Commander or TeamsCardVerbs.Scribe or TeamsCardVerbs.Comms
                ? "Incident roles cannot be taken from Teams yet; use Slack or ask the incident commander."
                : "OnCallBot does not know this button. Use the buttons of a page card, or type 'help'.");
        }
        var verb = action.Verb!;
        if (verb == PagingActions.Resolve
            && await PagingActions.ResolveRefusalAsync(context.Coordination, incidentNumber, context.Actor, context.Stopping) is { } refusal)
        {
            Log.TeamsCardActionHandled(_logger, verb, incidentNumber, context.Activity.From?.Id, "not allowed");
            return TeamsActivityResponse.AdaptiveCardMessage(m.Escape(refusal));
        }
        var outcome = await PagingActions.CallAsync(context.Paging, verb, incidentNumber, context.Actor, context.Stopping);
        Log.TeamsCardActionHandled(_logger, verb, incidentNumber, context.Activity.From?.Id, outcome.GetType().Name);
        switch (outcome)
        {
            case ActionOutcome.Done done:
                // The clicked card shows the incident as it is now; the other page messages follow through the outbox.
                var current = await context.Paging.GetAsync(incidentNumber, context.Stopping) ?? done.Incident;
                return TeamsActivityResponse.AdaptiveCard(TeamsPageCard.Render(context.Paging.ViewOf(current, current.Escalation.Level)));
            default:
                return TeamsActivityResponse.AdaptiveCardMessage(PagingReplies.ToAction(m, outcome, verb, context.Actor, context.Model).Text);
        }
    }

    /// <summary>The card button's <c>data.incident</c> (a number, or a string holding one), or null.</summary>
    internal static long? IncidentOf(JsonElement? data)
    {
        if (data is not { ValueKind: JsonValueKind.Object } d || !d.TryGetProperty(AdaptiveElements.IncidentDataKey, out var value))
        {
            return null;
        }
        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt64(out var n) && n > 0 => n,
            JsonValueKind.String when IncidentReference.TryParse(value.GetString(), out var n) => n,
            _ => null,
        };
    }

    private async Task ReplyAsync(Context context, string text)
    {
        var activity = context.Activity;
        if (activity.ServiceUrl is not { } serviceUrl || activity.Conversation?.Id is not { } conversationId)
        {
            return;
        }
        try
        {
            var client = context.Services.GetRequiredService<TeamsConnectorClient>();
            var reply = ConnectorActivity.PlainText(text);
            if (activity.Id is { Length: > 0 } replyTo)
            {
                await client.ReplyAsync(serviceUrl, conversationId, replyTo, reply, context.Stopping);
            }
            else
            {
                await client.SendAsync(serviceUrl, conversationId, reply, context.Stopping);
            }
        }
        catch (Exception ex) when (ex is TeamsApiException or HttpRequestException or ArgumentException)
        {
            // The command's work is done and stored; only its answer is lost, and the log says why.
            Log.TeamsReplyFailed(_logger, ex, conversationId, ex is TeamsApiException api ? TeamsChatPlatform.Describe(api) : ex.Message);
        }
    }

    private const string Help =
        "OnCallBot commands (in a channel, @mention OnCallBot first):\n" +
        "• page <service> <what is wrong>, or page @person <what is wrong>: page the service's on-call (e.g. page checkout Cards are timing out)\n" +
        "• ack [INC-42]: acknowledge (without an id: the incident paging you)\n" +
        "• resolve [INC-42]: resolve\n" +
        "• help: this list\n" +
        "The page card's buttons acknowledge, escalate and resolve too.";

    /// <summary>The person who acted, named as the on-call config knows them when it does (by their Teams id).</summary>
    internal static Actor ActorOf(OnCallModel model, TeamsAccount? from)
    {
        var teamsId = from?.Id ?? from?.AadObjectId ?? "unknown";
        var user = model.FindUserByTeamsId(teamsId) ?? (from?.AadObjectId is { } aad ? model.FindUserByTeamsId(aad) : null);
        return new Actor(TeamsChatPlatform.PlatformName, teamsId, user?.DisplayName ?? from?.Name ?? teamsId, user?.Id);
    }

    private sealed class Context
    {
        public Context(TeamsActivity activity, IServiceProvider services, PagingService paging, CancellationToken stopping)
        {
            Activity = activity;
            Services = services;
            Paging = paging;
            Stopping = stopping;
            Coordination = services.GetService<CoordinationService>();
            // Read once per activity so every part of the answer sees the same config version.
            Model = services.GetRequiredService<IOnCallModelProvider>().Current;
            Actor = ActorOf(Model, activity.From);
        }

        public TeamsActivity Activity { get; }

        public IServiceProvider Services { get; }

        public PagingService Paging { get; }

        public CoordinationService? Coordination { get; }

        public OnCallModel Model { get; }

        public Actor Actor { get; }

        public CancellationToken Stopping { get; }
    }
}

/// <summary>The core's paging replies as Teams plain text: nothing to escape, names as typed, dates in UTC, commands in quotes.</summary>
internal sealed class TeamsMarkup : IChatMarkup
{
    public static TeamsMarkup Instance { get; } = new();

    public string Platform => TeamsChatPlatform.PlatformName;

    public string AccountName => "your Teams account";

    public string Escape(string text) => AdaptiveText.Plain(text, 4000, multiLine: true);

    public string Fit(string text, int max) => AdaptiveText.Plain(text, max);

    public string Mention(Actor actor) => AdaptiveText.Person(actor);

    public string Date(Instant at) => "on " + at.ToString("uuuu-MM-dd 'at' HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public string Command(string command) => $"'{command}'";
}
