using NodaTime;

namespace OnCallBot.Core.Model;

/// <summary>
/// Ordered levels to notify until someone acknowledges. After the last level the whole policy runs
/// again <see cref="Repeat"/> more times before the page is declared missed.
/// </summary>
public sealed record EscalationPolicy(
    string Id,
    string Name,
    IReadOnlyList<EscalationLevel> Levels,
    int Repeat);

/// <summary>One step of a policy: everyone its targets resolve to is notified, then <see cref="AckTimeout"/> runs.</summary>
public sealed record EscalationLevel(IReadOnlyList<EscalationTarget> Targets, Duration AckTimeout);

public enum EscalationTargetKind
{
    /// <summary>Whoever is on call in a schedule.</summary>
    Schedule,
    /// <summary>A named user, always.</summary>
    User,
    /// <summary>Whoever is on call in a team's own schedule.</summary>
    Team,
}

public sealed record EscalationTarget(EscalationTargetKind Kind, string Id)
{
    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()}:{Id}";
}
