using NodaTime;
using OnCallBot.Core.Paging;
using OnCallBot.TestKit.Paging;

namespace OnCallBot.Core.Tests.Paging;

public sealed class PagingServiceActionTests
{
    private static readonly Actor Alice = PagingHarness.ActorFor("alice");
    private static readonly Actor Carol = PagingHarness.ActorFor("carol");

    [Fact]
    public async Task AcknowledgeAsync_Triggered_StopsEscalationAndUpdatesEveryPageMessage()
    {
        var h = new PagingHarness();
        await h.PageAndNotifyAsync("checkout");
        await h.AdvanceAndFireAsync(TimeSpan.FromMinutes(5));
        h.Time.Advance(TimeSpan.FromMinutes(2));

        var outcome = await h.Paging.AcknowledgeAsync(1, Carol, CancellationToken.None);
        await h.DeliverAsync();

        var done = Assert.IsType<ActionOutcome.Done>(outcome);
        Assert.Equal(IncidentStatus.Acknowledged, done.Incident.Status);
        Assert.Equal(Carol, done.Incident.AcknowledgedBy);
        Assert.Equal(h.Now, done.Incident.AcknowledgedAt);
        Assert.Null(done.Incident.Escalation.NextStepDueAt);
        Assert.Equal(done.Incident, await h.GetAsync(1));
        Assert.Empty(h.Scheduler.Pending);
        Assert.Equal(h.Slack.Sent.Select(s => s.Message), h.Slack.Updates.Select(u => u.Message));
        Assert.All(h.Slack.Updates, u =>
        {
            Assert.Equal(IncidentStatus.Acknowledged, u.View.Incident.Status);
            Assert.Equal(Carol, u.View.Incident.AcknowledgedBy);
        });
        // Each copy keeps the level it was sent for.
        Assert.Equal([0, 1], h.Slack.Updates.Select(u => u.View.Level));
        var acknowledged = (await h.EventsAsync(1))[^1];
        Assert.Equal(IncidentEventKind.Acknowledged, acknowledged.Kind);
        Assert.Equal("Carol acknowledged, 7m after the page", acknowledged.Text);
        Assert.Equal(["carol"], acknowledged.UserIds);
    }

    [Fact]
    public async Task AcknowledgeAsync_ThenTheOldWakeUpFires_NothingMoreIsSent()
    {
        var h = new PagingHarness();
        await h.PageAndNotifyAsync("checkout");
        var wakeUp = h.Scheduler.Pending[1];
        await h.Paging.AcknowledgeAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();
        var eventsAfterAck = await h.EventsAsync(1);

        // A wake-up already in flight when the ack landed still arrives: it must do nothing.
        h.Time.Advance(TimeSpan.FromHours(1));
        await h.Paging.RunEscalationStepAsync(1, wakeUp.Step, CancellationToken.None);
        await h.DeliverAsync();
        var fired = await h.FireDueAsync();

        Assert.Empty(fired);
        Assert.Equal(["alice"], h.SentTo());
        Assert.Equal(eventsAfterAck, await h.EventsAsync(1));
    }

    [Fact]
    public async Task AcknowledgeAsync_Resolved_IsRefusedAndChangesNothing()
    {
        var h = new PagingHarness();
        await h.PageAndNotifyAsync("checkout");
        await h.Paging.ResolveAsync(1, Carol, CancellationToken.None);
        await h.DeliverAsync();
        var before = (await h.GetAsync(1))!;
        var events = await h.EventsAsync(1);
        var updates = h.Slack.Updates.Count;

        var outcome = await h.Paging.AcknowledgeAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();

        var refused = Assert.IsType<ActionOutcome.Refused>(outcome);
        Assert.Equal("INC-1 is already resolved (by Carol); nothing to acknowledge.", refused.Reason);
        Assert.Equal(before, await h.GetAsync(1));
        Assert.Equal(events, await h.EventsAsync(1));
        Assert.Equal(updates, h.Slack.Updates.Count);
    }

    [Fact]
    public async Task AcknowledgeAsync_UnknownNumber_IsNotFound()
    {
        var h = new PagingHarness();

        var outcome = await h.Paging.AcknowledgeAsync(42, Alice, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal(new ActionOutcome.NotFound("INC-42"), outcome);
    }

    [Fact]
    public async Task AcknowledgeAsync_Twice_SecondIsRefusedNamingWhoAcknowledged()
    {
        var h = new PagingHarness();
        await h.PageAndNotifyAsync("checkout");
        await h.Paging.AcknowledgeAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();
        var version = (await h.GetAsync(1))!.Version;

        var outcome = await h.Paging.AcknowledgeAsync(1, Carol, CancellationToken.None);
        await h.DeliverAsync();

        var refused = Assert.IsType<ActionOutcome.Refused>(outcome);
        Assert.Equal("INC-1 is already acknowledged by Alice.", refused.Reason);
        Assert.Equal(Alice, refused.Incident.AcknowledgedBy);
        Assert.Equal(version, (await h.GetAsync(1))!.Version);
    }

    [Fact]
    public async Task ResolveAsync_Triggered_StopsEscalationAndUpdatesThePage()
    {
        var h = new PagingHarness();
        await h.PageAndNotifyAsync("checkout");
        h.Time.Advance(TimeSpan.FromMinutes(3));

        var outcome = await h.Paging.ResolveAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();

        var done = Assert.IsType<ActionOutcome.Done>(outcome);
        Assert.Equal(IncidentStatus.Resolved, done.Incident.Status);
        Assert.Equal(Alice, done.Incident.ResolvedBy);
        Assert.Equal(h.Now, done.Incident.ResolvedAt);
        Assert.Null(done.Incident.AcknowledgedBy);
        Assert.False(done.Incident.IsOpen);
        Assert.Empty(h.Scheduler.Pending);
        var update = Assert.Single(h.Slack.Updates);
        Assert.Equal(IncidentStatus.Resolved, update.View.Incident.Status);
        Assert.Equal("Alice resolved it, 3m after the page", (await h.EventsAsync(1))[^1].Text);
        Assert.Empty(await h.AdvanceAndFireAsync(TimeSpan.FromHours(1)));
    }

    [Fact]
    public async Task ResolveAsync_Acknowledged_ClosesItAndUpdatesThePageAgain()
    {
        var h = new PagingHarness();
        await h.PageAndNotifyAsync("checkout");
        await h.Paging.AcknowledgeAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();
        h.Time.Advance(TimeSpan.FromMinutes(45));

        var outcome = await h.Paging.ResolveAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();

        var done = Assert.IsType<ActionOutcome.Done>(outcome);
        Assert.Equal(IncidentStatus.Resolved, done.Incident.Status);
        // Who owned it stays on the record.
        Assert.Equal(Alice, done.Incident.AcknowledgedBy);
        Assert.Equal([IncidentStatus.Acknowledged, IncidentStatus.Resolved], h.Slack.Updates.Select(u => u.View.Incident.Status));
        Assert.Equal([IncidentEventKind.Acknowledged, IncidentEventKind.Resolved], (await h.KindsAsync(1)).TakeLast(2));
    }

    [Fact]
    public async Task ResolveAsync_Twice_SecondIsRefused()
    {
        var h = new PagingHarness();
        await h.PageAndNotifyAsync("checkout");
        await h.Paging.ResolveAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();

        var outcome = await h.Paging.ResolveAsync(1, Carol, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal("INC-1 is already resolved (by Alice).", Assert.IsType<ActionOutcome.Refused>(outcome).Reason);
    }

    [Fact]
    public async Task EscalateNowAsync_Triggered_NotifiesTheNextLevelAtOnceWithoutRecordingAMiss()
    {
        var h = new PagingHarness();
        await h.PageAndNotifyAsync("checkout");
        h.Time.Advance(TimeSpan.FromMinutes(1));

        var outcome = await h.Paging.EscalateNowAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();
        Assert.Equal(new WakeUp(1, 1, h.Now), h.Scheduler.Pending[1]);
        await h.FireDueAsync();

        Assert.IsType<ActionOutcome.Done>(outcome);
        Assert.Equal(["alice", "carol"], h.SentTo());
        var events = await h.EventsAsync(1);
        Assert.DoesNotContain(events, e => e.Kind == IncidentEventKind.Missed);
        Assert.Equal(
            ["Alice asked to escalate now", "Escalated to level 2: Carol", "Notified Carol on slack (level 2)"],
            events.TakeLast(3).Select(e => e.Text));
        Assert.Equal(new WakeUp(1, 2, h.Now + Duration.FromMinutes(10)), h.Scheduler.Pending[1]);
        Assert.False((await h.GetAsync(1))!.Escalation.ManualPending);
    }

    [Fact]
    public async Task EscalateNowAsync_ThenTheNextLevelTimesOut_RecordsThatLevelsMiss()
    {
        var h = new PagingHarness();
        await h.PageAndNotifyAsync("checkout");
        await h.Paging.EscalateNowAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();
        await h.FireDueAsync();

        await h.AdvanceAndFireAsync(TimeSpan.FromMinutes(10));

        var missed = Assert.Single(await h.EventsAsync(1), e => e.Kind == IncidentEventKind.Missed);
        Assert.Equal(["carol"], missed.UserIds);
        Assert.Equal(["alice", "carol", "alice"], h.SentTo());
    }

    [Fact]
    public async Task EscalateNowAsync_Acknowledged_IsRefusedAndSchedulesNothing()
    {
        var h = new PagingHarness();
        await h.PageAndNotifyAsync("checkout");
        await h.Paging.AcknowledgeAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();

        var outcome = await h.Paging.EscalateNowAsync(1, Carol, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal("INC-1 is acknowledged by Alice; escalation has stopped.", Assert.IsType<ActionOutcome.Refused>(outcome).Reason);
        Assert.Empty(h.Scheduler.Pending);
        Assert.Empty(await h.FireDueAsync());
    }

    [Fact]
    public async Task EscalateNowAsync_Exhausted_IsRefusedPointingToADirectPage()
    {
        var h = new PagingHarness();
        await h.PageAndNotifyAsync("website");
        await h.AdvanceAndFireAsync(TimeSpan.FromMinutes(5));
        await h.AdvanceAndFireAsync(TimeSpan.FromMinutes(10));
        var before = (await h.GetAsync(1))!;
        Assert.True(before.Escalation.Exhausted);

        var outcome = await h.Paging.EscalateNowAsync(1, Carol, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal(
            "INC-1 has been through every level of its policy already; page someone directly with /page @person.",
            Assert.IsType<ActionOutcome.Refused>(outcome).Reason);
        Assert.Equal(before, await h.GetAsync(1));
        Assert.Empty(h.Scheduler.Pending);
    }

    [Fact]
    public async Task FindIncidentsPagingAsync_SomeTriggeredSomeAcknowledged_ReturnsOnlyTriggeredOnesThatNotifiedThePerson()
    {
        var h = new PagingHarness();
        await h.PageAndNotifyAsync("checkout", "first");     // INC-1: alice
        await h.PageAndNotifyAsync("search", "second");      // INC-2: dina
        await h.PageAndNotifyAsync("checkout", "third");     // INC-3: alice, acknowledged below
        await h.PageAndNotifyAsync("cart", "fourth");        // INC-4: alice
        await h.Paging.AcknowledgeAsync(3, Alice, CancellationToken.None);
        await h.DeliverAsync();

        var forAlice = await h.Paging.FindIncidentsPagingAsync(Alice, CancellationToken.None);
        await h.DeliverAsync();
        var forCarol = await h.Paging.FindIncidentsPagingAsync(Carol, CancellationToken.None);
        await h.DeliverAsync();
        var forStranger = await h.Paging.FindIncidentsPagingAsync(new Actor("slack", "UNOBODY", "Nobody", null), CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal([4L, 1L], forAlice.Select(i => i.Number));
        Assert.Empty(forCarol);
        Assert.Empty(forStranger);
    }
}
