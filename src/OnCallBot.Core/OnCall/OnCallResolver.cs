using NodaTime;
using OnCallBot.Core.Model;

namespace OnCallBot.Core.OnCall;

/// <summary>
/// Answers "who is on call" for a schedule, an escalation level or a service at an instant, from the
/// current model and the overrides in the store.
/// </summary>
public sealed class OnCallResolver
{
    // Long enough to hold any single shift either side of the instant; grown when the answer touches its edge
    // (someone on call for weeks on end), up to a year, past which a window is reported as clipped.
    private static readonly Duration InitialHorizon = Duration.FromDays(16);
    private static readonly Duration MaxHorizon = Duration.FromDays(366);

    /// <summary>
    /// The instants the resolver answers for: from 1900-01-01 up to 9000-01-01 (UTC). Time zone rules are
    /// meaningful from about 1900, and the windows looked at around an instant (up to two years either side)
    /// must stay inside what NodaTime can represent; outside this range the methods throw
    /// <see cref="ArgumentOutOfRangeException"/> instead of overflowing half-way through.
    /// </summary>
    public static Interval SupportedRange { get; } = new(Instant.FromUtc(1900, 1, 1, 0, 0), Instant.FromUtc(9000, 1, 1, 0, 0));

    private readonly IOverrideSource _overrides;

    public OnCallResolver(IOverrideSource overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        _overrides = overrides;
    }

    /// <summary>Who holds <paramref name="schedule"/> at <paramref name="at"/>, with the whole shift they are in, or the gap and when it ends.</summary>
    public async Task<ScheduleOnCall> ForScheduleAsync(OnCallModel model, Schedule schedule, Instant at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(schedule);
        ThrowIfUnsupported(at);

        var horizon = Duration.Max(InitialHorizon, LongestShift(schedule) * 2);
        while (true)
        {
            var window = new Interval(at - horizon, at + horizon);
            var shifts = await ComputeTimelineAsync(model, schedule, window, cancellationToken);
            var current = shifts.FirstOrDefault(s => s.Start <= at && at < s.End);
            var next = shifts.FirstOrDefault(s => s.Start > at && (current is null || s.Start >= current.End));
            var touchesEdge = current is not null && (current.Start == window.Start || current.End == window.End);
            var gapUnbounded = current is null && next is null;
            if ((!touchesEdge && !gapUnbounded) || horizon >= MaxHorizon)
            {
                return new ScheduleOnCall(schedule, at, current, next);
            }
            horizon = Duration.Min(horizon * 4, MaxHorizon);
        }
    }

    /// <summary>Every shift of <paramref name="schedule"/> in <paramref name="window"/> (inside <see cref="SupportedRange"/>), overrides applied.</summary>
    public Task<IReadOnlyList<OnCallShift>> TimelineAsync(OnCallModel model, Schedule schedule, Interval window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(schedule);
        if (window.Start < SupportedRange.Start || window.End > SupportedRange.End)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, $"Only windows inside {SupportedRange} can be laid out.");
        }
        return ComputeTimelineAsync(model, schedule, window, cancellationToken);
    }

    // The windows around an instant reach past SupportedRange by up to two years, which ScheduleTimeline still handles.
    private async Task<IReadOnlyList<OnCallShift>> ComputeTimelineAsync(OnCallModel model, Schedule schedule, Interval window, CancellationToken cancellationToken)
    {
        var overrides = await _overrides.GetOverridesAsync(schedule.Id, window, cancellationToken);
        return ScheduleTimeline.Compute(schedule, overrides, model.Users, window);
    }

    /// <summary>Everyone level <paramref name="level"/> (0-based) of <paramref name="policy"/> reaches at <paramref name="at"/>.</summary>
    public async Task<LevelOnCall> ForLevelAsync(OnCallModel model, EscalationPolicy policy, int level, Instant at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(level, policy.Levels.Count);
        ThrowIfUnsupported(at);

        var definition = policy.Levels[level];
        var targets = new List<TargetOnCall>(definition.Targets.Count);
        foreach (var target in definition.Targets)
        {
            targets.Add(await ForTargetAsync(model, target, at, cancellationToken));
        }
        return new LevelOnCall(level, definition, targets);
    }

    /// <summary>Who is on call for <paramref name="service"/>: every level of its escalation policy at <paramref name="at"/>.</summary>
    public async Task<ServiceOnCall> ForServiceAsync(OnCallModel model, Service service, Instant at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(service);
        ThrowIfUnsupported(at);
        var policy = model.Policies[service.EscalationPolicyId];
        var levels = new List<LevelOnCall>(policy.Levels.Count);
        for (var i = 0; i < policy.Levels.Count; i++)
        {
            levels.Add(await ForLevelAsync(model, policy, i, at, cancellationToken));
        }
        return new ServiceOnCall(service, policy, at, levels);
    }

    private async Task<TargetOnCall> ForTargetAsync(OnCallModel model, EscalationTarget target, Instant at, CancellationToken cancellationToken)
    {
        switch (target.Kind)
        {
            case EscalationTargetKind.User:
                var user = model.Users[target.Id];
                // A named user is always reachable: their "shift" is the instant itself.
                return new TargetOnCall(target, [new OnCallShift(user, at, at, "user")], null);
            case EscalationTargetKind.Schedule:
                return FromSchedule(target, await ForScheduleAsync(model, model.Schedules[target.Id], at, cancellationToken));
            case EscalationTargetKind.Team:
                var team = model.Teams[target.Id];
                if (team.ScheduleId is null)
                {
                    // Validation rejects a team target without a schedule; a gap is the safe answer if one slips through.
                    return new TargetOnCall(target, [], null);
                }
                return FromSchedule(target, await ForScheduleAsync(model, model.Schedules[team.ScheduleId], at, cancellationToken));
            default:
                throw new ArgumentOutOfRangeException(nameof(target), target.Kind, "Unknown escalation target kind.");
        }
    }

    private static TargetOnCall FromSchedule(EscalationTarget target, ScheduleOnCall answer) =>
        new(target, answer.Current is { } shift ? [shift] : [], answer);

    private static void ThrowIfUnsupported(Instant at)
    {
        if (!SupportedRange.Contains(at))
        {
            throw new ArgumentOutOfRangeException(nameof(at), at, $"Who is on call can be answered from {SupportedRange.Start} up to {SupportedRange.End} only.");
        }
    }

    private static Duration LongestShift(Schedule schedule) =>
        schedule.Layers.Count == 0
            ? Duration.Zero
            : schedule.Layers.Max(l => l.ShiftLength.Days > 0 ? Duration.FromDays(l.ShiftLength.Days) : Duration.FromHours(l.ShiftLength.Hours));
}
