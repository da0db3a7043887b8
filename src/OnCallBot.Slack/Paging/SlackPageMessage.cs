using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using static OnCallBot.Slack.SlackBlocks;

namespace OnCallBot.Slack.Paging;

/// <summary>A Slack message: the notification text (also the fallback for clients without blocks) and Block Kit blocks.</summary>
internal sealed record SlackMessage(string Text, JsonElement Blocks);

/// <summary>
/// Renders the paging flow for Slack as Block Kit, with no I/O: the page message in each status, the list a bare
/// <c>/ack</c> offers, and the timeline. Everything stays within Block Kit's limits; user text is escaped and cut
/// with an ellipsis where a limit would be crossed.
/// </summary>
internal static class SlackPageMessage
{
    /// <summary>Block Kit: a header's plain text.</summary>
    public const int MaxHeaderLength = 150;

    /// <summary>Block Kit: a section's text.</summary>
    public const int MaxSectionLength = 3000;

    /// <summary>Block Kit: one section field.</summary>
    public const int MaxFieldLength = 2000;

    /// <summary>Block Kit: a button's text.</summary>
    public const int MaxButtonTextLength = 75;

    /// <summary>Block Kit: a button's value.</summary>
    public const int MaxButtonValueLength = 2000;

    /// <summary>Block Kit: blocks in one message.</summary>
    public const int MaxBlocks = 50;

    /// <summary>The notification text; Slack truncates longer texts and recommends staying under 4,000.</summary>
    public const int MaxFallbackTextLength = 3000;

    /// <summary>How many incidents a choice list shows: one section per incident, within the block limit.</summary>
    public const int MaxChoices = 20;

    /// <summary>The page message for one recipient, as the incident stands now.</summary>
    public static SlackMessage Page(PageView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var incident = view.Incident;
        var value = Value(incident);
        var blocks = new JsonArray
        {
            Header($"{Icon(incident.Status)} {incident.Reference} · {WhatName(view)}"),
            Section(SlackText.Fit(incident.Summary, MaxSectionLength)),
            Fields(PageFields(view)),
        };

        var status = StatusLine(incident);
        if (status is not null)
        {
            blocks.Add(Section(status));
        }
        else
        {
            blocks.Add(Context(view.Incident.DirectUserId is not null
                ? "You were paged directly. Acknowledge to stop the repeats."
                : $"Paging level {view.Level + 1} of {Math.Max(view.LevelCount, view.Level + 1)}. Acknowledge to stop the escalation."));
        }

        var buttons = new JsonArray();
        if (incident.Status == IncidentStatus.Triggered)
        {
            buttons.Add(Button("Acknowledge", SlackPagingActions.Acknowledge, value, "primary"));
            if (!incident.Escalation.Exhausted)
            {
                buttons.Add(Button("Escalate now", SlackPagingActions.EscalateNow, value));
            }
        }
        if (incident.Status != IncidentStatus.Resolved)
        {
            buttons.Add(ResolveButton("Resolve", incident));
        }
        if (buttons.Count > 0)
        {
            blocks.Add(new JsonObject { ["type"] = "actions", ["elements"] = buttons });
        }
        return new SlackMessage(FallbackText(view), ToElement(blocks));
    }

    /// <summary>The notification text: e.g. <c>🚨 INC-42 checkout: Cards are timing out</c>.</summary>
    public static string FallbackText(PageView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var incident = view.Incident;
        var what = view.Service?.Id ?? incident.ServiceId ?? "direct page";
        var suffix = incident.Status switch
        {
            IncidentStatus.Acknowledged => $" (acknowledged by {incident.AcknowledgedBy?.DisplayName})",
            IncidentStatus.Resolved => $" (resolved by {incident.ResolvedBy?.DisplayName})",
            _ => string.Empty,
        };
        var head = $"{Icon(incident.Status)} {incident.Reference} {what}: ";
        var escapedSuffix = SlackText.Escape(suffix);
        var escapedHead = SlackText.Fit(head, 500);
        return escapedHead + SlackText.Fit(incident.Summary, Math.Max(100, MaxFallbackTextLength - escapedHead.Length - escapedSuffix.Length)) + escapedSuffix;
    }

    /// <summary>
    /// The ephemeral list a bare <c>/ack</c> or <c>/resolve</c> offers when several incidents could be meant: one
    /// button per incident, never a guess.
    /// </summary>
    public static SlackMessage Choice(string intro, IReadOnlyList<(Incident Incident, string Label)> incidents, string actionId)
    {
        ArgumentNullException.ThrowIfNull(incidents);
        if (actionId is not (SlackPagingActions.Acknowledge or SlackPagingActions.Resolve))
        {
            throw new ArgumentOutOfRangeException(nameof(actionId), actionId, "Only acknowledge and resolve are offered as a choice.");
        }
        var blocks = new JsonArray { Section(SlackText.Fit(intro, MaxSectionLength)) };
        foreach (var (incident, label) in incidents.Take(MaxChoices))
        {
            var text = $"*{incident.Reference}* {SlackText.Fit(label, 200)}: {SlackText.Fit(incident.Summary, 2000)}\nPaged {SlackText.Date(incident.CreatedAt)}";
            var button = actionId == SlackPagingActions.Acknowledge
                ? Button($"Acknowledge {incident.Reference}", actionId, Value(incident), "primary")
                : ResolveButton($"Resolve {incident.Reference}", incident);
            var section = Section(text);
            section["accessory"] = button;
            blocks.Add(section);
        }
        if (incidents.Count > MaxChoices)
        {
            blocks.Add(Context($"{incidents.Count - MaxChoices} more not shown: name one, e.g. `/ack {incidents[MaxChoices].Incident.Reference}`."));
        }
        return new SlackMessage(SlackText.Fit(intro, MaxFallbackTextLength), ToElement(blocks));
    }

    /// <summary>The audit trail as mrkdwn text, oldest first, each line with its time in the reader's zone.</summary>
    public static string Timeline(Incident incident, string label, IReadOnlyList<IncidentEvent> events, int maxLength = 12_000)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(events);
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"*{incident.Reference}* {SlackText.Fit(label, 200)}: {SlackText.Fit(incident.Summary, 1000)}\n")
            .Append(CultureInfo.InvariantCulture, $"Status: {incident.Status.ToString().ToLowerInvariant()}")
            .Append(StatusLine(incident) is { } status ? $" ({status.Replace("\n", "; ", StringComparison.Ordinal)})" : string.Empty)
            .Append('\n')
            .ToString();
        var lines = events
            .Select(e => $"• {SlackText.Date(e.At, "{date_short} {time_secs}")}  {SlackText.Fit(e.Text, 1000)}")
            .ToList();
        // The newest lines matter most during an incident: when the trail is too long, the oldest are left out.
        var kept = new List<string>();
        var length = head.Length;
        for (var i = lines.Count - 1; i >= 0; i--)
        {
            if (length + lines[i].Length + 1 > maxLength - 100)
            {
                break;
            }
            kept.Insert(0, lines[i]);
            length += lines[i].Length + 1;
        }
        var omitted = lines.Count - kept.Count;
        return head
            + (omitted > 0 ? $"_{omitted} earlier event(s) not shown._\n" : string.Empty)
            + (kept.Count == 0 ? "No events recorded." : string.Join('\n', kept));
    }

    private static string? StatusLine(Incident incident)
    {
        var acknowledged = incident.AcknowledgedBy is { } acknowledgedBy && incident.AcknowledgedAt is { } acknowledgedAt
            ? $"Acknowledged by {SlackText.Mention(acknowledgedBy)} {SlackText.Date(acknowledgedAt)}"
            : null;
        return incident.Status switch
        {
            IncidentStatus.Acknowledged => "👀 " + acknowledged,
            IncidentStatus.Resolved when incident.ResolvedBy is { } by && incident.ResolvedAt is { } at =>
                $"✅ Resolved by {SlackText.Mention(by)} {SlackText.Date(at)}" + (acknowledged is null ? string.Empty : "\n" + acknowledged),
            IncidentStatus.Resolved => "✅ Resolved",
            _ => null,
        };
    }

    private static List<string> PageFields(PageView view)
    {
        var incident = view.Incident;
        var fields = new List<string>();
        if (view.Service is { } service)
        {
            fields.Add($"*Service*\n{SlackText.Fit(service.Name, 200)} (`{SlackText.Fit(service.Id, 200)}`)");
        }
        else if (incident.ServiceId is { } serviceId)
        {
            fields.Add($"*Service*\n`{SlackText.Fit(serviceId, 200)}` (no longer in the on-call config)");
        }
        if (view.OwnerTeam is { } team)
        {
            fields.Add($"*Owner team*\n{SlackText.Fit(team.Name, 200)}");
        }
        fields.Add($"*Paged by*\n{SlackText.Mention(incident.CreatedBy)}");
        fields.Add($"*Paged*\n{SlackText.Date(incident.CreatedAt)}");
        fields.Add(incident.DirectUserId is not null
            ? "*Escalation*\nDirect page"
            : $"*Escalation*\nLevel {view.Level + 1} of {Math.Max(view.LevelCount, view.Level + 1)}");
        if (view.Service?.RunbookUrl is { } runbook)
        {
            fields.Add($"*Runbook*\n{SlackText.Link(runbook, "Open the runbook")}");
        }
        return fields;
    }

    private static string WhatName(PageView view) =>
        view.Service?.Name ?? view.Incident.ServiceId ?? "Direct page";

    private static string Icon(IncidentStatus status) => status switch
    {
        IncidentStatus.Acknowledged => "👀",
        IncidentStatus.Resolved => "✅",
        _ => "🚨",
    };

    private static string Value(Incident incident) => incident.Number.ToString(CultureInfo.InvariantCulture);


    private static JsonObject ResolveButton(string text, Incident incident)
    {
        var button = Button(text, SlackPagingActions.Resolve, Value(incident), "danger");
        button["confirm"] = new JsonObject
        {
            ["title"] = PlainText($"Resolve {incident.Reference}?"),
            ["text"] = new JsonObject
            {
                ["type"] = "mrkdwn",
                ["text"] = SlackText.Fit($"This closes {incident.Reference} ({incident.Summary}) and stops paging everyone.", 300),
            },
            ["confirm"] = PlainText("Resolve"),
            ["deny"] = PlainText("Cancel"),
            ["style"] = "danger",
        };
        return button;
    }

    private static JsonElement ToElement(JsonArray blocks)
    {
        if (blocks.Count > MaxBlocks)
        {
            throw new InvalidOperationException($"A Slack message holds at most {MaxBlocks} blocks; this one has {blocks.Count}.");
        }
        return JsonSerializer.SerializeToElement(blocks);
    }
}
