using System.Globalization;
using System.Text;
using NodaTime;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Model;

namespace OnCallBot.Core.Paging;

/// <summary>
/// How a chat platform writes the paging replies: its escaping, length limits, mentions, dates and how a command is
/// shown. The words are the core's (<see cref="PagingReplies"/>), so Slack and Teams say the same thing.
/// </summary>
public interface IChatMarkup
{
    /// <summary>The platform's name, as <see cref="Ports.IChatPlatform.Name"/>: used to tell whether an actor is the same person.</summary>
    string Platform { get; }

    /// <summary>How the platform's users name their account in a sentence: "your Slack account".</summary>
    string AccountName { get; }

    /// <summary>Text people typed or the config holds, made safe for the platform's markup.</summary>
    string Escape(string text);

    /// <summary><paramref name="text"/> escaped and cut with an ellipsis to at most <paramref name="max"/> characters.</summary>
    string Fit(string text, int max);

    /// <summary>Someone who acted, named as the platform shows people.</summary>
    string Mention(Actor actor);

    /// <summary>A moment, as every reader should see it.</summary>
    string Date(Instant at);

    /// <summary>A command as the user would type it (<paramref name="command"/> is already escaped), e.g. <c>`/ack INC-42`</c>.</summary>
    string Command(string command);
}

/// <summary>The three paging actions, by the stable ids buttons carry (messages sent weeks ago still carry them).</summary>
public static class PagingActions
{
    public const string Acknowledge = "oncallbot.ack";
    public const string EscalateNow = "oncallbot.escalate";
    public const string Resolve = "oncallbot.resolve";

    public static bool IsPagingAction(string? actionId) => actionId is Acknowledge or EscalateNow or Resolve;

    /// <summary>Carries out <paramref name="actionId"/> on the incident as <paramref name="actor"/>.</summary>
    public static Task<ActionOutcome> CallAsync(PagingService paging, string actionId, long number, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paging);
        return actionId switch
        {
            Acknowledge => paging.AcknowledgeAsync(number, actor, cancellationToken),
            Resolve => paging.ResolveAsync(number, actor, cancellationToken),
            EscalateNow => paging.EscalateNowAsync(number, actor, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(actionId), actionId, "Not a paging action."),
        };
    }

    /// <summary>Why <paramref name="actor"/> may not resolve the incident (its coordination says who may), or null when they may or nothing coordinates it.</summary>
    public static async Task<string?> ResolveRefusalAsync(CoordinationService? coordination, long number, Actor actor, CancellationToken cancellationToken) =>
        coordination is null ? null : await coordination.AuthorizeResolveAsync(number, actor, cancellationToken);
}

/// <summary>The text grammar of the chat commands, the same on every platform.</summary>
public static class PagingCommandText
{
    /// <summary>
    /// Splits <c>page</c>'s text into its target (a service, or <c>@person</c>) and what is wrong, at the first
    /// whitespace. False when either is missing; <paramref name="target"/> is empty when the whole text is.
    /// </summary>
    public static bool TrySplitPage(string text, out string target, out string summary)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var split = trimmed.IndexOfAny([' ', '\t', '\n']);
        if (split < 0)
        {
            (target, summary) = (trimmed, string.Empty);
            return false;
        }
        (target, summary) = (trimmed[..split], trimmed[(split + 1)..].Trim());
        return summary.Length > 0;
    }

    /// <summary>An incident id written out (<c>INC-42</c>, any case), or null; bare numbers are arguments, not ids.</summary>
    public static long? ReferenceIn(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        var trimmed = word.Trim().TrimEnd('.', ',', ';', ':', ')').TrimStart('(');
        return trimmed.StartsWith(IncidentReference.Prefix, StringComparison.OrdinalIgnoreCase)
            && IncidentReference.TryParse(trimmed, out var number)
                ? number
                : null;
    }
}

/// <summary>
/// What the bot answers to <c>page</c>, <c>ack</c> and <c>resolve</c> and to the page buttons, worded once for every
/// platform; <see cref="IChatMarkup"/> writes it in the platform's markup.
/// </summary>
public static class PagingReplies
{
    private const int MaxListedServices = 10;

    public static string PageUsage(IChatMarkup m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return $"Usage: {m.Command(m.Escape("page <service> <what is wrong>"))} or {m.Command(m.Escape("page @person <what is wrong>"))}\n" +
            $"Examples:\n• {m.Command("page checkout Cards are timing out")}\n• {m.Command("page @anna The ledger job is stuck")}";
    }

    /// <summary>The answer to <c>page</c> without what is wrong (or without anything).</summary>
    public static string MissingSummary(IChatMarkup m, bool saidNothing) =>
        (saidNothing ? "" : "Say what is wrong after the service or person.\n") + PageUsage(m);

    public static string Paged(IChatMarkup m, PageOutcome.Paged paged, OnCallModel model)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(paged);
        var incident = paged.Incident;
        var what = paged.Service?.Name ?? LabelOf(incident, model);
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"🚨 {incident.Reference} paged {m.Escape(what)}: {m.Fit(incident.Summary, 1500)}. ");
        if (paged.FirstLevel is { } first && first.People.Count > 0)
        {
            var names = string.Join(", ", first.People.Select(p => m.Escape(p.DisplayName)));
            text.Append(incident.DirectUserId is not null
                ? $"Notifying {names} directly…"
                : $"Notifying {names} (level {first.Level + 1})…");
        }
        else
        {
            text.Append("Nobody is on call at any level right now; the owning team is told as the escalation runs out.");
        }
        foreach (var note in paged.Notes)
        {
            text.Append("\n• ").Append(m.Escape(note));
        }
        text.Append(CultureInfo.InvariantCulture, $"\nAcknowledge with {m.Command("ack " + incident.Reference)} or the button in the page.");
        return text.ToString();
    }

    public static string AlreadyPaged(IChatMarkup m, Incident incident, OnCallModel model)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(incident);
        return $"{incident.Reference} was already opened for this command ({m.Escape(LabelOf(incident, model))}: " +
            $"{m.Fit(incident.Summary, 1000)}); it is {incident.Status.ToString().ToLowerInvariant()}. Nobody was paged twice.";
    }

    public static string UnknownService(IChatMarkup m, PageOutcome.UnknownService unknown, OnCallModel model)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(unknown);
        ArgumentNullException.ThrowIfNull(model);
        var name = m.Fit(unknown.Name, 100);
        if (unknown.Suggestions.Count > 0)
        {
            return $"No service '{name}'. Did you mean: {string.Join(", ", unknown.Suggestions.Select(s => m.Escape(s.Id)))}?";
        }
        if (model.FindUser(unknown.Name) is { } user)
        {
            return $"No service '{name}'. To page {m.Escape(user.DisplayName)} directly: {m.Command($"page @{m.Escape(user.Id)} what is wrong")}.";
        }
        var known = model.Services.Keys.Order(StringComparer.Ordinal).Take(MaxListedServices).Select(m.Escape).ToList();
        return known.Count == 0
            ? $"No service '{name}': the on-call config has no services yet."
            : $"No service '{name}'. Services: {string.Join(", ", known)}{(model.Services.Count > MaxListedServices ? ", …" : "")}.";
    }

    public static string UnknownUser(IChatMarkup m, string name)
    {
        ArgumentNullException.ThrowIfNull(m);
        return $"{m.Escape(name)} is not in the on-call config, so OnCallBot cannot page them.";
    }

    /// <summary>The answer to a page outcome, and whether everyone in the conversation should see it (a page done) or only the person who asked.</summary>
    public static (string Text, bool ForEveryone) ToPage(IChatMarkup m, PageOutcome outcome, OnCallModel model) => outcome switch
    {
        PageOutcome.Paged paged => (Paged(m, paged, model), true),
        PageOutcome.AlreadyPaged already => (AlreadyPaged(m, already.Incident, model), true),
        PageOutcome.UnknownService unknown => (UnknownService(m, unknown, model), false),
        PageOutcome.UnknownUser unknownUser => (UnknownUser(m, unknownUser.Name), false),
        PageOutcome.MissingSummary => (MissingSummary(m, saidNothing: false), false),
        _ => throw new InvalidOperationException($"Unexpected page outcome {outcome?.GetType().Name}."),
    };

    /// <summary>The answer to an acknowledge, resolve or escalate-now, and whether everyone should see it (it was done).</summary>
    public static (string Text, bool ForEveryone) ToAction(IChatMarkup m, ActionOutcome outcome, string actionId, Actor actor, OnCallModel model) => outcome switch
    {
        ActionOutcome.Done done => (Done(m, done.Incident, actionId, actor, model), true),
        ActionOutcome.Refused refused => (Refusal(m, refused, actor), false),
        ActionOutcome.NotFound notFound => (NotFound(notFound.Reference), false),
        _ => throw new InvalidOperationException($"Unexpected action outcome {outcome?.GetType().Name}."),
    };

    public static string NotFound(string reference) => $"No incident {reference}.";

    /// <summary>The answer to <c>ack</c> or <c>resolve</c> whose argument is not an incident id.</summary>
    public static string NotAnIncidentId(IChatMarkup m, string verb, string argument)
    {
        ArgumentNullException.ThrowIfNull(m);
        return $"'{m.Fit(argument, 100)}' is not an incident id. Usage: {m.Command(verb + " INC-42")}, or {m.Command(verb)} alone for the incident paging you.";
    }

    public static string NothingPaging(IChatMarkup m, Actor actor, string verb)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(actor);
        return actor.UserId is null
            ? $"Nothing is paging you right now: {m.AccountName} is not in the on-call config. Name the incident instead: {m.Command(verb + " INC-42")}."
            : $"Nothing is paging you right now. To act on another incident, name it: {m.Command(verb + " INC-42")}.";
    }

    /// <summary>A bare <c>ack</c> or <c>resolve</c> while several incidents page the person: which one.</summary>
    public static string WhichIncident(int count, string verb) =>
        $"{count} incidents are paging you. Which one do you want to {(verb == "ack" ? "acknowledge" : "resolve")}?";

    public static string Done(IChatMarkup m, Incident incident, string actionId, Actor actor, OnCallModel? model = null)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(incident);
        var label = model is null ? null : $" ({m.Escape(LabelOf(incident, model))}: {m.Fit(incident.Summary, 1000)})";
        return actionId switch
        {
            PagingActions.Acknowledge => $"👀 {m.Mention(actor)} acknowledged {incident.Reference}{label}. Escalation has stopped.",
            PagingActions.Resolve => $"✅ {m.Mention(actor)} resolved {incident.Reference}{label}.",
            _ => $"Escalating {incident.Reference} now: the next level is being notified.",
        };
    }

    public static string Refusal(IChatMarkup m, ActionOutcome.Refused refused, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(refused);
        var incident = refused.Incident;
        if (incident.Status == IncidentStatus.Resolved && SamePerson(incident.ResolvedBy, actor))
        {
            return $"You already resolved {incident.Reference} {m.Date(incident.ResolvedAt!.Value)}.";
        }
        if (incident.Status == IncidentStatus.Acknowledged && SamePerson(incident.AcknowledgedBy, actor) && !refused.Reason.Contains("escalat", StringComparison.Ordinal))
        {
            return $"You already acknowledged {incident.Reference} {m.Date(incident.AcknowledgedAt!.Value)}.";
        }
        return m.Escape(refused.Reason);
    }

    /// <summary>What an incident is about, for lists and replies: the service's name, or whom it paged directly.</summary>
    public static string LabelOf(Incident incident, OnCallModel model)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(model);
        if (incident.ServiceId is { } serviceId)
        {
            return model.Services.TryGetValue(serviceId, out var service) ? service.Name : serviceId;
        }
        return incident.DirectUserId is { } userId
            ? "direct page to " + (model.FindUser(userId)?.DisplayName ?? userId)
            : "incident";
    }

    private static bool SamePerson(Actor? who, Actor actor) =>
        who is not null && who.Platform == actor.Platform && who.PlatformUserId == actor.PlatformUserId;
}
