using NodaTime;
using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;
using OnCallBot.TestKit;
using static OnCallBot.Core.Tests.Build;

namespace OnCallBot.Core.Tests.OnCall;

public sealed class ServiceOnCallTests
{
    private const string Berlin = "Europe/Berlin";

    private static readonly Schedule Office = Schedule("office", Berlin,
        Layer("office", ShiftLength.Weekly, "2026-01-05T09:00", "dina", "emil").Restricted("09:00", "18:00", Weekdays));

    private static readonly Schedule Backstop = Schedule("backstop", Berlin,
        Layer("weekly", ShiftLength.Weekly, "2026-01-05T09:00", "anna", "ben"));

    private static readonly EscalationPolicy Policy = new("payments", "Payments",
    [
        new EscalationLevel([new EscalationTarget(EscalationTargetKind.Schedule, "office")], Duration.FromMinutes(5)),
        new EscalationLevel([new EscalationTarget(EscalationTargetKind.Team, "payments"), new EscalationTarget(EscalationTargetKind.User, "oscar")], Duration.FromMinutes(10)),
    ], Repeat: 1);

    private static readonly Service Checkout = new("checkout", "Checkout", "payments", "payments", null, [], ["cart"]);

    private static readonly OnCallModel Model = ModelOf(
        [Office, Backstop],
        [Policy],
        [Checkout],
        [new Team("payments", "Payments", ["anna", "ben"], ChatChannels.None, "backstop")]);

    private static Task<ServiceOnCall> WhoAsync(Instant at) =>
        new OnCallResolver(new InMemoryOverrides()).ForServiceAsync(Model, Checkout, at, CancellationToken.None);

    [Fact]
    public async Task ForServiceAsync_InOfficeHours_FirstLevelReachesTheScheduledPerson()
    {
        var answer = await WhoAsync(Local(Berlin, "2026-01-07T10:00"));

        Assert.Equal(0, answer.FirstReached!.Level);
        Assert.Equal(["dina"], answer.FirstReached.People.Select(p => p.Id));
    }

    [Fact]
    public async Task ForServiceAsync_ScheduleGapAtFirstLevel_FallsThroughToTheNextLevel()
    {
        var answer = await WhoAsync(Local(Berlin, "2026-01-07T23:00"));

        Assert.True(answer.Levels[0].IsGap);
        Assert.Equal(Local(Berlin, "2026-01-08T09:00"), answer.Levels[0].Targets[0].Schedule!.Next!.Start);
        Assert.Equal(1, answer.FirstReached!.Level);
        // The team target resolves through the team's own schedule; the user target is always reachable.
        Assert.Equal(["anna", "oscar"], answer.FirstReached.People.Select(p => p.Id));
    }

    [Fact]
    public void FindService_ByAliasInAnyCase_FindsTheService()
    {
        Assert.Same(Model.Services["checkout"], Model.FindService("CART"));
        Assert.Null(Model.FindService("carts-api"));
    }

    [Fact]
    public void SuggestServices_Misspelled_SuggestsTheClosestService()
    {
        var suggestions = Model.SuggestServices("chekout");

        Assert.Equal(["checkout"], suggestions.Select(s => s.Id));
        Assert.Empty(Model.SuggestServices("zzzzzzzzzz"));
    }
}
