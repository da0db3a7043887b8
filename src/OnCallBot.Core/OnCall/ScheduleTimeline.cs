using NodaTime;
using OnCallBot.Core.Model;

namespace OnCallBot.Core.OnCall;

/// <summary>
/// Lays a schedule out over a window of time: each layer's rotation in the schedule's local time, cut to its
/// restrictions, higher layers over lower ones, overrides over everything. Pure: no clock, no store.
/// </summary>
/// <remarks>
/// Handoffs are wall-clock times. A handoff that falls in a DST gap (02:30 on a spring-forward night in
/// Berlin) happens when the clocks resume, shifted by the gap (03:30); one that falls in a repeated hour
/// happens at its first occurrence. That is NodaTime's lenient resolver, and what a person reading
/// "handoff at 02:30" expects on either night.
/// </remarks>
public static class ScheduleTimeline
{
    // Far enough beyond OnCallResolver.SupportedRange for the windows it looks at, near enough to the ends of
    // NodaTime's range that no local date or shift boundary computed for such a window overflows.
    private static readonly Interval ComputableRange = new(Instant.FromUtc(1800, 1, 1, 0, 0), Instant.FromUtc(9100, 1, 1, 0, 0));

    /// <summary>
    /// Who holds <paramref name="schedule"/> over <paramref name="window"/>, as consecutive shifts (gaps are the
    /// stretches no shift covers). Adjacent stretches held by the same person are merged into one shift; its
    /// <see cref="OnCallShift.Parts"/> keep each stretch's source, and <see cref="OnCallShift.Source"/> is that of the first.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The window reaches before 1800 or after 9100 (UTC).</exception>
    public static IReadOnlyList<OnCallShift> Compute(
        Schedule schedule,
        IReadOnlyList<ScheduleOverride> overrides,
        IReadOnlyDictionary<string, User> users,
        Interval window)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(overrides);
        ArgumentNullException.ThrowIfNull(users);
        if (window.Start < ComputableRange.Start || window.End > ComputableRange.End)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, $"A schedule can be laid out inside {ComputableRange} only.");
        }

        // Candidates in rising priority: layers bottom-up, then overrides oldest-first, so the last candidate
        // covering an instant wins (the most recent override beats an older one it overlaps).
        var candidates = new List<Candidate>();
        for (var i = 0; i < schedule.Layers.Count; i++)
        {
            candidates.AddRange(LayerShifts(schedule.TimeZone, schedule.Layers[i], window)
                .Select(s => s with { Priority = i }));
        }
        var overridePriority = schedule.Layers.Count;
        foreach (var o in overrides.OrderBy(o => o.CreatedAt))
        {
            // An override for someone no longer in the config cannot be paged, so it covers nothing.
            if (!users.ContainsKey(o.UserId) || !string.Equals(o.ScheduleId, schedule.Id, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var clipped = Intersect(new Interval(o.Start, o.End), window);
            if (clipped is { } interval)
            {
                candidates.Add(new Candidate(interval.Start, interval.End, o.UserId, OnCallShift.OverrideSource, overridePriority++));
            }
        }

        var boundaries = candidates
            .SelectMany(c => new[] { c.Start, c.End })
            .Append(window.Start)
            .Append(window.End)
            .Where(b => b >= window.Start && b <= window.End)
            .Distinct()
            .Order()
            .ToList();

        var result = new List<OnCallShift>();
        var parts = new List<List<ShiftPart>>();
        for (var i = 0; i + 1 < boundaries.Count; i++)
        {
            var (start, end) = (boundaries[i], boundaries[i + 1]);
            Candidate? winner = null;
            foreach (var c in candidates)
            {
                if (c.Start <= start && c.End >= end && (winner is null || c.Priority > winner.Priority))
                {
                    winner = c;
                }
            }
            if (winner is null || !users.TryGetValue(winner.UserId, out var user))
            {
                continue;
            }
            if (result.Count > 0 && result[^1].End == start && result[^1].User.Id == user.Id)
            {
                result[^1] = result[^1] with { End = end };
                var shiftParts = parts[^1];
                if (shiftParts[^1].Source == winner.Source)
                {
                    shiftParts[^1] = shiftParts[^1] with { End = end };
                }
                else
                {
                    shiftParts.Add(new ShiftPart(start, end, winner.Source));
                }
            }
            else
            {
                result.Add(new OnCallShift(user, start, end, winner.Source));
                parts.Add([new ShiftPart(start, end, winner.Source)]);
            }
        }
        return result.Select((shift, i) => shift with { Parts = parts[i] }).ToList();
    }

    /// <summary>The shifts of one layer that overlap <paramref name="window"/>, cut to the layer's restrictions.</summary>
    private static IEnumerable<Candidate> LayerShifts(DateTimeZone zone, ScheduleLayer layer, Interval window)
    {
        // A layer starting after the window has nothing in it; stopping here also keeps a start near the end of
        // time (a typo'd year 9999) from being turned into instants that do not exist.
        if (layer.MemberIds.Count == 0 || layer.Start > window.End.InZone(zone).LocalDateTime.PlusDays(2))
        {
            yield break;
        }
        var first = FirstShiftIndexNear(zone, layer, window.Start);
        for (var k = first; ; k++)
        {
            var start = ShiftBoundary(zone, layer, k);
            if (start >= window.End)
            {
                yield break;
            }
            var end = ShiftBoundary(zone, layer, k + 1);
            var shift = Intersect(new Interval(start, end), window);
            if (shift is null)
            {
                continue;
            }
            var member = layer.MemberIds[(int)(k % layer.MemberIds.Count)];
            foreach (var part in ApplyRestrictions(zone, layer.Restrictions, shift.Value))
            {
                yield return new Candidate(part.Start, part.End, member, layer.Name, 0);
            }
        }
    }

    /// <summary>
    /// The index of a shift that starts at or before <paramref name="instant"/> (or 0 before the rotation starts),
    /// found from the local elapsed time so far-future or far-past queries do not walk every shift.
    /// </summary>
    private static long FirstShiftIndexNear(DateTimeZone zone, ScheduleLayer layer, Instant instant)
    {
        var local = instant.InZone(zone).LocalDateTime;
        if (local <= layer.Start)
        {
            return 0;
        }
        var shift = layer.ShiftLength;
        long index = shift.Days > 0
            ? Period.Between(layer.Start, local, PeriodUnits.Days).Days / shift.Days
            : Period.Between(layer.Start, local, PeriodUnits.Hours).Hours / shift.Hours;
        // One step back covers boundaries moved by the lenient mapping around a DST change.
        return Math.Max(0, index - 1);
    }

    private static Instant ShiftBoundary(DateTimeZone zone, ScheduleLayer layer, long index)
    {
        var local = layer.ShiftLength.Days > 0
            ? layer.Start.PlusDays(checked((int)(index * layer.ShiftLength.Days)))
            : layer.Start.PlusHours(index * layer.ShiftLength.Hours);
        return zone.AtLeniently(local).ToInstant();
    }

    /// <summary>The parts of <paramref name="shift"/> inside the restriction windows (all of it when there are none).</summary>
    private static IEnumerable<Interval> ApplyRestrictions(DateTimeZone zone, IReadOnlyList<Restriction> restrictions, Interval shift)
    {
        if (restrictions.Count == 0)
        {
            yield return shift;
            yield break;
        }
        var windows = new List<Interval>();
        // A window can start the day before the shift (an overnight one), hence the day of margin.
        var firstDay = shift.Start.InZone(zone).Date.PlusDays(-1);
        var lastDay = shift.End.InZone(zone).Date;
        for (var day = firstDay; day <= lastDay; day = day.PlusDays(1))
        {
            foreach (var r in restrictions)
            {
                if (!r.Days.Contains(day.DayOfWeek))
                {
                    continue;
                }
                var from = zone.AtLeniently(day + r.From).ToInstant();
                var to = zone.AtLeniently((r.To > r.From ? day : day.PlusDays(1)) + r.To).ToInstant();
                if (Intersect(new Interval(from, to), shift) is { } part)
                {
                    windows.Add(part);
                }
            }
        }
        // Overlapping windows (two restrictions covering the same hours) are merged so a shift is never split twice.
        foreach (var merged in Merge(windows))
        {
            yield return merged;
        }
    }

    private static IEnumerable<Interval> Merge(List<Interval> intervals)
    {
        Interval? current = null;
        foreach (var next in intervals.OrderBy(i => i.Start))
        {
            if (current is { } c && next.Start <= c.End)
            {
                current = new Interval(c.Start, Instant.Max(c.End, next.End));
                continue;
            }
            if (current is { } done)
            {
                yield return done;
            }
            current = next;
        }
        if (current is { } last)
        {
            yield return last;
        }
    }

    private static Interval? Intersect(Interval a, Interval b)
    {
        var start = Instant.Max(a.Start, b.Start);
        var end = Instant.Min(a.End, b.End);
        return start < end ? new Interval(start, end) : null;
    }

    private sealed record Candidate(Instant Start, Instant End, string UserId, string Source, int Priority);
}
