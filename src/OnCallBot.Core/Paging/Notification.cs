using NodaTime;

namespace OnCallBot.Core.Paging;

/// <summary>
/// A page message sent to one person on one platform, kept so every copy can be updated when the incident
/// is acknowledged or resolved. <see cref="Step"/>, <see cref="UserId"/> and <see cref="Platform"/> are unique
/// together: that is what makes "never notify the same person twice for the same step" hold across restarts.
/// </summary>
/// <remarks>
/// <see cref="At"/> is when the send was claimed. Its outcome, once known: <see cref="Message"/> and
/// <see cref="DeliveredAt"/> (when the platform accepted it) for a page that got through, or <see cref="Failure"/>
/// (the platform's refusal, one line) for one that did not. A claim with neither is a send whose outcome was never
/// recorded: the run making it stopped while sending.
/// </remarks>
public sealed record Notification(
    long IncidentNumber,
    int Step,
    int Level,
    string UserId,
    string Platform,
    Instant At,
    DeliveredMessage? Message,
    Instant? DeliveredAt = null,
    string? Failure = null);

/// <summary>Where a platform put a message (e.g. Slack channel id and ts), so it can be updated later.</summary>
public sealed record DeliveredMessage(string Platform, string ConversationId, string MessageId);

/// <summary>
/// The answer to taking the lease on an escalation step (<see cref="Ports.IIncidentStore.TryTakeStepLeaseAsync"/>).
/// Taken: the caller holds it until <see cref="Until"/>, and <see cref="Earlier"/> says how the step's previous run, if
/// any, ended (<see cref="EarlierUntil"/> is when its lease ran out or was given back). Not taken: another run holds it
/// until <see cref="Until"/>.
/// </summary>
public sealed record StepLease(bool Taken, Instant Until, EarlierStepRun Earlier, Instant? EarlierUntil);

/// <summary>How the previous run of an escalation step ended, as its lease tells.</summary>
public enum EarlierStepRun
{
    /// <summary>No earlier run took the lease.</summary>
    None,

    /// <summary>It gave the lease back: it finished, failed or was interrupted by a shutdown, and said so.</summary>
    Released,

    /// <summary>Its lease ran out while it held it: its host died (kill -9, power) or stalled.</summary>
    Expired,
}
