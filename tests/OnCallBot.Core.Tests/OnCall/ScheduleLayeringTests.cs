using NodaTime;
using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;
using OnCallBot.TestKit;
using static OnCallBot.Core.Tests.Build;

namespace OnCallBot.Core.Tests.OnCall;

public sealed class ScheduleLayeringTests
{
    private const string Berlin = "Europe/Berlin";

    // Bottom: a weekly rotation around the clock. Top: a daily rotation in weekday office hours.
    private static readonly Schedule TwoLayers = Schedule("payments", Berlin,
        Layer("weekly", ShiftLength.Weekly, "2026-01-05T09:00", "anna", "ben", "cora"),
        Layer("office", ShiftLength.Daily, "2026-01-05T09:00", "dina", "emil").Restricted("09:00", "17:00", Weekdays));

    private static async Task<ScheduleOnCall> WhoAsync(Schedule schedule, Instant at, InMemoryOverrides? overrides = null) =>
        await new OnCallResolver(overrides ?? new InMemoryOverrides())
            .ForScheduleAsync(ModelOf([schedule]), schedule, at, CancellationToken.None);

    [Fact]
    public async Task ForScheduleAsync_WeeklyRotation_GivesThePersonOfTheWeekAndTheirWeek()
    {
        var schedule = Schedule("s", Berlin, Layer("weekly", ShiftLength.Weekly, "2026-01-05T09:00", "anna", "ben", "cora"));

        var answer = await WhoAsync(schedule, Local(Berlin, "2026-01-14T12:00"));

        Assert.Equal("ben", answer.Current!.User.Id);
        Assert.Equal(Local(Berlin, "2026-01-12T09:00"), answer.Current.Start);
        Assert.Equal(Local(Berlin, "2026-01-19T09:00"), answer.Current.End);
        Assert.Equal("weekly", answer.Current.Source);
    }

    [Fact]
    public async Task ForScheduleAsync_BeforeTheRotationStarts_IsAGapUntilTheFirstShift()
    {
        var schedule = Schedule("s", Berlin, Layer("weekly", ShiftLength.Weekly, "2026-01-05T09:00", "anna", "ben"));

        var answer = await WhoAsync(schedule, Local(Berlin, "2026-01-04T12:00"));

        Assert.True(answer.IsGap);
        Assert.Equal("anna", answer.Next!.User.Id);
        Assert.Equal(Local(Berlin, "2026-01-05T09:00"), answer.Next.Start);
    }

    [Theory]
    [InlineData("2026-01-14T08:59", "anna", "2026-01-13T17:00", "2026-01-14T09:00")] // Wednesday before office hours: bottom layer, since Tuesday 17:00
    [InlineData("2026-01-14T12:00", "emil", "2026-01-14T09:00", "2026-01-14T17:00")] // Wednesday office hours: top layer (day index 9 -> emil)
    [InlineData("2026-01-14T17:00", "anna", "2026-01-14T17:00", "2026-01-15T09:00")] // after hours: back to the weekly layer
    [InlineData("2026-01-17T12:00", "anna", "2026-01-16T17:00", "2026-01-19T09:00")] // Saturday: the top layer is restricted to weekdays
    public async Task ForScheduleAsync_TwoLayers_HigherLayerCoversLowerWhereItHasSomeone(string local, string expected, string start, string end)
    {
        // A one-person bottom layer, so each window shows exactly where the top layer cuts in.
        var schedule = TwoLayers with
        {
            Layers = [TwoLayers.Layers[0] with { MemberIds = ["anna"] }, TwoLayers.Layers[1]],
        };

        var answer = await WhoAsync(schedule, Local(Berlin, local));

        Assert.Equal(expected, answer.Current!.User.Id);
        Assert.Equal(Local(Berlin, start), answer.Current.Start);
        Assert.Equal(Local(Berlin, end), answer.Current.End);
    }

    [Fact]
    public async Task ForScheduleAsync_RestrictionsOnly_LeaveAGapReportedWithWhenCoverageResumes()
    {
        var schedule = Schedule("office", Berlin,
            Layer("office", ShiftLength.Weekly, "2026-01-05T09:00", "dina", "emil").Restricted("09:00", "18:00", Weekdays));

        var fridayEvening = await WhoAsync(schedule, Local(Berlin, "2026-01-16T18:00"));
        var fridayAfternoon = await WhoAsync(schedule, Local(Berlin, "2026-01-16T17:59"));

        Assert.True(fridayEvening.IsGap);
        Assert.Null(fridayEvening.Current);
        // Week 1 (from 12 January) is emil's; week 2 (from 19 January) is dina's.
        Assert.Equal("dina", fridayEvening.Next!.User.Id);
        Assert.Equal(Local(Berlin, "2026-01-19T09:00"), fridayEvening.Next.Start);
        Assert.Equal("emil", fridayAfternoon.Current!.User.Id);
        Assert.Equal(Local(Berlin, "2026-01-16T18:00"), fridayAfternoon.Current.End);
    }

    [Fact]
    public async Task ForScheduleAsync_OvernightRestriction_RunsPastMidnight()
    {
        var schedule = Schedule("nights", Berlin,
            Layer("nights", ShiftLength.Weekly, "2026-01-05T00:00", "nico").Restricted("22:00", "06:00"));

        var lateNight = await WhoAsync(schedule, Local(Berlin, "2026-01-07T03:00"));
        var midday = await WhoAsync(schedule, Local(Berlin, "2026-01-07T12:00"));

        Assert.Equal("nico", lateNight.Current!.User.Id);
        Assert.Equal(Local(Berlin, "2026-01-06T22:00"), lateNight.Current.Start);
        Assert.Equal(Local(Berlin, "2026-01-07T06:00"), lateNight.Current.End);
        Assert.True(midday.IsGap);
        Assert.Equal(Local(Berlin, "2026-01-07T22:00"), midday.Next!.Start);
    }

    [Fact]
    public async Task ForScheduleAsync_OverrideOverTwoLayers_WinsOverBothAndHandsBackAfterwards()
    {
        var overrides = new InMemoryOverrides()
            .Add("payments", "oscar", Local(Berlin, "2026-01-14T10:00"), Local(Berlin, "2026-01-14T22:00"));

        var inOfficeHours = await WhoAsync(TwoLayers, Local(Berlin, "2026-01-14T12:00"), overrides);
        var afterHours = await WhoAsync(TwoLayers, Local(Berlin, "2026-01-14T20:00"), overrides);
        var afterOverride = await WhoAsync(TwoLayers, Local(Berlin, "2026-01-14T22:00"), overrides);
        var beforeOverride = await WhoAsync(TwoLayers, Local(Berlin, "2026-01-14T09:30"), overrides);

        Assert.Equal("oscar", inOfficeHours.Current!.User.Id);
        Assert.True(inOfficeHours.Current.IsOverride);
        Assert.Equal(Local(Berlin, "2026-01-14T10:00"), inOfficeHours.Current.Start);
        Assert.Equal(Local(Berlin, "2026-01-14T22:00"), inOfficeHours.Current.End);
        Assert.Equal("oscar", afterHours.Current!.User.Id);
        Assert.Equal("ben", afterOverride.Current!.User.Id);           // week of 12 January, weekly layer
        Assert.Equal("emil", beforeOverride.Current!.User.Id);         // office layer until the override starts
        Assert.Equal(Local(Berlin, "2026-01-14T10:00"), beforeOverride.Current.End);
    }

    [Fact]
    public async Task ForScheduleAsync_OverlappingOverrides_MostRecentlyCreatedWins()
    {
        var schedule = Schedule("s", Berlin, Layer("weekly", ShiftLength.Weekly, "2026-01-05T09:00", "anna"));
        var overrides = new InMemoryOverrides()
            .Add("s", "oscar", Local(Berlin, "2026-01-14T00:00"), Local(Berlin, "2026-01-15T00:00"), createdAt: Local(Berlin, "2026-01-10T00:00"))
            .Add("s", "olivia", Local(Berlin, "2026-01-14T12:00"), Local(Berlin, "2026-01-14T13:00"), createdAt: Local(Berlin, "2026-01-11T00:00"));

        var answer = await WhoAsync(schedule, Local(Berlin, "2026-01-14T12:30"), overrides);

        Assert.Equal("olivia", answer.Current!.User.Id);
    }

    [Theory]
    [InlineData("2026-01-07T12:00", "office")]  // Wednesday office hours, anna's day on the top layer
    [InlineData("2026-01-07T08:00", "weekly")]  // before them, the bottom layer
    [InlineData("2026-01-07T20:00", "weekly")]  // after them
    public async Task ForScheduleAsync_SamePersonOnBothLayers_NamesTheLayerCoveringTheInstant(string local, string layer)
    {
        // Anna holds the bottom layer around the clock and every other office day (Mon 5, Wed 7, Fri 9 January):
        // from Tuesday 17:00 to Thursday 09:00 she is on call without a break, for three reasons in turn.
        var schedule = Schedule("payments", Berlin,
            Layer("weekly", ShiftLength.Weekly, "2026-01-05T09:00", "anna"),
            Layer("office", ShiftLength.Daily, "2026-01-05T09:00", "anna", "emil").Restricted("09:00", "17:00", Weekdays));

        var answer = await WhoAsync(schedule, Local(Berlin, local));

        Assert.Equal("anna", answer.Current!.User.Id);
        Assert.Equal(Local(Berlin, "2026-01-06T17:00"), answer.Current.Start);
        Assert.Equal(Local(Berlin, "2026-01-08T09:00"), answer.Current.End);
        Assert.Equal(layer, answer.CurrentSource);
        Assert.Equal(
            [
                new ShiftPart(Local(Berlin, "2026-01-06T17:00"), Local(Berlin, "2026-01-07T09:00"), "weekly"),
                new ShiftPart(Local(Berlin, "2026-01-07T09:00"), Local(Berlin, "2026-01-07T17:00"), "office"),
                new ShiftPart(Local(Berlin, "2026-01-07T17:00"), Local(Berlin, "2026-01-08T09:00"), "weekly"),
            ],
            answer.Current.Parts);
    }

    [Fact]
    public async Task ForScheduleAsync_OverrideForWhoeverIsOnCallAlready_NamesTheOverrideOnlyWhileItLasts()
    {
        var schedule = Schedule("s", Berlin, Layer("weekly", ShiftLength.Weekly, "2026-01-05T09:00", "anna"));
        var overrides = new InMemoryOverrides()
            .Add("s", "anna", Local(Berlin, "2026-01-14T10:00"), Local(Berlin, "2026-01-14T12:00"));

        var during = await WhoAsync(schedule, Local(Berlin, "2026-01-14T11:00"), overrides);
        var after = await WhoAsync(schedule, Local(Berlin, "2026-01-14T12:00"), overrides);

        Assert.Equal(OnCallShift.OverrideSource, during.CurrentSource);
        Assert.True(during.Current!.Parts.Single(p => p.Start == Local(Berlin, "2026-01-14T10:00")).IsOverride);
        Assert.Equal("weekly", after.CurrentSource);
        Assert.Equal(during.Current.Start, after.Current!.Start);      // one unbroken stretch, two reasons
    }

    [Fact]
    public async Task ForScheduleAsync_OneMemberRotation_ReportsTheWholeUnbrokenStretch()
    {
        var schedule = Schedule("solo", Berlin, Layer("weekly", ShiftLength.Weekly, "2026-01-05T09:00", "anna"));

        var answer = await WhoAsync(schedule, Local(Berlin, "2026-02-10T12:00"));

        // Anna holds every week: her stretch started with the rotation, not at the last handoff.
        Assert.Equal(Local(Berlin, "2026-01-05T09:00"), answer.Current!.Start);
        Assert.True(answer.Current.End - answer.Current.Start > Duration.FromDays(60));
    }
}
