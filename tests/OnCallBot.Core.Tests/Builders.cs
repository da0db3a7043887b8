using NodaTime;
using NodaTime.Text;
using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;

namespace OnCallBot.Core.Tests;

/// <summary>Builders that keep the tests about times and people, not about record constructors.</summary>
internal static class Build
{
    public static DateTimeZone Zone(string id) => DateTimeZoneProviders.Tzdb[id];

    public static User User(string id, string zone = "Europe/Berlin") =>
        new(id, char.ToUpperInvariant(id[0]) + id[1..], Zone(zone), $"U{id.ToUpperInvariant()}", null, null);

    public static Instant Utc(string text) => InstantPattern.General.Parse(text).GetValueOrThrow();

    /// <summary>A local date-time in ISO form ("2026-03-29T02:30") as the instant it names in <paramref name="zone"/>, which must be unambiguous.</summary>
    public static Instant Local(string zone, string localText) =>
        LocalDateTimePattern.GeneralIso.Parse(localText + (localText.Length == 16 ? ":00" : "")).GetValueOrThrow()
            .InZoneStrictly(Zone(zone)).ToInstant();

    public static ScheduleLayer Layer(string name, ShiftLength shift, string startLocal, params string[] members) =>
        new(name, members, shift,
            LocalDateTimePattern.GeneralIso.Parse(startLocal + ":00").GetValueOrThrow(), []);

    public static ScheduleLayer Restricted(this ScheduleLayer layer, string from, string to, params IsoDayOfWeek[] days) =>
        layer with
        {
            Restrictions = [.. layer.Restrictions, new Restriction(
                days.Length == 0 ? Enum.GetValues<IsoDayOfWeek>().Where(d => d != IsoDayOfWeek.None).ToArray() : days,
                LocalTimePattern.Create("HH:mm", System.Globalization.CultureInfo.InvariantCulture).Parse(from).GetValueOrThrow(),
                LocalTimePattern.Create("HH:mm", System.Globalization.CultureInfo.InvariantCulture).Parse(to).GetValueOrThrow())],
        };

    public static Schedule Schedule(string id, string zone, params ScheduleLayer[] layers) => new(id, id, Zone(zone), layers);

    public static OnCallModel ModelOf(IEnumerable<Schedule> schedules, IEnumerable<EscalationPolicy>? policies = null, IEnumerable<Service>? services = null, IEnumerable<Team>? teams = null)
    {
        var scheduleList = schedules.ToList();
        var userIds = scheduleList.SelectMany(s => s.Layers).SelectMany(l => l.MemberIds)
            .Concat((policies ?? []).SelectMany(p => p.Levels).SelectMany(l => l.Targets).Where(t => t.Kind == EscalationTargetKind.User).Select(t => t.Id))
            .Concat(["olivia", "oscar"])
            .Distinct();
        return new OnCallModel(userIds.Select(id => User(id)), teams ?? [], scheduleList, policies ?? [], services ?? []);
    }

    public static readonly IsoDayOfWeek[] Weekdays =
        [IsoDayOfWeek.Monday, IsoDayOfWeek.Tuesday, IsoDayOfWeek.Wednesday, IsoDayOfWeek.Thursday, IsoDayOfWeek.Friday];
}
