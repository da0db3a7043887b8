using NodaTime;
using OnCallBot.Core.Paging;
using OnCallBot.TestKit.Paging;

namespace OnCallBot.Core.Tests.Paging;

public sealed class PagingServiceEscalationTests
{
    [Fact]
    public async Task RunEscalationStepAsync_BeforeTheTimeout_NothingIsDue()
    {
        var h = new PagingHarness();
        await h.PageAndNotifyAsync("checkout");

        var fired = await h.AdvanceAndFireAsync(TimeSpan.FromMinutes(4) + TimeSpan.FromSeconds(59));

        Assert.Empty(fired);
        Assert.Equal(["alice"], h.SentTo());
    }

    [Fact]
    public async Task RunEscalationStepAsync_LevelOneTimesOut_RecordsMissAndNotifiesLevelTwo()
    {
        var h = new PagingHarness();
        await h.PageAndNotifyAsync("checkout");

        await h.AdvanceAndFireAsync(TimeSpan.FromMinutes(5));

        Assert.Equal(["alice", "carol"], h.SentTo());
        Assert.Equal(1, h.Slack.Sent[1].View.Level);
        var events = await h.EventsAsync(1);
        var missed = Assert.Single(events, e => e.Kind == IncidentEventKind.Missed);
        Assert.Equal("Alice did not acknowledge within 5m (level 1)", missed.Text);
        Assert.Equal(["alice"], missed.UserIds);
        Assert.Equal(0, missed.Level);
        var escalated = Assert.Single(events, e => e.Kind == IncidentEventKind.Escalated);
        Assert.Equal("Escalated to level 2: Carol", escalated.Text);
        Assert.Equal(new WakeUp(1, 2, h.Now + Duration.FromMinutes(10)), h.Scheduler.Pending[1]);
        var incident = (await h.GetAsync(1))!;
        Assert.Equal(new EscalationState(2, 1, 0, h.Now + Duration.FromMinutes(10), Exhausted: false, ManualPending: false), incident.Escalation);
    }

    [Fact]
    public async Task RunEscalationStepAsync_LevelOneScheduleEmptyAtNight_SkipsItSayingSoAndNotifiesLevelTwoAtOnce()
    {
        var h = new PagingHarness(PagingHarness.MondayNight);
        await h.PageAsync("search");

        await h.FireDueAsync();

        Assert.Equal(["carol"], h.SentTo());
        var events = await h.EventsAsync(1);
        Assert.Equal([IncidentEventKind.Created, IncidentEventKind.LevelSkipped, IncidentEventKind.Notified], events.Select(e => e.Kind));
        // Tuesday 09:00 in Berlin is 08:00 UTC.
        Assert.Equal("Level 1 has nobody on call (schedule:office is empty until Tue 2026-01-06 09:00 CET): on to the next level at once", events[1].Text);
        Assert.Equal(0, events[1].Level);
        Assert.Equal(h.Now + Duration.FromMinutes(10), h.Scheduler.Pending[1].DueAt);
    }

    [Fact]
    public async Task RunEscalationStepAsync_NobodyAcknowledgesAnyRound_RepeatsThenTellsTheOwningTeamsChannel()
    {
        var h = new PagingHarness();
        await h.PageAndNotifyAsync("checkout");

        await h.AdvanceAndFireAsync(TimeSpan.FromMinutes(5));   // level 2
        await h.AdvanceAndFireAsync(TimeSpan.FromMinutes(10));  // round 2, level 1
        var roundTwo = await h.EventsAsync(1);
        await h.AdvanceAndFireAsync(TimeSpan.FromMinutes(5));   // round 2, level 2
        await h.AdvanceAndFireAsync(TimeSpan.FromMinutes(10));  // exhausted

        Assert.Equal(["alice", "carol", "alice", "carol"], h.SentTo());
        var repeated = Assert.Single(roundTwo, e => e.Kind == IncidentEventKind.Repeated);
        Assert.Equal("Nobody acknowledged after every level: starting over (round 2 of 2)", repeated.Text);
        var events = await h.EventsAsync(1);
        var exhausted = events[^1];
        Assert.Equal(IncidentEventKind.Exhausted, exhausted.Kind);
        Assert.Equal("Nobody acknowledged INC-1 (Checkout returns 500s). Paged: Alice, Carol", exhausted.Text);
        var announcement = Assert.Single(h.Slack.Announcements);
        Assert.Equal("C0PAYMENTS", announcement.Channel);
        Assert.Equal(exhausted.Text, announcement.Text);
        Assert.Empty(h.Slack.Tells);
        Assert.Empty(h.Scheduler.Pending);
        var incident = (await h.GetAsync(1))!;
        Assert.True(incident.Escalation.Exhausted);
        Assert.Null(incident.Escalation.NextStepDueAt);
        // Still open: someone can acknowledge it late, but nothing more is sent.
        Assert.Equal(IncidentStatus.Triggered, incident.Status);
        Assert.Empty(await h.AdvanceAndFireAsync(TimeSpan.FromHours(1)));
        Assert.Equal(4, h.Slack.Sent.Count);
    }

    [Fact]
    public async Task RunEscalationStepAsync_DirectPageNeverAcknowledged_RepeatsThenTellsThePager()
    {
        var h = new PagingHarness();
        await h.PagePersonAsync("bob");
        await h.FireDueAsync();

        await h.AdvanceAndFireAsync(TimeSpan.FromMinutes(5));
        await h.AdvanceAndFireAsync(TimeSpan.FromMinutes(5));
        await h.AdvanceAndFireAsync(TimeSpan.FromMinutes(5));

        // The default: paged once, then repeated twice, five minutes apart.
        Assert.Equal(["bob", "bob", "bob"], h.SentTo());
        var tell = Assert.Single(h.Slack.Tells);
        Assert.Equal(PagingHarness.Olivia, tell.Person);
        Assert.Equal("Nobody acknowledged INC-1 (Can you look at the ledger?). Paged: Bob", tell.Text);
        Assert.Empty(h.Slack.Announcements);
        Assert.Empty(h.Scheduler.Pending);
    }

    [Fact]
    public async Task RunEscalationStepAsync_DirectPageToSomeoneWithoutChatId_TellsThePagerAtOnce()
    {
        var h = new PagingHarness();
        await h.PagePersonAsync("dave");

        await h.FireDueAsync();

        Assert.Empty(h.Slack.Sent);
        Assert.Equal(
            [IncidentEventKind.Created, IncidentEventKind.NotificationFailed, IncidentEventKind.LevelSkipped, IncidentEventKind.Exhausted],
            await h.KindsAsync(1));
        var tell = Assert.Single(h.Slack.Tells);
        Assert.Equal(PagingHarness.Olivia, tell.Person);
        Assert.Equal("Nobody could be paged for INC-1 (Can you look at the ledger?): every level was empty or unreachable", tell.Text);
        Assert.Empty(h.Scheduler.Pending);
    }

    [Fact]
    public async Task RunEscalationStepAsync_OwningTeamHasNoChannel_TellsThePagerWhyInstead()
    {
        var h = new PagingHarness();
        await h.PageAndNotifyAsync("website", "Homepage is blank");

        await h.AdvanceAndFireAsync(TimeSpan.FromMinutes(5));
        await h.AdvanceAndFireAsync(TimeSpan.FromMinutes(10));

        Assert.Equal(["dina", "carol"], h.SentTo());
        Assert.Empty(h.Slack.Announcements);
        var tell = Assert.Single(h.Slack.Tells);
        Assert.Equal("Nobody acknowledged INC-1 (Homepage is blank). Paged: Dina, Carol (Web has no slack channel to tell.)", tell.Text);
    }

    [Fact]
    public async Task RunEscalationStepAsync_PersonWithoutChatId_RecordsHowToFixAndFallsThroughAtOnce()
    {
        var h = new PagingHarness();
        await h.PageAsync("billing");

        await h.FireDueAsync();

        Assert.Equal(["carol"], h.SentTo());
        var events = await h.EventsAsync(1);
        Assert.Equal(
            [IncidentEventKind.Created, IncidentEventKind.NotificationFailed, IncidentEventKind.LevelSkipped, IncidentEventKind.Notified],
            events.Select(e => e.Kind));
        Assert.Equal("Dave has no user id for any chat platform that is on (slack): add one to the on-call config", events[1].Text);
        Assert.Equal(["dave"], events[1].UserIds);
        Assert.Equal("Nobody at level 1 could be reached on any chat platform: on to the next level at once", events[2].Text);
        // Carol's level is the one waiting now, with its own timeout.
        Assert.Equal(h.Now + Duration.FromMinutes(10), h.Scheduler.Pending[1].DueAt);
        Assert.Equal(1, (await h.GetAsync(1))!.Escalation.Level);
    }

    [Fact]
    public async Task RunEscalationStepAsync_PlatformRefusesOnePerson_RecordsTheFailureAndStillNotifiesTheOthers()
    {
        var h = new PagingHarness();
        h.Slack.FailFor("oscar", "account_inactive");
        await h.PageAsync("ledger");

        await h.FireDueAsync();

        Assert.Equal(["alice"], h.SentTo());
        var failed = Assert.Single(await h.EventsAsync(1), e => e.Kind == IncidentEventKind.NotificationFailed);
        Assert.Equal("Could not notify Oscar on slack: slack refused the message: account_inactive", failed.Text);
        Assert.Equal(["oscar"], failed.UserIds);
        // Alice got it, so level 1 keeps its five minutes.
        Assert.Equal(h.Now + Duration.FromMinutes(5), h.Scheduler.Pending[1].DueAt);
    }

    [Fact]
    public async Task RunEscalationStepAsync_AfterAFailedSend_OnlyThePeopleWhoGotThePageAreCountedAsMissing()
    {
        var h = new PagingHarness();
        h.Slack.FailFor("oscar", "account_inactive");
        await h.PageAndNotifyAsync("ledger");

        await h.AdvanceAndFireAsync(TimeSpan.FromMinutes(5));

        var missed = Assert.Single(await h.EventsAsync(1), e => e.Kind == IncidentEventKind.Missed);
        Assert.Equal(["alice"], missed.UserIds);
        Assert.Equal("Alice did not acknowledge within 5m (level 1)", missed.Text);
    }

    [Fact]
    public async Task RunEscalationStepAsync_EveryoneAtALevelRefused_FallsThroughToTheNextLevelAtOnce()
    {
        var h = new PagingHarness();
        h.Slack.FailFor("alice");
        await h.PageAsync("checkout");

        await h.FireDueAsync();

        Assert.Equal(["carol"], h.SentTo());
        Assert.Equal(
            [IncidentEventKind.Created, IncidentEventKind.NotificationFailed, IncidentEventKind.LevelSkipped, IncidentEventKind.Notified],
            await h.KindsAsync(1));
        Assert.Equal(h.Now + Duration.FromMinutes(10), h.Scheduler.Pending[1].DueAt);
    }

    [Fact]
    public async Task RunEscalationStepAsync_NobodyReachableAtAnyLevel_EndsAtOnceSayingNobodyCouldBePaged()
    {
        var h = new PagingHarness();
        h.Slack.FailFor("alice").FailFor("carol");
        await h.PageAsync("checkout");

        await h.FireDueAsync();

        Assert.Empty(h.Slack.Sent);
        var events = await h.EventsAsync(1);
        // Starting the policy over at the same instant would reach the same nobody: no "round 2" is claimed.
        Assert.DoesNotContain(events, e => e.Kind == IncidentEventKind.Repeated);
        Assert.Equal(IncidentEventKind.Exhausted, events[^1].Kind);
        Assert.Equal("Nobody could be paged for INC-1 (Checkout returns 500s): every level was empty or unreachable", events[^1].Text);
        Assert.Equal(events[^1].Text, Assert.Single(h.Slack.Announcements).Text);
        Assert.Empty(h.Scheduler.Pending);
        Assert.True((await h.GetAsync(1))!.Escalation.Exhausted);
    }

    [Fact]
    public async Task TimelineAsync_PagedMissedEscalatedAcknowledged_ListsEveryStepInOrder()
    {
        var h = new PagingHarness();
        await h.PageAndNotifyAsync("checkout");
        await h.AdvanceAndFireAsync(TimeSpan.FromMinutes(5));
        h.Time.Advance(TimeSpan.FromMinutes(2));
        await h.Paging.AcknowledgeAsync(1, PagingHarness.ActorFor("carol"), CancellationToken.None);
        await h.DeliverAsync();

        var (incident, events) = (await h.Paging.TimelineAsync(1, CancellationToken.None))!.Value;
        await h.DeliverAsync();

        Assert.Equal(IncidentStatus.Acknowledged, incident.Status);
        Assert.Equal(
        [
            "Created: Olivia paged Checkout (checkout): Checkout returns 500s",
            "Notified: Notified Alice on slack (level 1)",
            "Missed: Alice did not acknowledge within 5m (level 1)",
            "Escalated: Escalated to level 2: Carol",
            "Notified: Notified Carol on slack (level 2)",
            "Acknowledged: Carol acknowledged, 7m after the page",
        ], events.Select(e => $"{e.Kind}: {e.Text}"));
        Assert.Equal(events.Select(e => e.At).Order(), events.Select(e => e.At));
        Assert.All(events, e => Assert.Equal(1, e.IncidentNumber));
    }

    [Fact]
    public async Task TimelineAsync_UnknownIncident_IsNull()
    {
        var h = new PagingHarness();

        Assert.Null(await h.Paging.TimelineAsync(7, CancellationToken.None));
        await h.DeliverAsync();
    }
}
