using OnCallBot.Core.Paging;
using OnCallBot.TestKit.Paging;

namespace OnCallBot.Core.Tests.Paging;

public sealed class PagingServicePageTests
{
    [Fact]
    public async Task PageAsync_KnownService_CreatesInc1ScheduledNowAndPreviewsLevelOne()
    {
        var h = new PagingHarness();

        var outcome = await h.PageAsync("cart", "  Checkout returns 500s ");

        var paged = Assert.IsType<PageOutcome.Paged>(outcome);
        Assert.Equal("INC-1", paged.Incident.Reference);
        Assert.Equal("Checkout returns 500s", paged.Incident.Summary);
        Assert.Equal(IncidentStatus.Triggered, paged.Incident.Status);
        Assert.Equal("checkout", paged.Service!.Id);
        Assert.Equal(0, paged.FirstLevel!.Level);
        Assert.Equal(["alice"], paged.FirstLevel.People.Select(p => p.Id));
        Assert.Empty(paged.Notes);
        Assert.Equal(new WakeUp(1, 0, h.Now), Assert.Single(h.Scheduler.Pending.Values));
        // Nobody is messaged until the scheduler runs the step: the reply to the pager never waits on delivery.
        Assert.Empty(h.Slack.Sent);
        var created = Assert.Single(await h.EventsAsync(1));
        Assert.Equal(IncidentEventKind.Created, created.Kind);
        Assert.Equal("Olivia paged Checkout (checkout): Checkout returns 500s", created.Text);
    }

    [Theory]
    [InlineData("Checkout\r\nreturns\u2028500s\0")]
    [InlineData("\tCheckout\nreturns 500s\n")]
    public async Task PageAsync_SummaryWithLineBreaksOrControls_IsOneCleanLineForEveryPlatform(string typed)
    {
        var h = new PagingHarness();

        var outcome = await h.PageAsync("cart", typed);

        Assert.Equal("Checkout returns 500s", Assert.IsType<PageOutcome.Paged>(outcome).Incident.Summary);
        Assert.Equal("Olivia paged Checkout (checkout): Checkout returns 500s", Assert.Single(await h.EventsAsync(1)).Text);
    }

    [Fact]
    public async Task PageAsync_SummaryOfControlsOnly_MissingSummaryAndNothingStored()
    {
        var h = new PagingHarness();

        var outcome = await h.PageAsync("cart", "\0\u202E\r\n");

        Assert.IsType<PageOutcome.MissingSummary>(outcome);
        Assert.Null(await h.Store.GetAsync(1, CancellationToken.None));
    }

    [Fact]
    public async Task RunEscalationStepAsync_StepZero_SendsLevelOnePersonOnePageShowingTheIncident()
    {
        var h = new PagingHarness();
        await h.PageAsync("checkout");

        await h.FireDueAsync();

        var sent = Assert.Single(h.Slack.Sent);
        Assert.Equal("alice", sent.Recipient.Id);
        Assert.Equal(1, sent.View.Incident.Number);
        Assert.Equal(IncidentStatus.Triggered, sent.View.Incident.Status);
        Assert.Equal("checkout", sent.View.Service!.Id);
        Assert.Equal("payments", sent.View.OwnerTeam!.Id);
        Assert.Equal(0, sent.View.Level);
        Assert.Equal(2, sent.View.LevelCount);
        var notified = (await h.EventsAsync(1)).Single(e => e.Kind == IncidentEventKind.Notified);
        Assert.Equal("Notified Alice on slack (level 1)", notified.Text);
        Assert.Equal(["alice"], notified.UserIds);
        Assert.Equal("slack", notified.Platform);
        Assert.Equal(sent.Message, Assert.Single(await h.Store.GetNotificationsAsync(1, CancellationToken.None)).Message);
        // Level 1's five minutes run from now.
        Assert.Equal(new WakeUp(1, 1, h.Now + NodaTime.Duration.FromMinutes(5)), h.Scheduler.Pending[1]);
    }

    [Fact]
    public async Task PageAsync_UnknownService_SuggestsCloseNamesAndStoresNothing()
    {
        var h = new PagingHarness();

        var outcome = await h.PageAsync("chekout");

        var unknown = Assert.IsType<PageOutcome.UnknownService>(outcome);
        Assert.Equal("chekout", unknown.Name);
        Assert.Equal(["checkout"], unknown.Suggestions.Select(s => s.Id));
        Assert.Null(await h.GetAsync(1));
        Assert.Empty(h.Scheduler.History);
    }

    [Fact]
    public async Task PageAsync_UnknownUser_AnswersUnknownUserAndStoresNothing()
    {
        var h = new PagingHarness();

        var outcome = await h.PagePersonAsync("zed");

        Assert.Equal(new PageOutcome.UnknownUser("zed"), outcome);
        Assert.Null(await h.GetAsync(1));
        Assert.Empty(h.Scheduler.History);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task PageAsync_BlankSummary_AnswersMissingSummaryAndStoresNothing(string summary)
    {
        var h = new PagingHarness();

        var outcome = await h.PageAsync("checkout", summary);

        Assert.IsType<PageOutcome.MissingSummary>(outcome);
        Assert.Null(await h.GetAsync(1));
        Assert.Empty(h.Scheduler.History);
    }

    [Fact]
    public async Task PageAsync_SameIdempotencyKeyTwice_SecondIsAlreadyPagedWithOneIncidentAndOneWakeUp()
    {
        var h = new PagingHarness();
        var first = Assert.IsType<PageOutcome.Paged>(await h.PageAsync("checkout", key: "slack:T1:trigger-123"));

        var second = await h.PageAsync("checkout", key: "slack:T1:trigger-123");

        var again = Assert.IsType<PageOutcome.AlreadyPaged>(second);
        Assert.Equal(first.Incident, again.Incident);
        Assert.Null(await h.GetAsync(2));
        Assert.Equal([new WakeUp(1, 0, h.Now)], h.Scheduler.History);
        Assert.Equal([IncidentEventKind.Created], await h.KindsAsync(1));
        await h.FireDueAsync();
        Assert.Equal(["alice"], h.SentTo());
    }

    [Fact]
    public async Task PageAsync_DifferentKeys_OpensSeparateNumberedIncidents()
    {
        var h = new PagingHarness();

        var first = Assert.IsType<PageOutcome.Paged>(await h.PageAsync("checkout", key: "a"));
        var second = Assert.IsType<PageOutcome.Paged>(await h.PageAsync("checkout", key: "b"));

        Assert.Equal(["INC-1", "INC-2"], new[] { first.Incident.Reference, second.Incident.Reference });
    }

    [Fact]
    public async Task PageAsync_Person_PagesThatPersonWithTheDirectPageTimeout()
    {
        var h = new PagingHarness();
        h.Options.DirectPageTimeout = TimeSpan.FromMinutes(3);

        var paged = Assert.IsType<PageOutcome.Paged>(await h.PagePersonAsync("bob"));
        await h.FireDueAsync();

        Assert.Null(paged.Service);
        Assert.Equal("bob", paged.Incident.DirectUserId);
        Assert.Equal(["bob"], paged.FirstLevel!.People.Select(p => p.Id));
        var sent = Assert.Single(h.Slack.Sent);
        Assert.Equal("bob", sent.Recipient.Id);
        Assert.Null(sent.View.Service);
        Assert.Equal(1, sent.View.LevelCount);
        Assert.Equal(h.Now + NodaTime.Duration.FromMinutes(3), h.Scheduler.Pending[1].DueAt);
        Assert.Equal("Olivia paged Bob: Can you look at the ledger?", (await h.EventsAsync(1))[0].Text);
    }

    [Fact]
    public async Task PageAsync_LevelOneEmptyAtNight_PreviewSaysSoAndNamesLevelTwo()
    {
        var h = new PagingHarness(PagingHarness.MondayNight);

        var paged = Assert.IsType<PageOutcome.Paged>(await h.PageAsync("search"));

        Assert.Equal(1, paged.FirstLevel!.Level);
        Assert.Equal(["carol"], paged.FirstLevel.People.Select(p => p.Id));
        Assert.Equal(["Level 1 has nobody on call right now, so it is skipped."], paged.Notes);
    }
}
