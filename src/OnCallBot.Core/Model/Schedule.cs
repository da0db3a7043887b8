using NodaTime;

namespace OnCallBot.Core.Model;

/// <summary>
/// Who is on call, over time, computed in <see cref="TimeZone"/>. Layers are ordered from the bottom up:
/// a later (higher) layer covers the layers below it wherever it has someone on call.
/// </summary>
public sealed record Schedule(
    string Id,
    string Name,
    DateTimeZone TimeZone,
    IReadOnlyList<ScheduleLayer> Layers);

/// <summary>
/// A rotation of <see cref="MemberIds"/>, each holding the pager for one <see cref="ShiftLength"/>.
/// Shifts are laid out in the schedule's local time from <see cref="Start"/> (date and handoff time),
/// so a daily shift that hands off at 09:00 does so at 09:00 local on both sides of a DST change.
/// </summary>
public sealed record ScheduleLayer(
    string Name,
    IReadOnlyList<string> MemberIds,
    ShiftLength ShiftLength,
    LocalDateTime Start,
    IReadOnlyList<Restriction> Restrictions);

/// <summary>
/// The length of one shift in local calendar terms: whole days (daily = 1, weekly = 7) or hours.
/// Exactly one of <see cref="Days"/> and <see cref="Hours"/> is positive.
/// </summary>
public sealed record ShiftLength(int Days, int Hours)
{
    public static ShiftLength Daily { get; } = new(1, 0);
    public static ShiftLength Weekly { get; } = new(7, 0);
    public static ShiftLength OfDays(int days) => new(days, 0);
    public static ShiftLength OfHours(int hours) => new(0, hours);

    public Period ToPeriod() => Days > 0 ? Period.FromDays(Days) : Period.FromHours(Hours);

    public override string ToString() => Days switch
    {
        1 => "daily",
        7 => "weekly",
        > 0 => $"{Days} days",
        _ => $"{Hours} hours",
    };
}

/// <summary>
/// A window during which a layer is active, in the schedule's local time: on each of <see cref="Days"/>,
/// from <see cref="From"/> to <see cref="To"/>. When <see cref="To"/> is not after <see cref="From"/>
/// the window runs past midnight into the next day (e.g. 18:00-09:00).
/// </summary>
public sealed record Restriction(IReadOnlyList<IsoDayOfWeek> Days, LocalTime From, LocalTime To);

/// <summary>
/// Someone covering a schedule from <see cref="Start"/> to <see cref="End"/> (end exclusive). Overrides live in the
/// store, not the config file, so chat commands can add them; they win over every layer.
/// </summary>
public sealed record ScheduleOverride(
    Guid Id,
    string ScheduleId,
    string UserId,
    Instant Start,
    Instant End,
    string CreatedBy,
    Instant CreatedAt,
    string? Reason);
