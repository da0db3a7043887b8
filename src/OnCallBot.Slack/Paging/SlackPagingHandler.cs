using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Model;
using OnCallBot.Core.Paging;
using OnCallBot.Slack.Coordination;
using OnCallBot.Slack.Inbound;
using OnCallBot.Slack.WebApi;

namespace OnCallBot.Slack.Paging;

/// <summary>
/// Slack's side of the paging flow and of incident coordination: <c>/page</c>, <c>/ack</c>, <c>/resolve</c>,
/// <c>/incident</c> (its coordination subcommands are in <c>Coordination/SlackIncidentCommands.cs</c>), the page
/// messages' buttons and the incident card's role buttons. It parses, calls <see cref="PagingService"/> and
/// <see cref="CoordinationService"/> as the person who acted, and renders the answer; the flows live in the core.
/// In an incident's channel, commands that need an incident mean that channel's incident unless they name another.
/// </summary>
/// <remarks>
/// <para>Commands: the answer must say what happened, so the core call runs first, in its own scope, and the reply
/// waits for it up to <see cref="CommandDeadline"/>. That is almost always enough: a page is a store write and a
/// scheduled job (people are notified by the scheduler's job, not here), and an acknowledge is a store write and
/// one <c>chat.update</c> per page message. When Slack or the store is slow, the reply says so at once and the
/// outcome is posted to the command's <c>response_url</c> when it is known, instead of Slack showing a timeout for
/// a command that did work.</para>
/// <para>Buttons: Slack is answered with an empty acknowledgement at once and the click is carried out in
/// <see cref="SlackBackgroundWork"/>; the page messages change through <c>chat.update</c> from the core, and a
/// refusal is told to the clicker alone through the interaction's <c>response_url</c>.</para>
/// </remarks>
internal sealed partial class SlackPagingHandler : ISlackInboundHandler
{
    /// <summary>How long a command's reply waits for the outcome: under Slack's 3 s, with room for the network.</summary>
    internal static readonly TimeSpan CommandDeadline = TimeSpan.FromSeconds(2);

    private readonly SlackBackgroundWork _work;
    private readonly TimeProvider _time;
    private readonly ILogger<SlackPagingHandler> _logger;

    public SlackPagingHandler(SlackBackgroundWork work, TimeProvider time, ILogger<SlackPagingHandler> logger)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _work = work;
        _time = time;
        _logger = logger;
    }

    public async Task<SlackInboundResponse> HandleCommandAsync(SlackCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        Func<CommandContext, Task<SlackInboundResponse>>? run = command.Command.ToLowerInvariant() switch
        {
            "/page" => PageAsync,
            "/ack" => context => ActAsync(context, SlackPagingActions.Acknowledge),
            "/resolve" => context => ActAsync(context, SlackPagingActions.Resolve),
            "/incident" => IncidentAsync,
            _ => null,
        };
        if (run is null)
        {
            return SlackInboundResponse.Ephemeral(
                $"OnCallBot does not know {SlackText.Escape(command.Command)}. It answers /page, /ack, /resolve and /incident (try `/incident help`).");
        }

        var outcome = _work.Start("command " + command.Command, async (services, stopping) =>
        {
            var context = new CommandContext(command, services, stopping);
            var response = await run(context);
            Log.PagingCommandHandled(_logger, command.Command, command.UserId, response.Text ?? "(acknowledged)");
            return response;
        });
        try
        {
            return await outcome.WaitAsync(CommandDeadline, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
            Log.AnsweringLater(_logger, command.Command, CommandDeadline.TotalMilliseconds);
            if (command.ResponseUrl is not { } responseUrl)
            {
                return SlackInboundResponse.Ephemeral("⏳ Still working on it: Slack or the database is slow right now. Check again in a minute.");
            }
            _ = _work.Start("late answer to " + command.Command, async (services, stopping) =>
            {
                var response = await outcome;
                return await services.GetRequiredService<SlackResponseUrlClient>().PostAsync(
                    responseUrl, response.Text!, response.Blocks, response.Visibility == SlackResponseVisibility.InChannel, stopping);
            });
            return SlackInboundResponse.Ephemeral("⏳ Working on it: Slack or the database is slow right now, so the answer follows here in a moment.");
        }
    }

    public Task<SlackInboundResponse> HandleInteractionAsync(SlackInteraction interaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        if (interaction.Type != "block_actions")
        {
            return Task.FromResult(SlackInboundResponse.Ack);
        }
        foreach (var action in interaction.Actions)
        {
            var isRole = SlackCoordinationActions.TryParse(action.ActionId, out var role);
            if (!isRole && !SlackPagingActions.IsPagingAction(action.ActionId))
            {
                Log.UnknownAction(_logger, action.ActionId);
                continue;
            }
            if (!IncidentReference.TryParse(action.Value, out var number))
            {
                Log.UnknownAction(_logger, action.ActionId + " (value is not an incident number)");
                continue;
            }
            _ = _work.Start($"button {action.ActionId} on {IncidentReference.Format(number)}", (services, stopping) => isRole
                ? ClickRoleAsync(services, interaction, action.ActionId, role, number, stopping)
                : ClickAsync(services, interaction, action.ActionId, number, stopping));
        }
        return Task.FromResult(SlackInboundResponse.Ack);
    }

    /// <summary>No Events API subscription is needed for paging; events are acknowledged and ignored.</summary>
    public Task<SlackInboundResponse> HandleEventAsync(SlackEvent slackEvent, CancellationToken cancellationToken) =>
        Task.FromResult(SlackInboundResponse.Ack);

    private async Task<bool> ClickAsync(IServiceProvider services, SlackInteraction interaction, string actionId, long number, CancellationToken stopping)
    {
        var paging = services.GetRequiredService<PagingService>();
        var actor = ActorOf(services.GetRequiredService<IOnCallModelProvider>().Current, interaction.UserId, interaction.UserName);
        if (actionId == SlackPagingActions.Resolve
            && await ResolveRefusalAsync(services.GetService<CoordinationService>(), number, actor, stopping) is { } refusal)
        {
            Log.PagingActionHandled(_logger, actionId, number, interaction.UserId, "not allowed");
            return await FollowUpAsync(services, interaction, actionId, SlackText.Escape(refusal), stopping);
        }
        var outcome = await PagingActions.CallAsync(paging, actionId, number, actor, stopping);
        Log.PagingActionHandled(_logger, actionId, number, interaction.UserId, outcome.GetType().Name);

        // A page message shows a successful acknowledge or resolve itself (the core rewrites it); anything else is
        // said to the clicker alone.
        var fromList = interaction.Container?.IsEphemeral == true;
        var followUp = outcome switch
        {
            ActionOutcome.Refused refused => PagingReplies.Refusal(SlackMarkup.Instance, refused, actor),
            ActionOutcome.NotFound notFound => PagingReplies.NotFound(notFound.Reference),
            ActionOutcome.Done done when actionId == SlackPagingActions.EscalateNow =>
                $"Escalating {done.Incident.Reference} now: the next level is being notified.",
            ActionOutcome.Done done when fromList => PagingReplies.Done(SlackMarkup.Instance, done.Incident, actionId, actor),
            _ => null,
        };
        return followUp is null || await FollowUpAsync(services, interaction, actionId, followUp, stopping);
    }

    /// <summary>Tells the clicker alone: through the interaction's <c>response_url</c>, else as an ephemeral message.</summary>
    private async Task<bool> FollowUpAsync(IServiceProvider services, SlackInteraction interaction, string actionId, string followUp, CancellationToken stopping)
    {
        try
        {
            if (interaction.ResponseUrl is { } responseUrl)
            {
                return await services.GetRequiredService<SlackResponseUrlClient>().PostAsync(responseUrl, followUp, null, inChannel: false, stopping);
            }
            if (interaction.ChannelId is { } channel)
            {
                await services.GetRequiredService<SlackWebApiClient>().PostEphemeralAsync(channel, interaction.UserId, followUp, cancellationToken: stopping);
                return true;
            }
        }
        catch (Exception ex) when (ex is SlackApiException or HttpRequestException or ArgumentException)
        {
            Log.FollowUpFailed(_logger, ex, interaction.UserId, actionId);
        }
        return false;
    }

    private static async Task<SlackInboundResponse> PageAsync(CommandContext context)
    {
        if (!PagingCommandText.TrySplitPage(context.Command.Text, out var targetText, out var typedSummary))
        {
            return SlackInboundResponse.Ephemeral(PagingReplies.MissingSummary(SlackMarkup.Instance, saidNothing: targetText.Length == 0));
        }
        var summary = SlackText.ToPlain(typedSummary).Trim();
        if (summary.Length == 0)
        {
            return SlackInboundResponse.Ephemeral(PagingReplies.MissingSummary(SlackMarkup.Instance, saidNothing: false));
        }

        var model = context.Model;
        PageTarget target;
        if (PersonOf(model, targetText) is { } person)
        {
            if (person.User is null)
            {
                return SlackInboundResponse.Ephemeral(
                    $"{person.Shown} is not in the on-call config, so OnCallBot cannot page them. " +
                    "Page a service, or mention someone listed in the config (by Slack mention or config id).");
            }
            target = new PageTarget.Person(person.User.Id);
        }
        else
        {
            target = new PageTarget.ServiceNamed(SlackText.ToPlain(targetText));
        }

        var idempotencyKey = context.Command.TriggerId is { Length: > 0 } triggerId
            ? $"slack:{context.Command.TeamId}:{triggerId}"
            // Slack always sends a trigger_id; without one a redelivery cannot be recognised, so each is its own page.
            : $"slack:{context.Command.TeamId}:no-trigger:{Guid.NewGuid():N}";
        var outcome = await context.Paging.PageAsync(new PageRequest(target, summary, context.Actor, idempotencyKey), context.Stopping);
        var (reply, forEveryone) = PagingReplies.ToPage(SlackMarkup.Instance, outcome, model);
        return forEveryone ? SlackInboundResponse.InChannel(reply) : SlackInboundResponse.Ephemeral(reply);
    }

    private static async Task<SlackInboundResponse> ActAsync(CommandContext context, string actionId)
    {
        var verb = actionId == SlackPagingActions.Acknowledge ? "ack" : "resolve";
        var argument = context.Command.Text.Trim();
        long number;
        if (argument.Length > 0)
        {
            if (!IncidentReference.TryParse(argument, out number))
            {
                return SlackInboundResponse.Ephemeral(PagingReplies.NotAnIncidentId(SlackMarkup.Instance, verb, argument));
            }
        }
        else if (await context.ChannelRoomAsync() is { } room)
        {
            number = await ChannelIncidentAsync(context, room, actionId);
        }
        else
        {
            var candidates = await ImpliedIncidentsAsync(context);
            switch (candidates.Count)
            {
                case 0:
                    return SlackInboundResponse.Ephemeral(PagingReplies.NothingPaging(SlackMarkup.Instance, context.Actor, verb));
                case 1:
                    number = candidates[0].Number;
                    break;
                default:
                    var choice = SlackPageMessage.Choice(
                        PagingReplies.WhichIncident(candidates.Count, verb),
                        candidates.Select(i => (i, LabelOf(i, context.Model))).ToList(),
                        actionId);
                    return SlackInboundResponse.Ephemeral(choice.Text, choice.Blocks);
            }
        }

        return await ActOnAsync(context, actionId, number);
    }

    /// <summary>Acknowledges or resolves one incident; resolving asks coordination first who may.</summary>
    private static async Task<SlackInboundResponse> ActOnAsync(CommandContext context, string actionId, long number)
    {
        if (actionId == SlackPagingActions.Resolve
            && await ResolveRefusalAsync(context.Coordination, number, context.Actor, context.Stopping) is { } refusal)
        {
            return SlackInboundResponse.Ephemeral(SlackText.Escape(refusal));
        }
        var outcome = await PagingActions.CallAsync(context.Paging, actionId, number, context.Actor, context.Stopping);
        var (reply, forEveryone) = PagingReplies.ToAction(SlackMarkup.Instance, outcome, actionId, context.Actor, context.Model);
        return forEveryone ? SlackInboundResponse.InChannel(reply) : SlackInboundResponse.Ephemeral(reply);
    }

    private static async Task<SlackInboundResponse> IncidentAsync(CommandContext context)
    {
        var parts = context.Command.Text.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var sub = parts.Length > 0 ? parts[0].ToLowerInvariant() : "help";
        if (sub == "help")
        {
            return SlackInboundResponse.Ephemeral(IncidentHelp);
        }
        if (sub != "timeline")
        {
            return await CoordinationCommandAsync(context, sub, parts.Length > 1 ? parts[1] : string.Empty)
                ?? SlackInboundResponse.Ephemeral($"OnCallBot does not know `/incident {SlackText.Fit(parts[0], 50)}`.\n" + IncidentHelp);
        }

        long number;
        var explicitReference = parts.Length > 1 ? ReferenceIn(parts[1]) : null;
        if (explicitReference is { } named)
        {
            number = named;
        }
        else if (parts.Length > 1)
        {
            return SlackInboundResponse.Ephemeral(
                $"'{SlackText.Fit(parts[1], 100)}' is not an incident id. Usage: `/incident timeline INC-42`.");
        }
        else if (await context.ChannelRoomAsync() is { } room)
        {
            number = room.IncidentNumber;
        }
        else
        {
            var candidates = await ImpliedIncidentsAsync(context);
            if (candidates.Count != 1)
            {
                return SlackInboundResponse.Ephemeral(candidates.Count == 0
                    ? "Which incident? Nothing is paging you right now: name one, e.g. `/incident timeline INC-42`."
                    : $"Which incident? Several are paging you ({string.Join(", ", candidates.Select(c => c.Reference))}): name one, e.g. `/incident timeline {candidates[0].Reference}`.");
            }
            number = candidates[0].Number;
        }

        var timeline = await context.Paging.TimelineAsync(number, context.Stopping);
        if (timeline is not { } found)
        {
            return SlackInboundResponse.Ephemeral(PagingReplies.NotFound(IncidentReference.Format(number)));
        }
        return SlackInboundResponse.Ephemeral(SlackPageMessage.Timeline(found.Incident, LabelOf(found.Incident, context.Model), found.Events));
    }

    /// <summary>
    /// The incidents a bare <c>/ack</c>, <c>/resolve</c> or <c>/incident timeline</c> can mean outside an incident
    /// channel: those paging the person. (Inside one, the channel's incident is meant.)
    /// </summary>
    private static Task<IReadOnlyList<Incident>> ImpliedIncidentsAsync(CommandContext context) =>
        context.Paging.FindIncidentsPagingAsync(context.Actor, context.Stopping);

    /// <summary>The person who acted, named as the on-call config knows them when it does.</summary>
    internal static Actor ActorOf(OnCallModel model, string slackUserId, string? userName)
    {
        var user = model.FindUserBySlackId(slackUserId);
        return new Actor(SlackChatPlatform.PlatformName, slackUserId, user?.DisplayName ?? userName ?? slackUserId, user?.Id);
    }

    /// <summary>
    /// A person named as the target of <c>/page</c>: Slack's escaped mention (<c>&lt;@U123|name&gt;</c>), or
    /// <c>@</c> followed by a config user id or Slack user id. Null when the text does not name a person at all;
    /// <c>Shown</c> is how to name them back in mrkdwn.
    /// </summary>
    internal static (string Shown, User? User)? PersonOf(OnCallModel model, string target)
    {
        if (target.StartsWith("<@", StringComparison.Ordinal) && target.EndsWith('>'))
        {
            var inner = target[2..^1];
            var bar = inner.IndexOf('|', StringComparison.Ordinal);
            var slackId = bar >= 0 ? inner[..bar] : inner;
            return ($"<@{slackId}>", model.FindUserBySlackId(slackId));
        }
        if (target.Length > 1 && target[0] == '@')
        {
            var name = target[1..];
            return (SlackText.Escape("@" + name), model.FindUser(name) ?? model.FindUserBySlackId(name));
        }
        return null;
    }

    /// <summary>What an incident is about, for lists and replies: the service's name, or whom it paged directly.</summary>
    private static string LabelOf(Incident incident, OnCallModel model) => PagingReplies.LabelOf(incident, model);

    private static readonly string IncidentHelp =
        "`/incident timeline [INC-42]`: what happened to an incident so far, with times in your time zone " +
        "(without an id: the incident of this channel, or the one paging you).\n" +
        "In an incident's channel the commands below mean that incident; elsewhere add its id, e.g. `/incident sev 2 INC-42`.\n" +
        "• `/incident role commander|scribe|comms [@person]`: take a role, or give it to someone\n" +
        "• `/incident sev 1-4`: set the severity (1 is the worst)\n" +
        "• `/incident phase investigating|identified|monitoring`\n" +
        "• `/incident note &lt;text&gt;`: put a decision or finding on the timeline\n" +
        "• `/incident impact start|end`: mark when customers started or stopped being affected\n" +
        "• `/incident status &lt;text&gt;`: post a status update (here and to the stakeholders)\n" +
        "• `/incident page &lt;service or @person&gt; [what you need]`: pull another team into this incident\n" +
        "• `/incident resolve`: resolve it and post the summary · `/incident summary`: the summary so far\n" +
        "For text commands (note, status, page) put the id first: `/incident note INC-42 Rolled back`.\n" +
        "`/page &lt;service or @person&gt; &lt;what is wrong&gt;`: page someone. `/ack [INC-42]`, `/resolve [INC-42]`: act on an incident.";

    /// <summary>One command being handled: the request, the scope's services and the person acting.</summary>
    private sealed class CommandContext
    {
        public CommandContext(SlackCommand command, IServiceProvider services, CancellationToken stopping)
        {
            Command = command;
            Stopping = stopping;
            Paging = services.GetRequiredService<PagingService>();
            // Optional: a host with paging alone still answers /page, /ack and /resolve.
            Coordination = services.GetService<CoordinationService>();
            // Read once per command so every part of the answer sees the same config version.
            Model = services.GetRequiredService<IOnCallModelProvider>().Current;
            Actor = ActorOf(Model, command.UserId, command.UserName);
        }

        public CoordinationService? Coordination { get; }

        private IncidentRoom? _channelRoom;
        private bool _channelRoomLoaded;

        /// <summary>The incident whose channel the command was typed in, if it was typed in one.</summary>
        public async Task<IncidentRoom?> ChannelRoomAsync()
        {
            if (!_channelRoomLoaded && Coordination is not null)
            {
                _channelRoom = await Coordination.FindByChannelAsync(SlackChatPlatform.PlatformName, Command.ChannelId, Stopping);
                _channelRoomLoaded = true;
            }
            return _channelRoom;
        }

        public SlackCommand Command { get; }

        public CancellationToken Stopping { get; }

        public PagingService Paging { get; }

        public OnCallModel Model { get; }

        public Actor Actor { get; }
    }
}
