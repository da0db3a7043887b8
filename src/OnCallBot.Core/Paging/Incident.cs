using NodaTime;

namespace OnCallBot.Core.Paging;

public enum IncidentStatus
{
    /// <summary>Paging: escalation runs until someone acknowledges.</summary>
    Triggered,
    /// <summary>Someone owns it; escalation has stopped.</summary>
    Acknowledged,
    /// <summary>Over.</summary>
    Resolved,
}

/// <summary>Who did something, as the chat platform named them, and the config user it maps to when known.</summary>
public sealed record Actor(string Platform, string PlatformUserId, string DisplayName, string? UserId)
{
    /// <summary>The scheduler itself (timeouts and escalations).</summary>
    public static Actor System { get; } = new("oncallbot", "oncallbot", "OnCallBot", null);

    public override string ToString() => DisplayName;
}

/// <summary>
/// Where escalation stands. <see cref="Step"/> is the number of the next escalation step to run (0 = the first
/// notification), due at <see cref="NextStepDueAt"/> (null once nothing more is scheduled); a wake-up for any
/// other step is stale and does nothing. <see cref="Level"/> is the 0-based level last notified and
/// <see cref="Cycle"/> how many times the policy has started over. <see cref="ManualPending"/> marks a step
/// brought forward by "Escalate now", so the level before it is not recorded as having missed the page.
/// </summary>
public sealed record EscalationState(int Step, int Level, int Cycle, Instant? NextStepDueAt, bool Exhausted, bool ManualPending)
{
    public static EscalationState Start(Instant now) => new(0, 0, 0, now, Exhausted: false, ManualPending: false);
}

/// <summary>
/// One page and what became of it. Immutable: every change goes through <see cref="PagingService"/>, which
/// saves the new version with its audit events in one store write (optimistic on <see cref="Version"/>).
/// </summary>
public sealed record Incident(
    long Number,
    string Summary,
    string? ServiceId,
    string? DirectUserId,
    IncidentStatus Status,
    Instant CreatedAt,
    Actor CreatedBy,
    Instant? AcknowledgedAt,
    Actor? AcknowledgedBy,
    Instant? ResolvedAt,
    Actor? ResolvedBy,
    EscalationState Escalation,
    string IdempotencyKey,
    long Version)
{
    /// <summary>The id people type and read: <c>INC-42</c>.</summary>
    public string Reference => IncidentReference.Format(Number);

    public bool IsOpen => Status != IncidentStatus.Resolved;
}

/// <summary>Parses and formats incident references (<c>INC-42</c>, <c>inc-42</c>, <c>#42</c> or <c>42</c>).</summary>
public static class IncidentReference
{
    public const string Prefix = "INC-";

    public static string Format(long number) => Prefix + number.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static bool TryParse(string? text, out long number)
    {
        number = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var span = text.AsSpan().Trim();
        if (span.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            span = span[Prefix.Length..];
        }
        else if (span.StartsWith("#"))
        {
            span = span[1..];
        }
        return long.TryParse(span, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number) && number > 0;
    }
}
