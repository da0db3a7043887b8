using NodaTime;
using NodaTime.Text;
using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;

namespace OnCallBot.Configuration.Tests;

/// <summary>
/// What the example config's comments say about the nights the clocks change, checked through the parser and the
/// core timeline, so the comments cannot drift from the code. Berlin 2026: 29 March skips 02:00-03:00 (CET to
/// CEST), 25 October repeats 02:00-03:00 (first CEST, then CET).
/// </summary>
public sealed class DstReadingTests
{
    private static OnCallModel ScheduleOf(string layer)
    {
        var result = OnCallConfigLoader.Parse(Yaml.Lines(
            "users:",
            "  - { id: anna, name: Anna, time_zone: Europe/Berlin }",
            "  - { id: ben, name: Ben, time_zone: Europe/Berlin }",
            "schedules:",
            "  - id: s",
            "    name: S",
            "    time_zone: Europe/Berlin",
            "    layers:",
            "      - " + layer), "oncall.yaml");
        Assert.True(result.IsValid, result.FormatErrors());
        return result.Model;
    }

    private static List<(string User, Instant Start, Instant End)> Shifts(OnCallModel model, string fromUtc, string toUtc) =>
        ScheduleTimeline.Compute(model.Schedules["s"], [], model.Users, new Interval(Utc(fromUtc), Utc(toUtc)))
            .Select(s => (User: s.User.Id, s.Start, s.End))
            .ToList();

    private static Instant Utc(string text) => InstantPattern.General.Parse(text).Value;

    [Fact]
    public void Handoff_OnASkippedLocalTime_HappensWhenTheClocksResumeShiftedByTheGap()
    {
        // 02:30 does not exist on 29 March: the handoff is at 03:30 CEST (01:30 UTC), an hour later.
        var schedule = ScheduleOf("{ name: daily, members: [anna, ben], shift: daily, start: 2026-03-28, handoff: \"02:30\" }");

        var shifts = Shifts(schedule, "2026-03-28T12:00:00Z", "2026-03-29T12:00:00Z");

        Assert.Equal([("anna", Utc("2026-03-28T12:00:00Z"), Utc("2026-03-29T01:30:00Z")), ("ben", Utc("2026-03-29T01:30:00Z"), Utc("2026-03-29T12:00:00Z"))], shifts);
    }

    [Fact]
    public void Handoff_OnARepeatedLocalTime_HappensAtItsFirstOccurrence()
    {
        // 02:30 happens twice on 25 October: first at 00:30 UTC (CEST), then at 01:30 UTC (CET). The first counts.
        var schedule = ScheduleOf("{ name: daily, members: [anna, ben], shift: daily, start: 2026-10-24, handoff: \"02:30\" }");

        var shifts = Shifts(schedule, "2026-10-24T12:00:00Z", "2026-10-25T12:00:00Z");

        Assert.Equal([("anna", Utc("2026-10-24T12:00:00Z"), Utc("2026-10-25T00:30:00Z")), ("ben", Utc("2026-10-25T00:30:00Z"), Utc("2026-10-25T12:00:00Z"))], shifts);
    }

    [Fact]
    public void Window_OverTheRepeatedHour_IsTheRealTimeBetweenItsEdgesAndHoldsTheHourTwice()
    {
        // 01:00 CEST (23:00 UTC) to 04:00 CET (03:00 UTC): four real hours for three on the clock.
        var schedule = ScheduleOf("{ name: w, members: [anna], shift: weekly, start: 2026-10-19, handoff: \"00:00\", restrictions: [ { days: [sun], from: \"01:00\", to: \"04:00\" } ] }");

        var shifts = Shifts(schedule, "2026-10-24T12:00:00Z", "2026-10-25T12:00:00Z");

        Assert.Equal([("anna", Utc("2026-10-24T23:00:00Z"), Utc("2026-10-25T03:00:00Z"))], shifts);
    }

    [Fact]
    public void Window_OvernightAcrossTheSkippedHour_IsTheRealTimeBetweenItsEdges()
    {
        // Saturday 22:00 CET (21:00 UTC) to Sunday 06:00 CEST (04:00 UTC): seven real hours for eight on the clock.
        var schedule = ScheduleOf("{ name: w, members: [anna], shift: weekly, start: 2026-03-23, handoff: \"00:00\", restrictions: [ { days: [sat], from: \"22:00\", to: \"06:00\" } ] }");

        var shifts = Shifts(schedule, "2026-03-28T12:00:00Z", "2026-03-29T12:00:00Z");

        Assert.Equal([("anna", Utc("2026-03-28T21:00:00Z"), Utc("2026-03-29T04:00:00Z"))], shifts);
    }

    [Fact]
    public void WindowEdges_OnSkippedAndRepeatedTimes_ReadAsHandoffsDo()
    {
        // Opening at a skipped 02:30 opens at 03:30 CEST; closing at a repeated 02:30 closes at its first occurrence.
        var spring = ScheduleOf("{ name: w, members: [anna], shift: weekly, start: 2026-03-23, handoff: \"00:00\", restrictions: [ { days: [sun], from: \"02:30\", to: \"05:00\" } ] }");
        var autumn = ScheduleOf("{ name: w, members: [anna], shift: weekly, start: 2026-10-19, handoff: \"00:00\", restrictions: [ { days: [sun], from: \"01:00\", to: \"02:30\" } ] }");

        var springShifts = Shifts(spring, "2026-03-28T12:00:00Z", "2026-03-29T12:00:00Z");
        var autumnShifts = Shifts(autumn, "2026-10-24T12:00:00Z", "2026-10-25T12:00:00Z");

        Assert.Equal([("anna", Utc("2026-03-29T01:30:00Z"), Utc("2026-03-29T03:00:00Z"))], springShifts);
        Assert.Equal([("anna", Utc("2026-10-24T23:00:00Z"), Utc("2026-10-25T00:30:00Z"))], autumnShifts);
    }

    [Fact]
    public void HourShifts_AcrossTheSkippedHour_AreCountedOnTheLocalClock()
    {
        // 12h shifts from 20:00: the night shift ends at 08:00 CEST, 11 real hours after 20:00 CET.
        var schedule = ScheduleOf("{ name: n, members: [anna, ben], shift: 12h, start: 2026-03-28, handoff: \"08:00\" }");

        var shifts = Shifts(schedule, "2026-03-28T19:00:00Z", "2026-03-29T12:00:00Z");

        Assert.Equal([("ben", Utc("2026-03-28T19:00:00Z"), Utc("2026-03-29T06:00:00Z")), ("anna", Utc("2026-03-29T06:00:00Z"), Utc("2026-03-29T12:00:00Z"))], shifts);
    }
}
