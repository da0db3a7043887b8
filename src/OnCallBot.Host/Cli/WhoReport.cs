using System.Globalization;
using System.Text;
using NodaTime;
using NodaTime.Text;
using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;

namespace OnCallBot.Host.Cli;

/// <summary>Plain-text answers for <c>who</c>: times in the schedule's own zone, with the UTC instant beside them.</summary>
internal static class WhoReport
{
    private static readonly ZonedDateTimePattern LocalPattern =
        ZonedDateTimePattern.CreateWithInvariantCulture("ddd uuuu'-'MM'-'dd HH':'mm x", DateTimeZoneProviders.Tzdb);

    public static string ForService(ServiceOnCall answer, OnCallModel model)
    {
        var text = new StringBuilder();
        var zone = model.TimeZoneOf(answer.Service);
        var owner = model.FindTeam(answer.Service.OwnerTeamId)?.Name ?? answer.Service.OwnerTeamId;
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{answer.Service.Name} ({answer.Service.Id}), owned by {owner}, escalation policy {answer.Policy.Id}");
        text.AppendLine(CultureInfo.InvariantCulture, $"at {Format(answer.At, zone)} ({answer.At}), times in {zone.Id}");
        text.AppendLine();

        if (answer.FirstReached is { } first)
        {
            var who = string.Join(", ", first.People.Select(p => $"{p.DisplayName} ({p.Id})"));
            text.AppendLine(CultureInfo.InvariantCulture, $"On call: {who}, paged at level {first.Level + 1}");
        }
        else
        {
            text.AppendLine("On call: NOBODY. Every level of the policy is a gap at this instant; a page would reach no one.");
        }

        foreach (var level in answer.Levels)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  level {level.Level + 1} (acknowledge within {FormatDuration(level.Definition.AckTimeout)}){(level.IsGap ? ": gap, escalation falls through" : "")}");
            foreach (var target in level.Targets)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"    {Describe(target, zone)}");
                if (target.Schedule is { } schedule)
                {
                    AppendParts(text, schedule, schedule.Schedule.TimeZone, "      ");
                }
            }
        }
        return text.ToString();
    }

    public static string ForSchedule(ScheduleOnCall answer)
    {
        var text = new StringBuilder();
        var zone = answer.Schedule.TimeZone;
        text.AppendLine(CultureInfo.InvariantCulture, $"{answer.Schedule.Name} ({answer.Schedule.Id})");
        text.AppendLine(CultureInfo.InvariantCulture, $"at {Format(answer.At, zone)} ({answer.At}), times in {zone.Id}");
        text.AppendLine();
        text.AppendLine(answer.Current is { } shift
            ? $"On call: {shift.User.DisplayName} ({shift.User.Id}), {Window(shift, zone)}, from {SourceOf(shift.SourceAt(answer.At))}"
            : $"On call: NOBODY (a gap){NextText(answer.Next, zone)}");
        AppendParts(text, answer, zone, "  ");
        if (answer.Current is not null && answer.Next is { } next)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Next: {next.User.DisplayName} ({next.User.Id}) from {Format(next.Start, zone)}");
        }
        return text.ToString();
    }

    private static string Describe(TargetOnCall target, DateTimeZone zone)
    {
        var label = target.Target.Kind switch
        {
            EscalationTargetKind.Schedule => $"schedule {target.Target.Id}",
            EscalationTargetKind.Team => $"team {target.Target.Id}'s schedule",
            _ => $"user {target.Target.Id}",
        };
        if (target.Target.Kind == EscalationTargetKind.User)
        {
            var user = target.Shifts[0].User;
            return $"{label}: {user.DisplayName} ({user.Id}), always";
        }
        var scheduleZone = target.Schedule?.Schedule.TimeZone ?? zone;
        return target.Shifts.Count > 0 && target.Schedule is { } answer
            ? $"{label}: {target.Shifts[0].User.DisplayName} ({target.Shifts[0].User.Id}), {Window(target.Shifts[0], scheduleZone)}, from {SourceOf(target.Shifts[0].SourceAt(answer.At))}"
            : $"{label}: nobody (gap){NextText(target.Schedule?.Next, scheduleZone)}";
    }

    /// <summary>
    /// A stretch made of several parts (the weekly layer's evening, the office-hours layer's day) lists them, so
    /// the reason given for the instant asked is not mistaken for the reason for the whole stretch. A long stretch
    /// lists only the parts around that instant.
    /// </summary>
    private static void AppendParts(StringBuilder text, ScheduleOnCall answer, DateTimeZone zone, string indent)
    {
        if (answer.Current is not { Parts.Count: > 1 } shift)
        {
            return;
        }
        const int around = 2;
        var asked = shift.Parts.ToList().FindLastIndex(p => p.Start <= answer.At);
        var first = Math.Max(0, asked - around);
        var last = Math.Min(shift.Parts.Count - 1, asked + around);
        if (first > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{indent}({first} earlier part{(first == 1 ? "" : "s")})");
        }
        for (var i = first; i <= last; i++)
        {
            var part = shift.Parts[i];
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{indent}{Format(part.Start, zone)} to {Format(part.End, zone)}: {SourceOf(part.Source)}{(i == asked ? " (at the instant asked)" : "")}");
        }
        var later = shift.Parts.Count - 1 - last;
        if (later > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{indent}({later} later part{(later == 1 ? "" : "s")})");
        }
    }

    private static string Window(OnCallShift shift, DateTimeZone zone) =>
        $"{Format(shift.Start, zone)} to {Format(shift.End, zone)}";

    private static string SourceOf(string source) => source == OnCallShift.OverrideSource ? "an override" : $"layer '{source}'";

    private static string NextText(OnCallShift? next, DateTimeZone zone) =>
        next is null ? ", and nobody is scheduled in the year ahead" : $" until {Format(next.Start, zone)}, then {next.User.DisplayName} ({next.User.Id})";

    private static string Format(Instant instant, DateTimeZone zone) => LocalPattern.Format(instant.InZone(zone));

    private static string FormatDuration(Duration duration) =>
        duration.TotalMinutes < 60 && duration.TotalMinutes == Math.Floor(duration.TotalMinutes)
            ? $"{duration.TotalMinutes:0}m"
            : duration.ToString("H'h'mm'm'", CultureInfo.InvariantCulture);
}
