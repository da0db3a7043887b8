using NodaTime;

namespace OnCallBot.Core.Paging;

public enum IncidentEventKind
{
    Created,
    Notified,
    NotificationFailed,
    LevelSkipped,
    Missed,
    Escalated,
    Repeated,
    Exhausted,
    Acknowledged,
    Resolved,

    /// <summary>A page was accepted late enough (a slow or pacing platform) to move the next escalation step out.</summary>
    DeliveryDelayed,

    // Coordination of the response (the incident channel and card).
    ChannelOpened,
    ChannelFailed,
    ResponderAdded,
    RoleAssigned,
    SeverityChanged,
    PhaseChanged,
    Note,
    ImpactStarted,
    ImpactEnded,
    StatusUpdate,
    StatusReminder,
    TeamPulledIn,
    Archived,
}

/// <summary>
/// One line of an incident's audit trail. <see cref="Text"/> is the human sentence shown in the timeline;
/// <see cref="UserIds"/> names the people concerned (notified, missed) so reports can count per person.
/// </summary>
public sealed record IncidentEvent(
    long IncidentNumber,
    Instant At,
    IncidentEventKind Kind,
    string ActorName,
    string Text,
    IReadOnlyList<string> UserIds,
    int? Level = null,
    string? Platform = null);
