using NodaTime;
using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;
using OnCallBot.TestKit;
using static OnCallBot.Core.Tests.Build;

namespace OnCallBot.Core.Tests.OnCall;

/// <summary>Instants near the ends of time: answered inside the supported range, refused plainly outside it, never an overflow.</summary>
public sealed class ResolverRangeTests
{
    // Zones at both extremes of UTC offsets, hourly, year-long and restricted layers, one starting before the range
    // and one (a typo'd year) far after it: every kind of boundary the timeline computes.
    private static readonly Schedule[] Schedules =
    [
        Schedule("east", "Pacific/Kiritimati",
            Layer("old", ShiftLength.OfHours(12), "1899-06-01T08:00", "anna", "ben"),
            Layer("office", ShiftLength.Daily, "1899-06-01T09:00", "cora").Restricted("22:00", "06:00", Weekdays)),
        Schedule("west", "Pacific/Pago_Pago",
            Layer("yearly", ShiftLength.OfDays(366), "1899-01-01T09:00", "anna", "ben"),
            Layer("typo", ShiftLength.Weekly, "9999-12-31T20:00", "cora")),
    ];

    private static readonly EscalationPolicy Policy = new("p", "P",
    [
        new EscalationLevel([new EscalationTarget(EscalationTargetKind.Schedule, "east"), new EscalationTarget(EscalationTargetKind.Schedule, "west")], Duration.FromMinutes(5)),
    ], Repeat: 0);

    private static readonly Service Service = new("svc", "Svc", "t", "p", null, [], []);

    private static readonly OnCallModel Model = ModelOf(Schedules, [Policy], [Service], [new Team("t", "T", [], ChatChannels.None, null)]);

    private static readonly OnCallResolver Resolver = new(new InMemoryOverrides());

    public static TheoryData<string> Edges => new()
    {
        OnCallResolver.SupportedRange.Start.ToString(),
        (OnCallResolver.SupportedRange.End - Duration.Epsilon).ToString(),
        Utc("2026-03-29T01:30:00Z").ToString(),
    };

    [Theory]
    [MemberData(nameof(Edges))]
    public async Task ForServiceAsync_InsideTheSupportedRange_AnswersForEverySchedule(string at)
    {
        var instant = NodaTime.Text.InstantPattern.ExtendedIso.Parse(at).GetValueOrThrow();

        var answer = await Resolver.ForServiceAsync(Model, Service, instant, CancellationToken.None);

        Assert.Equal(2, answer.Levels[0].Targets.Count);
        Assert.NotNull(answer.FirstReached);
    }

    [Theory]
    [InlineData("9999-12-30T00:00:00Z")]
    [InlineData("9000-01-01T00:00:00Z")]
    [InlineData("1899-12-31T23:59:59Z")]
    [InlineData("-9998-01-02T00:00:00Z")]
    public async Task ForScheduleAsync_OutsideTheSupportedRange_ThrowsArgumentOutOfRangeNotOverflow(string at)
    {
        var instant = NodaTime.Text.InstantPattern.ExtendedIso.Parse(at).GetValueOrThrow();

        var refused = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            Resolver.ForScheduleAsync(Model, Schedules[0], instant, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            Resolver.ForServiceAsync(Model, Service, instant, CancellationToken.None));

        Assert.Contains("1900-01-01", refused.Message);
    }

    [Fact]
    public async Task TimelineAsync_WindowPastTheSupportedRange_ThrowsArgumentOutOfRange()
    {
        var window = new Interval(Utc("8999-12-01T00:00:00Z"), Instant.MaxValue);

        var fromResolver = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            Resolver.TimelineAsync(Model, Schedules[0], window, CancellationToken.None));
        var fromTimeline = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ScheduleTimeline.Compute(Schedules[1], [], Model.Users, window));

        Assert.Contains("9000-01-01", fromResolver.Message);
        Assert.Contains("9100-01-01", fromTimeline.Message);
    }
}
