using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NodaTime;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Model;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.Slack.Paging;
using static OnCallBot.Slack.SlackBlocks;

namespace OnCallBot.Slack.Coordination;

/// <summary>
/// Renders the incident card (what <see cref="IncidentCard"/> holds) as Block Kit, with no I/O: a header with the
/// reference, severity and phase; the summary; service, roles, runbook, customer impact and the last status update
/// as fields; an overdue warning; who is on call now for the services upstream and downstream; and the role
/// buttons while the incident is open. Within Block Kit's limits; user text escaped and cut with an ellipsis.
/// </summary>
internal static class SlackIncidentCard
{
    /// <summary>Dependencies listed per direction; the rest are counted, so the section stays readable and in bounds.</summary>
    public const int MaxDependencies = 12;

    private const string Unfilled = "_unfilled_";

    public static SlackMessage Render(IncidentCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        var incident = card.Incident;
        var room = card.Room;
        var resolved = incident.Status == IncidentStatus.Resolved || room.Phase == IncidentPhase.Resolved;
        var blocks = new JsonArray
        {
            Header($"{(resolved ? "✅" : "🔥")} {room.Reference} · SEV{room.Severity} · {Capitalized(CoordinationService.Name(room.Phase))}"),
            Section(SlackText.Fit(incident.Summary, SlackPageMessage.MaxSectionLength)),
            Fields(CardFields(card)),
        };
        if (card.StatusUpdateOverdue && !resolved)
        {
            blocks.Add(Section("⚠️ *A status update is overdue.* Post one with `/incident status &lt;what changed&gt;`."));
        }
        if (card.Upstream.Count > 0)
        {
            blocks.Add(Section(Dependencies($"*Upstream* (what {ServiceName(card)} depends on)", card.Upstream)));
        }
        if (card.Downstream.Count > 0)
        {
            blocks.Add(Section(Dependencies($"*Downstream* (what depends on {ServiceName(card)})", card.Downstream)));
        }
        if (resolved)
        {
            var by = incident.ResolvedBy is { } who ? $" by {Person(who)}" : string.Empty;
            var when = incident.ResolvedAt is { } at ? $" {SlackText.Date(at)}, {PagingService.Describe(at - incident.CreatedAt)} after the page" : string.Empty;
            blocks.Add(Section($"✅ *Resolved*{by}{when}."));
        }
        else
        {
            var value = room.IncidentNumber.ToString(CultureInfo.InvariantCulture);
            blocks.Add(new JsonObject
            {
                ["type"] = "actions",
                ["block_id"] = "oncallbot.roles",
                ["elements"] = new JsonArray(
                    Button("I'll be commander", SlackCoordinationActions.Commander, value, "primary"),
                    Button("I'll be scribe", SlackCoordinationActions.Scribe, value),
                    Button("I'll be comms", SlackCoordinationActions.Comms, value)),
            });
        }
        blocks.Add(Context($"Paged by {Person(incident.CreatedBy)} {SlackText.Date(incident.CreatedAt)} · `/incident help` lists the commands"));
        if (blocks.Count > SlackPageMessage.MaxBlocks)
        {
            throw new InvalidOperationException($"A Slack message holds at most {SlackPageMessage.MaxBlocks} blocks; the card has {blocks.Count}.");
        }
        return new SlackMessage(FallbackText(card), JsonSerializer.SerializeToElement(blocks));
    }

    /// <summary>The notification text: e.g. <c>🔥 INC-42 SEV2 investigating: Cards are timing out (commander: Anna)</c>.</summary>
    public static string FallbackText(IncidentCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        var room = card.Room;
        var resolved = card.Incident.Status == IncidentStatus.Resolved;
        var head = $"{(resolved ? "✅" : "🔥")} {room.Reference} SEV{room.Severity} {(resolved ? "resolved" : CoordinationService.Name(room.Phase))}: ";
        var tail = SlackText.Escape($" (commander: {room.Commander?.Person.DisplayName ?? "unfilled"})");
        return head + SlackText.Fit(card.Incident.Summary, Math.Max(100, SlackPageMessage.MaxFallbackTextLength - head.Length - tail.Length)) + tail;
    }

    /// <summary>A person as the card names them: a mention for someone on Slack, their display name otherwise.</summary>
    public static string Person(Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return actor.Platform == SlackChatPlatform.PlatformName && SlackText.SlackUserId().IsMatch(actor.PlatformUserId)
            ? $"<@{actor.PlatformUserId}>"
            : SlackText.Escape(actor.DisplayName);
    }

    private static string Person(User user) =>
        user.SlackUserId is { } id && SlackText.SlackUserId().IsMatch(id) ? $"<@{id}>" : SlackText.Escape(user.DisplayName);

    private static List<string> CardFields(IncidentCard card)
    {
        var incident = card.Incident;
        var room = card.Room;
        var fields = new List<string>();
        if (card.Service is { } service)
        {
            var owner = card.OwnerTeam?.Name ?? service.OwnerTeamId;
            fields.Add($"*Service*\n{SlackText.Fit(service.Name, 200)} (owner: {SlackText.Fit(owner, 200)})");
        }
        else if (incident.ServiceId is { } serviceId)
        {
            fields.Add($"*Service*\n`{SlackText.Fit(serviceId, 200)}` (no longer in the on-call config)");
        }
        else
        {
            fields.Add("*Service*\n_none: a direct page_");
        }
        fields.Add($"*Severity*\nSEV{room.Severity}");
        fields.Add($"*Phase*\n{Capitalized(CoordinationService.Name(room.Phase))}");
        foreach (var role in Enum.GetValues<IncidentRole>())
        {
            fields.Add($"*{Capitalized(CoordinationService.Name(role))}*\n{(room.Holder(role) is { } holder ? Person(holder.Person) : Unfilled)}");
        }
        fields.Add(card.Service?.RunbookUrl is { } runbook
            ? $"*Runbook*\n{SlackText.Link(runbook, "Open the runbook")}"
            : "*Runbook*\n_none in the on-call config_");
        fields.Add("*Customer impact*\n" + room switch
        {
            { ImpactStartedAt: { } start, ImpactEndedAt: { } end } => $"started {SlackText.Date(start)}, ended {SlackText.Date(end)}",
            { ImpactStartedAt: { } start } => $"started {SlackText.Date(start)}, ongoing",
            _ => "not marked",
        });
        fields.Add("*Last status update*\n" + (room.LastStatusUpdateAt is { } last ? Ago(card.Now - last) : "none yet"));
        return fields;
    }

    /// <summary>How long ago, as people say it: "just now", "12 min ago", "2h 5m ago".</summary>
    internal static string Ago(Duration elapsed) =>
        elapsed < Duration.FromMinutes(1) ? "just now"
        : elapsed < Duration.FromHours(1) ? $"{(int)elapsed.TotalMinutes} min ago"
        : $"{PagingService.Describe(elapsed)} ago";

    private static string ServiceName(IncidentCard card) => SlackText.Fit(card.Service?.Name ?? "this service", 100);

    private static string Dependencies(string title, IReadOnlyList<DependencyOnCall> dependencies)
    {
        var text = new StringBuilder(title);
        foreach (var dependency in dependencies.Take(MaxDependencies))
        {
            var onCall = dependency.OnCall.Count == 0 ? "_nobody on call now_" : string.Join(", ", dependency.OnCall.Take(5).Select(Person));
            if (dependency.OnCall.Count > 5)
            {
                onCall += $" and {dependency.OnCall.Count - 5} more";
            }
            text.Append(CultureInfo.InvariantCulture, $"\n• *{SlackText.Fit(dependency.Service.Name, 100)}*: {onCall}");
        }
        if (dependencies.Count > MaxDependencies)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n• and {dependencies.Count - MaxDependencies} more");
        }
        var all = text.ToString();
        // Every part above is already escaped; only the length is left to cut.
        return all.Length <= SlackPageMessage.MaxSectionLength ? all : all[..(SlackPageMessage.MaxSectionLength - 1)].TrimEnd() + SlackText.Ellipsis;
    }

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
