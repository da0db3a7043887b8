using NodaTime;
using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;
using OnCallBot.TestKit;
using static OnCallBot.Core.Tests.Build;

namespace OnCallBot.Core.Tests.OnCall;

/// <summary>
/// Handoffs on the nights the clocks change. 2026: Europe/Berlin springs forward on 29 March (02:00 CET ->
/// 03:00 CEST) and falls back on 25 October (03:00 CEST -> 02:00 CET); America/New_York springs forward on
/// 8 March (02:00 EST -> 03:00 EDT) and falls back on 1 November (02:00 EDT -> 01:00 EST).
/// </summary>
public sealed class ScheduleDstTests
{
    private static async Task<ScheduleOnCall> WhoAsync(Schedule schedule, Instant at, InMemoryOverrides? overrides = null)
    {
        var resolver = new OnCallResolver(overrides ?? new InMemoryOverrides());
        return await resolver.ForScheduleAsync(ModelOf([schedule]), schedule, at, CancellationToken.None);
    }

    [Fact]
    public async Task ForScheduleAsync_BerlinSpringForwardHandoffAt0230_HandsOffWhenClocksResumeAt0330()
    {
        // 02:30 does not exist on 29 March in Berlin; the handoff happens at 03:30 CEST (01:30 UTC).
        var schedule = Schedule("eu", "Europe/Berlin", Layer("daily", ShiftLength.Daily, "2026-03-20T02:30", "anna", "ben"));

        var before = await WhoAsync(schedule, Utc("2026-03-29T01:29:59Z"));
        var after = await WhoAsync(schedule, Utc("2026-03-29T01:30:00Z"));

        Assert.Equal("anna", before.Current!.User.Id);
        Assert.Equal("ben", after.Current!.User.Id);
        Assert.Equal(Utc("2026-03-29T01:30:00Z"), after.Current.Start);
        // The shift that straddles the change is 23 hours on the wall clock but 24 real hours: 02:30 CET to 03:30 CEST.
        Assert.Equal(Utc("2026-03-28T01:30:00Z"), before.Current.Start);
        Assert.Equal(Utc("2026-03-30T00:30:00Z"), after.Current.End);
    }

    [Fact]
    public async Task ForScheduleAsync_BerlinFallBackHandoffAt0230_HandsOffAtFirstOccurrence()
    {
        // 02:30 happens twice on 25 October in Berlin: first in CEST (00:30 UTC), then in CET (01:30 UTC).
        var schedule = Schedule("eu", "Europe/Berlin", Layer("daily", ShiftLength.Daily, "2026-10-20T02:30", "anna", "ben"));

        var beforeFirst = await WhoAsync(schedule, Utc("2026-10-25T00:29:59Z"));
        var atFirst = await WhoAsync(schedule, Utc("2026-10-25T00:30:00Z"));
        var atSecond = await WhoAsync(schedule, Utc("2026-10-25T01:30:00Z"));

        // Day index 5 from 20 October: anna held the 24th, ben takes the 25th.
        Assert.Equal("anna", beforeFirst.Current!.User.Id);
        Assert.Equal("ben", atFirst.Current!.User.Id);
        Assert.Equal("ben", atSecond.Current!.User.Id);
        // The shift after the change lasts 25 real hours: until 02:30 CET on the 26th.
        Assert.Equal(Utc("2026-10-25T00:30:00Z"), atFirst.Current.Start);
        Assert.Equal(Utc("2026-10-26T01:30:00Z"), atFirst.Current.End);
    }

    [Fact]
    public async Task ForScheduleAsync_NewYorkSpringForwardHandoffAt0230_HandsOffAt0330Edt()
    {
        var schedule = Schedule("us", "America/New_York", Layer("daily", ShiftLength.Daily, "2026-03-01T02:30", "nina", "omar"));

        var before = await WhoAsync(schedule, Utc("2026-03-08T07:29:59Z"));
        var after = await WhoAsync(schedule, Utc("2026-03-08T07:30:00Z"));

        // Day index 7 from 1 March: nina held the 7th, omar takes the 8th.
        Assert.Equal("nina", before.Current!.User.Id);
        Assert.Equal("omar", after.Current!.User.Id);
        Assert.Equal(Local("America/New_York", "2026-03-08T03:30"), after.Current.Start);
        // And the next handoff is back at 02:30 local (EDT), 23 real hours later.
        Assert.Equal(Local("America/New_York", "2026-03-09T02:30"), after.Current.End);
    }

    [Fact]
    public async Task ForScheduleAsync_NewYorkFallBackHandoffAt0230_ShiftBeforeIsTwentyFiveHours()
    {
        var schedule = Schedule("us", "America/New_York", Layer("daily", ShiftLength.Daily, "2026-10-30T02:30", "nina", "omar"));

        var during = await WhoAsync(schedule, Utc("2026-11-01T06:30:00Z"));   // 01:30 EST, the second 01:30
        var after = await WhoAsync(schedule, Utc("2026-11-01T07:30:00Z"));    // 02:30 EST

        Assert.Equal("omar", during.Current!.User.Id);
        Assert.Equal(Utc("2026-10-31T06:30:00Z"), during.Current.Start);      // 02:30 EDT on the 31st
        Assert.Equal(Utc("2026-11-01T07:30:00Z"), during.Current.End);        // 02:30 EST on the 1st: 25 hours
        Assert.Equal("nina", after.Current!.User.Id);
    }

    [Fact]
    public async Task ForScheduleAsync_NewYorkFallBackHandoffInRepeatedHour_UsesFirstOccurrence()
    {
        var schedule = Schedule("us", "America/New_York", Layer("daily", ShiftLength.Daily, "2026-10-30T01:30", "nina", "omar"));

        var firstOccurrence = await WhoAsync(schedule, Utc("2026-11-01T05:30:00Z"));  // 01:30 EDT
        var secondOccurrence = await WhoAsync(schedule, Utc("2026-11-01T06:30:00Z")); // 01:30 EST

        // Day index 2 from 30 October is nina's, and it starts at the first 01:30, not the second.
        Assert.Equal("nina", firstOccurrence.Current!.User.Id);
        Assert.Equal(Utc("2026-11-01T05:30:00Z"), firstOccurrence.Current.Start);
        Assert.Equal("nina", secondOccurrence.Current!.User.Id);
        Assert.Equal(Utc("2026-11-01T05:30:00Z"), secondOccurrence.Current.Start);
    }

    [Fact]
    public async Task ForScheduleAsync_WeeklyRotationAcrossSpringForward_HandsOffAtNineLocalBothSides()
    {
        var schedule = Schedule("eu", "Europe/Berlin", Layer("weekly", ShiftLength.Weekly, "2026-01-05T09:00", "anna", "ben", "cora"));

        // 23 March is week 11 after 5 January (cora: 11 % 3 == 2); 30 March is week 12 (anna).
        var lastWinterWeek = await WhoAsync(schedule, Local("Europe/Berlin", "2026-03-27T12:00"));
        var firstSummerWeek = await WhoAsync(schedule, Local("Europe/Berlin", "2026-03-30T09:00"));

        Assert.Equal("cora", lastWinterWeek.Current!.User.Id);
        Assert.Equal(Utc("2026-03-23T08:00:00Z"), lastWinterWeek.Current.Start);  // 09:00 CET
        Assert.Equal(Utc("2026-03-30T07:00:00Z"), lastWinterWeek.Current.End);    // 09:00 CEST: a week of 167 hours
        Assert.Equal("anna", firstSummerWeek.Current!.User.Id);
        Assert.Equal(Utc("2026-03-30T07:00:00Z"), firstSummerWeek.Current.Start);
    }

    [Fact]
    public async Task ForScheduleAsync_TwelveHourRotationOverSpringForward_KeepsWallClockHandoffs()
    {
        var schedule = Schedule("us", "America/New_York", Layer("12h", ShiftLength.OfHours(12), "2026-03-01T08:00", "nina", "omar"));

        // Index 13 (7 March 20:00 EST) is omar's; it ends at 08:00 EDT, 11 real hours later.
        var night = await WhoAsync(schedule, Utc("2026-03-08T05:00:00Z"));
        var morning = await WhoAsync(schedule, Local("America/New_York", "2026-03-08T08:00"));

        Assert.Equal("omar", night.Current!.User.Id);
        Assert.Equal(Local("America/New_York", "2026-03-07T20:00"), night.Current.Start);
        Assert.Equal(Local("America/New_York", "2026-03-08T08:00"), night.Current.End);
        Assert.Equal(Duration.FromHours(11), night.Current.End - night.Current.Start);
        Assert.Equal("nina", morning.Current!.User.Id);
        Assert.Equal(Local("America/New_York", "2026-03-08T20:00"), morning.Current.End);
    }
}
