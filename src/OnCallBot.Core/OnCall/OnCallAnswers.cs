using NodaTime;
using OnCallBot.Core.Model;

namespace OnCallBot.Core.OnCall;

/// <summary>
/// A stretch of time during which <see cref="User"/> holds a schedule's pager without a break, and why:
/// the layer that put them there, or an override. A stretch can be made of several parts with different
/// reasons (the weekly layer's evening, then the office-hours layer's day, both the same person):
/// <see cref="Source"/> is the first part's, <see cref="SourceAt"/> the reason at a given instant.
/// </summary>
public sealed record OnCallShift(User User, Instant Start, Instant End, string Source)
{
    public bool IsOverride => Source == OverrideSource;

    public const string OverrideSource = "override";

    /// <summary>The parts of this stretch in time order, each with its own source; one part when it has a single source.</summary>
    public IReadOnlyList<ShiftPart> Parts { get; init; } = [new ShiftPart(Start, End, Source)];

    /// <summary>The source (a layer's name, or <see cref="OverrideSource"/>) of the part covering <paramref name="instant"/>.</summary>
    public string SourceAt(Instant instant) => Parts.LastOrDefault(p => p.Start <= instant)?.Source ?? Source;

    public Interval ToInterval() => new(Start, End);

    // A shift stays a value: two equal stretches with equal parts are equal, whichever lists hold the parts.
    public bool Equals(OnCallShift? other) =>
        other is not null && User == other.User && Start == other.Start && End == other.End && Source == other.Source
        && Parts.SequenceEqual(other.Parts);

    public override int GetHashCode() => HashCode.Combine(User, Start, End, Source, Parts.Count);
}

/// <summary>Part of an <see cref="OnCallShift"/> with one source: a layer's name, or <see cref="OnCallShift.OverrideSource"/>.</summary>
public sealed record ShiftPart(Instant Start, Instant End, string Source)
{
    public bool IsOverride => Source == OnCallShift.OverrideSource;
}

/// <summary>
/// Who holds a schedule at <see cref="At"/>. When nobody does, <see cref="Current"/> is null (a gap) and
/// <see cref="Next"/> says when and with whom coverage resumes, if it does within the horizon looked at.
/// </summary>
public sealed record ScheduleOnCall(Schedule Schedule, Instant At, OnCallShift? Current, OnCallShift? Next)
{
    public bool IsGap => Current is null;

    /// <summary>What puts <see cref="Current"/>'s person on call at <see cref="At"/> itself (a layer's name or an override); null in a gap.</summary>
    public string? CurrentSource => Current?.SourceAt(At);
}

/// <summary>What one escalation target resolves to at an instant: its people, or a gap.</summary>
public sealed record TargetOnCall(EscalationTarget Target, IReadOnlyList<OnCallShift> Shifts, ScheduleOnCall? Schedule)
{
    public bool IsGap => Shifts.Count == 0;
}

/// <summary>Everyone one escalation level would notify at an instant. A level whose every target is a gap is skipped.</summary>
public sealed record LevelOnCall(int Level, EscalationLevel Definition, IReadOnlyList<TargetOnCall> Targets)
{
    public bool IsGap => Targets.All(t => t.IsGap);

    /// <summary>The distinct people this level notifies, in target order.</summary>
    public IReadOnlyList<User> People =>
        Targets.SelectMany(t => t.Shifts).Select(s => s.User).DistinctBy(u => u.Id).ToList();
}

/// <summary>
/// The answer to "who is on call for this service now": the level that would be paged first
/// (<see cref="FirstReached"/>, the first level that is not a gap) and every level of the policy for context.
/// </summary>
public sealed record ServiceOnCall(Service Service, EscalationPolicy Policy, Instant At, IReadOnlyList<LevelOnCall> Levels)
{
    public LevelOnCall? FirstReached => Levels.FirstOrDefault(l => !l.IsGap);
}
