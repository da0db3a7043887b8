using System.Text;
using System.Text.Json.Nodes;
using NodaTime;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using static OnCallBot.Teams.Cards.AdaptiveElements;

namespace OnCallBot.Teams.Cards;

/// <summary>
/// Renders the incident card (what <see cref="IncidentCard"/> holds) as an Adaptive Card (1.5), with no I/O, showing
/// what the Slack card shows: the reference, severity and phase; the summary; service (and owner), severity, phase,
/// the three roles, runbook, customer impact and the last status update; the overdue warning; who is on call now
/// upstream and downstream; and, while the incident is open, the buttons to take a role. Resolved: who and when, no
/// buttons. Text people typed is only ever in <c>TextRun</c>s (<see cref="AdaptiveText"/>).
/// </summary>
internal static class TeamsIncidentCard
{
    /// <summary>Dependencies listed per direction; the rest are counted.</summary>
    public const int MaxDependencies = 12;

    /// <summary>People named per dependency; the rest are counted.</summary>
    public const int MaxPeoplePerDependency = 5;

    /// <summary>
    /// The card's largest size, in UTF-8 bytes. Teams refuses a message over about 28 KB (<c>MessageSizeTooBig</c>),
    /// and a refused card is a card nobody sees: a larger one is rendered again with fewer dependencies listed.
    /// </summary>
    public const int MaxCardBytes = 24 * 1024;

    private static readonly (IncidentRole Role, string Label, string Verb)[] Roles =
    [
        (IncidentRole.Commander, "Commander", TeamsCardVerbs.Commander),
        (IncidentRole.Scribe, "Scribe", TeamsCardVerbs.Scribe),
        (IncidentRole.Comms, "Comms", TeamsCardVerbs.Comms),
    ];

    public static JsonObject Render(IncidentCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        foreach (var listed in new[] { MaxDependencies, 3, 0 })
        {
            var rendered = Render(card, listed);
            if (Encoding.UTF8.GetByteCount(rendered.ToJsonString(Connector.ConnectorWire.Json)) <= MaxCardBytes)
            {
                return rendered;
            }
        }
        throw new InvalidOperationException($"The incident card for {card.Room.Reference} is over {MaxCardBytes} bytes even without its dependencies.");
    }

    /// <summary>The one line notifications show: e.g. <c>🔥 INC-42 SEV2 investigating: Cards are timing out (commander: Anna)</c>.</summary>
    public static string Summary(IncidentCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        var room = card.Room;
        var resolved = IsResolved(card);
        var commander = room.Commander is { } holder ? AdaptiveText.Person(holder.Person) : "unfilled";
        return $"{(resolved ? "✅" : "🔥")} {room.Reference} SEV{room.Severity} {(resolved ? "resolved" : CoordinationService.Name(room.Phase))}: "
            + $"{AdaptiveText.Plain(card.Incident.Summary, 300)} (commander: {commander})";
    }

    private static JsonObject Render(IncidentCard card, int listedDependencies)
    {
        var incident = card.Incident;
        var room = card.Room;
        var resolved = IsResolved(card);
        var body = new JsonArray
        {
            Text($"{(resolved ? "✅" : "🔥")} {room.Reference} · SEV{room.Severity} · {Capitalized(CoordinationService.Name(room.Phase))}",
                weight: "Bolder", size: "Large"),
            Rich(Run(AdaptiveText.Plain(incident.Summary, TeamsPageCard.MaxSummaryLength))),
        };
        foreach (var row in Fields(CardFields(card)))
        {
            body.Add(row);
        }
        if (card.StatusUpdateOverdue && !resolved)
        {
            body.Add(Rich(
                Run("⚠️ A status update is overdue. ", bold: true),
                Run("Post one by mentioning the bot: incident status <what changed>")));
        }
        AddDependencies(body, "Upstream", $" (what {ServiceName(card)} depends on)", card.Upstream, listedDependencies);
        AddDependencies(body, "Downstream", $" (what depends on {ServiceName(card)})", card.Downstream, listedDependencies);

        var actions = new JsonArray();
        if (resolved)
        {
            var line = Rich(Run("✅ Resolved", bold: true));
            if (incident.ResolvedBy is { } by)
            {
                ((JsonArray)line["inlines"]!).Add(Run(" by "));
                ((JsonArray)line["inlines"]!).Add(Run(AdaptiveText.Person(by), bold: true));
            }
            body.Add(line);
            if (incident.ResolvedAt is { } at)
            {
                body.Add(Text($"{AdaptiveText.Date(at)}, {PagingService.Describe(at - incident.CreatedAt)} after the page", subtle: true));
            }
        }
        else
        {
            foreach (var (role, label, verb) in Roles)
            {
                actions.Add(Execute($"I'll be {label.ToLowerInvariant()}", verb, room.IncidentNumber, role == IncidentRole.Commander ? "positive" : null));
            }
        }
        body.Add(Rich(Run("Paged by ", subtle: true), Run(AdaptiveText.Person(incident.CreatedBy), subtle: true)));
        body.Add(Text($"{AdaptiveText.Date(incident.CreatedAt)} · mention the bot with \"incident help\" for the commands", subtle: true));
        return Card(body, actions, Summary(card));
    }

    private static bool IsResolved(IncidentCard card) =>
        card.Incident.Status == IncidentStatus.Resolved || card.Room.Phase == IncidentPhase.Resolved;

    private static List<(string Label, JsonObject Value)> CardFields(IncidentCard card)
    {
        var incident = card.Incident;
        var room = card.Room;
        var fields = new List<(string, JsonObject)>();
        if (card.Service is { } service)
        {
            var owner = card.OwnerTeam?.Name ?? service.OwnerTeamId;
            fields.Add(("Service", Rich(Run(AdaptiveText.Plain(service.Name, 200)), Run($" (owner: {AdaptiveText.Plain(owner, AdaptiveText.MaxNameLength)})", subtle: true))));
        }
        else if (incident.ServiceId is { } serviceId)
        {
            fields.Add(("Service", Rich(Run(AdaptiveText.Plain(serviceId, 200)), Run(" (no longer in the on-call config)", subtle: true))));
        }
        else
        {
            fields.Add(("Service", Rich(Run("none: a direct page", italic: true))));
        }
        fields.Add(("Severity", Text($"SEV{room.Severity}")));
        fields.Add(("Phase", Text(Capitalized(CoordinationService.Name(room.Phase)))));
        foreach (var (role, label, _) in Roles)
        {
            fields.Add((label, room.Holder(role) is { } holder
                ? Rich(Run(AdaptiveText.Person(holder.Person)))
                : Rich(Run("unfilled", italic: true, subtle: true))));
        }
        fields.Add(("Runbook", card.Service?.RunbookUrl is { } runbook
            ? AdaptiveText.Link(runbook, "Open the runbook") is { } link ? Text(link) : Rich(Run(AdaptiveText.Plain(runbook.OriginalString, 300)))
            : Rich(Run("none in the on-call config", italic: true))));
        fields.Add(("Customer impact", Text(room switch
        {
            { ImpactStartedAt: { } start, ImpactEndedAt: { } end } => $"started {AdaptiveText.Date(start)}, ended {AdaptiveText.Date(end)}",
            { ImpactStartedAt: { } start } => $"started {AdaptiveText.Date(start)}, ongoing",
            _ => "not marked",
        })));
        fields.Add(("Last status update", Text(room.LastStatusUpdateAt is { } last ? Ago(card.Now - last) : "none yet")));
        return fields;
    }

    private static void AddDependencies(
        JsonArray body, string title, string relation, IReadOnlyList<DependencyOnCall> dependencies, int listed)
    {
        if (dependencies.Count == 0)
        {
            return;
        }
        body.Add(Rich(Run(title, bold: true), Run(relation)));
        foreach (var dependency in dependencies.Take(listed))
        {
            var onCall = dependency.OnCall.Count == 0
                ? Run("nobody on call now", italic: true)
                : Run(string.Join(", ", dependency.OnCall.Take(MaxPeoplePerDependency).Select(AdaptiveText.Person))
                    + (dependency.OnCall.Count > MaxPeoplePerDependency ? $" and {dependency.OnCall.Count - MaxPeoplePerDependency} more" : string.Empty));
            body.Add(Rich(Run("• "), Run(AdaptiveText.Plain(dependency.Service.Name, 100), bold: true), Run(": "), onCall));
        }
        if (dependencies.Count > listed)
        {
            body.Add(Text($"• and {dependencies.Count - listed} more", subtle: true));
        }
    }

    private static string ServiceName(IncidentCard card) => AdaptiveText.Plain(card.Service?.Name ?? "this service", 100);

    /// <summary>How long ago, as people say it: "just now", "12 min ago", "2h 5m ago".</summary>
    private static string Ago(Duration elapsed) =>
        elapsed < Duration.FromMinutes(1) ? "just now"
        : elapsed < Duration.FromHours(1) ? $"{(int)elapsed.TotalMinutes} min ago"
        : $"{PagingService.Describe(elapsed)} ago";

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
