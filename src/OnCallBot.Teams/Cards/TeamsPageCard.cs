using System.Text.Json.Nodes;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using static OnCallBot.Teams.Cards.AdaptiveElements;

namespace OnCallBot.Teams.Cards;

/// <summary>
/// Renders the page notification as an Adaptive Card (1.5), with no I/O, showing what the Slack page shows: the
/// reference and service, the summary, service, owner team, who paged and when, the escalation level, the runbook, and
/// the status. While the incident is triggered it has Acknowledge and Escalate now (until escalation is exhausted);
/// until it is resolved, Resolve (behind a confirmation). Acknowledged: who and when, Acknowledge gone. Resolved: who
/// and when, no buttons. Text people typed is only ever in <c>TextRun</c>s (<see cref="AdaptiveText"/>).
/// </summary>
internal static class TeamsPageCard
{
    /// <summary>The summary's length on the card; Teams' whole message must stay under about 28 KB.</summary>
    public const int MaxSummaryLength = 2000;

    public static JsonObject Render(PageView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var incident = view.Incident;
        var body = new JsonArray
        {
            Rich(Run($"{Icon(incident.Status)} {incident.Reference} · ", bold: true, size: "Large"),
                Run(AdaptiveText.Plain(WhatName(view), 200), bold: true, size: "Large")),
            Rich(Run(AdaptiveText.Plain(incident.Summary, MaxSummaryLength))),
        };
        foreach (var row in Fields(PageFields(view)))
        {
            body.Add(row);
        }
        foreach (var line in StatusLines(view))
        {
            body.Add(line);
        }

        var actions = new JsonArray();
        if (incident.Status == IncidentStatus.Triggered)
        {
            actions.Add(Execute("Acknowledge", TeamsCardVerbs.Acknowledge, incident.Number, "positive"));
            if (!incident.Escalation.Exhausted)
            {
                actions.Add(Execute("Escalate now", TeamsCardVerbs.EscalateNow, incident.Number));
            }
        }
        if (incident.Status != IncidentStatus.Resolved)
        {
            actions.Add(Confirm(
                "Resolve",
                Rich(Run($"This closes {incident.Reference} ("), Run(AdaptiveText.Plain(incident.Summary, 200)), Run(") and stops paging everyone.")),
                Execute($"Resolve {incident.Reference}", TeamsCardVerbs.Resolve, incident.Number, "destructive")));
        }
        return Card(body, actions, Summary(view));
    }

    /// <summary>The one line notifications and the chat list show (and clients that cannot render the card): e.g. <c>🚨 INC-42 checkout: Cards are timing out</c>.</summary>
    public static string Summary(PageView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var incident = view.Incident;
        var what = AdaptiveText.Plain(view.Service?.Id ?? incident.ServiceId ?? "direct page", 200);
        var suffix = incident.Status switch
        {
            IncidentStatus.Acknowledged when incident.AcknowledgedBy is { } by => $" (acknowledged by {AdaptiveText.Person(by)})",
            IncidentStatus.Resolved when incident.ResolvedBy is { } by => $" (resolved by {AdaptiveText.Person(by)})",
            _ => string.Empty,
        };
        return $"{Icon(incident.Status)} {incident.Reference} {what}: {AdaptiveText.Plain(incident.Summary, 300)}{suffix}";
    }

    private static List<(string Label, JsonObject Value)> PageFields(PageView view)
    {
        var incident = view.Incident;
        var fields = new List<(string, JsonObject)>();
        if (view.Service is { } service)
        {
            fields.Add(("Service", Rich(Run(AdaptiveText.Plain(service.Name, 200)), Run($" ({AdaptiveText.Plain(service.Id, 200)})", subtle: true))));
        }
        else if (incident.ServiceId is { } serviceId)
        {
            fields.Add(("Service", Rich(Run(AdaptiveText.Plain(serviceId, 200)), Run(" (no longer in the on-call config)", subtle: true))));
        }
        if (view.OwnerTeam is { } team)
        {
            fields.Add(("Owner team", Rich(Run(AdaptiveText.Plain(team.Name, AdaptiveText.MaxNameLength)))));
        }
        fields.Add(("Paged by", Rich(Run(AdaptiveText.Person(incident.CreatedBy)))));
        fields.Add(("Paged", Text(AdaptiveText.Date(incident.CreatedAt))));
        fields.Add(("Escalation", Text(incident.DirectUserId is not null ? "Direct page" : LevelText(view))));
        if (view.Service?.RunbookUrl is { } runbook)
        {
            fields.Add(("Runbook", AdaptiveText.Link(runbook, "Open the runbook") is { } link
                ? Text(link)
                : Rich(Run(AdaptiveText.Plain(runbook.OriginalString, 300)))));
        }
        return fields;
    }

    private static IEnumerable<JsonObject> StatusLines(PageView view)
    {
        var incident = view.Incident;
        switch (incident.Status)
        {
            case IncidentStatus.Triggered:
                yield return Text(incident.DirectUserId is not null
                    ? "You were paged directly. Acknowledge to stop the repeats."
                    : $"Paging {LevelText(view).ToLowerInvariant()}. Acknowledge to stop the escalation.", subtle: true);
                break;
            case IncidentStatus.Resolved:
                if (incident.ResolvedBy is { } resolvedBy && incident.ResolvedAt is { } resolvedAt)
                {
                    yield return Rich(Run("✅ Resolved by ", bold: true), Run(AdaptiveText.Person(resolvedBy), bold: true));
                    yield return Text(AdaptiveText.Date(resolvedAt), subtle: true);
                }
                else
                {
                    yield return Text("✅ **Resolved**");
                }
                foreach (var line in Acknowledged(incident))
                {
                    yield return line;
                }
                break;
            default:
                foreach (var line in Acknowledged(incident))
                {
                    yield return line;
                }
                break;
        }
    }

    private static IEnumerable<JsonObject> Acknowledged(Incident incident)
    {
        if (incident.AcknowledgedBy is { } by && incident.AcknowledgedAt is { } at)
        {
            yield return Rich(Run("👀 Acknowledged by ", bold: true), Run(AdaptiveText.Person(by), bold: true));
            yield return Text(AdaptiveText.Date(at), subtle: true);
        }
    }

    private static string LevelText(PageView view) => $"Level {view.Level + 1} of {Math.Max(view.LevelCount, view.Level + 1)}";

    private static string WhatName(PageView view) => view.Service?.Name ?? view.Incident.ServiceId ?? "Direct page";

    private static string Icon(IncidentStatus status) => status switch
    {
        IncidentStatus.Acknowledged => "👀",
        IncidentStatus.Resolved => "✅",
        _ => "🚨",
    };
}
