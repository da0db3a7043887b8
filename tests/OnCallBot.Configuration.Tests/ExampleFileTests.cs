using NodaTime;
using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;
using OnCallBot.TestKit;

namespace OnCallBot.Configuration.Tests;

/// <summary>The shipped example is what new users copy: it must load cleanly and mean what its comments say.</summary>
public sealed class ExampleFileTests
{
    private static readonly string ExamplePath = Path.Combine(SharedFixtures.RepositoryRoot, "manifests", "oncall.example.yaml");

    private static OnCallModel LoadExample()
    {
        var result = OnCallConfigLoader.Load(ExamplePath);
        Assert.True(result.IsValid, result.FormatErrors());
        return result.Model;
    }

    [Fact]
    public void Load_ExampleFile_HasNoErrors()
    {
        var result = OnCallConfigLoader.Load(ExamplePath);

        Assert.Empty(result.Errors);
        Assert.NotNull(result.Model);
        Assert.Equal(ExamplePath, result.Source);
        Assert.Equal(64, result.Sha256.Length);
    }

    [Fact]
    public void Load_ExampleFile_HasTheDocumentedUsersAndTeams()
    {
        var model = LoadExample();

        Assert.Equal(["alice", "bob", "carol", "dave", "erin", "frank", "grace"], model.Users.Keys.Order(StringComparer.Ordinal));
        var alice = model.Users["alice"];
        Assert.Equal("Alice Anders", alice.DisplayName);
        Assert.Equal("Europe/Berlin", alice.TimeZone.Id);
        Assert.Equal("U0ALICE001", alice.SlackUserId);
        Assert.Equal("29:alice-aad-id", alice.TeamsUserId);
        Assert.Equal("alice@example.com", alice.Email);
        Assert.Same(alice, model.FindUserBySlackId("U0ALICE001"));

        var payments = model.Teams["payments"];
        Assert.Equal(["alice", "bob", "carol", "dave"], payments.MemberIds);
        Assert.Equal("payments-primary", payments.ScheduleId);
        Assert.Equal(new ChatChannels("C0PAYMENTS", "19:payments@thread.tacv2"), payments.Channels);
        Assert.Equal(new ChatChannels("C0PLATFORM", null), model.Teams["platform"].Channels);
    }

    [Fact]
    public void Load_ExampleFile_CheckoutIsOwnedByPaymentsAndFoundByItsAlias()
    {
        var model = LoadExample();

        var checkout = model.FindService("cart");
        Assert.NotNull(checkout);
        Assert.Equal("checkout", checkout.Id);
        Assert.Equal("payments", checkout.OwnerTeamId);
        Assert.Equal("payments", checkout.EscalationPolicyId);
        Assert.Equal(new Uri("https://runbooks.example.com/checkout"), checkout.RunbookUrl);
        Assert.Equal(["payments-api"], checkout.DependsOn);
        Assert.Equal(["checkout", "ledger", "payments-api", "postgres"], model.Services.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["ledger"], model.Upstream("payments-api").Select(s => s.Id));
        Assert.Equal(["checkout"], model.Downstream("payments-api").Select(s => s.Id));
        Assert.Empty(model.Services["postgres"].DependsOn);
        Assert.Equal("postgres", model.FindService("db")?.Id);
    }

    [Fact]
    public void Load_ExampleFile_PaymentsPolicyEscalatesFromScheduleToDave()
    {
        var policy = LoadExample().Policies["payments"];

        Assert.Equal(1, policy.Repeat);
        Assert.Equal(2, policy.Levels.Count);
        Assert.Equal([new EscalationTarget(EscalationTargetKind.Schedule, "payments-primary")], policy.Levels[0].Targets);
        Assert.Equal(Duration.FromMinutes(5), policy.Levels[0].AckTimeout);
        Assert.Equal([new EscalationTarget(EscalationTargetKind.User, "dave")], policy.Levels[1].Targets);
        Assert.Equal(Duration.FromMinutes(10), policy.Levels[1].AckTimeout);
    }

    [Fact]
    public void Load_ExampleFile_PaymentsPrimaryHasWeeklyBottomAndOfficeHoursTop()
    {
        var schedule = LoadExample().Schedules["payments-primary"];

        Assert.Equal("Europe/Berlin", schedule.TimeZone.Id);
        Assert.Equal(2, schedule.Layers.Count);
        var weekly = schedule.Layers[0];
        Assert.Equal("weekly", weekly.Name);
        Assert.Equal(["alice", "bob", "carol"], weekly.MemberIds);
        Assert.Equal(ShiftLength.Weekly, weekly.ShiftLength);
        Assert.Equal(new LocalDateTime(2026, 1, 5, 9, 0), weekly.Start);
        Assert.Empty(weekly.Restrictions);

        var office = schedule.Layers[1];
        Assert.Equal(ShiftLength.Daily, office.ShiftLength);
        var restriction = Assert.Single(office.Restrictions);
        Assert.Equal(
            [IsoDayOfWeek.Monday, IsoDayOfWeek.Tuesday, IsoDayOfWeek.Wednesday, IsoDayOfWeek.Thursday, IsoDayOfWeek.Friday],
            restriction.Days);
        Assert.Equal(new LocalTime(9, 0), restriction.From);
        Assert.Equal(new LocalTime(17, 0), restriction.To);
    }

    [Fact]
    public void Load_ExampleFile_PlatformPrimaryIsTwelveHourShiftsInNewYork()
    {
        var model = LoadExample();
        var schedule = model.Schedules["platform-primary"];

        Assert.Equal("America/New_York", schedule.TimeZone.Id);
        var layer = Assert.Single(schedule.Layers);
        Assert.Equal(ShiftLength.OfHours(12), layer.ShiftLength);
        Assert.Equal(new LocalDateTime(2026, 1, 5, 8, 0), layer.Start);
        Assert.Equal(["erin", "frank", "grace"], layer.MemberIds);
        Assert.Equal(new EscalationTarget(EscalationTargetKind.Team, "platform"), model.Policies["platform"].Levels[0].Targets[0]);
    }

    /// <summary>The example's comments tell readers who is on call when; the Core timeline must agree with them.</summary>
    [Theory]
    [InlineData("payments-primary", "2026-01-05T10:00", "bob")]    // Mon, office hours: office-hours layer, day 0
    [InlineData("payments-primary", "2026-01-06T16:59", "carol")]  // Tue, office hours: day 1
    [InlineData("payments-primary", "2026-01-05T17:00", "alice")]  // Mon evening: weekly layer shows through
    [InlineData("payments-primary", "2026-01-10T12:00", "alice")]  // Sat: no office hours
    [InlineData("payments-primary", "2026-01-12T08:59", "alice")]  // Mon before the weekly handoff
    [InlineData("payments-primary", "2026-01-12T10:00", "carol")]  // Mon 01-12: carol's office day
    [InlineData("payments-primary", "2026-01-12T20:00", "bob")]    // bob's week
    [InlineData("payments-primary", "2026-01-26T20:00", "alice")]  // alice again
    [InlineData("platform-primary", "2026-01-05T08:00", "erin")]
    [InlineData("platform-primary", "2026-01-05T20:00", "frank")]
    [InlineData("platform-primary", "2026-01-06T07:59", "frank")]
    [InlineData("platform-primary", "2026-01-06T08:00", "grace")]
    [InlineData("platform-primary", "2026-01-06T20:00", "erin")]
    public void Load_ExampleFile_OnCallMatchesTheFileComments(string scheduleId, string localTime, string expectedUser)
    {
        var model = LoadExample();
        var schedule = model.Schedules[scheduleId];
        var at = NodaTime.Text.LocalDateTimePattern.GeneralIso.Parse(localTime + ":00").Value.InZoneStrictly(schedule.TimeZone).ToInstant();

        var shifts = ScheduleTimeline.Compute(schedule, [], model.Users, new Interval(at, at + Duration.FromMinutes(1)));

        Assert.Equal(expectedUser, Assert.Single(shifts).User.Id);
    }
}
