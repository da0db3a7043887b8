using NodaTime;
using OnCallBot.Core.Paging;
using OnCallBot.TestKit.Paging;

namespace OnCallBot.Core.Tests.Paging;

public sealed class PagingServiceDurabilityTests
{
    [Fact]
    public async Task RunEscalationStepAsync_CrashAfterSendingBeforeSaving_RerunDoesNotPageTheSamePersonAgain()
    {
        FaultyIncidentStore? faulty = null;
        var h = new PagingHarness(wrapStore: inner => faulty = new FaultyIncidentStore(inner));
        await h.PageAsync("checkout");
        faulty!.BeforeNextUpdate = () => throw new IOException("The process died before the step was saved.");

        await Assert.ThrowsAsync<IOException>(() => h.FireDueAsync());
        Assert.Equal(["alice"], h.SentTo());
        Assert.Equal(0, (await h.GetAsync(1))!.Escalation.Step);

        var rescheduled = await h.RestartAsync();
        await h.FireDueAsync();

        Assert.Equal(1, rescheduled);
        Assert.Equal(["alice"], h.SentTo());
        var incident = (await h.GetAsync(1))!;
        Assert.Equal(1, incident.Escalation.Step);
        Assert.Equal(new WakeUp(1, 1, h.Now + Duration.FromMinutes(5)), h.Scheduler.Pending[1]);
        // The crash took the step's lines with it; the rerun says, once, what the store knows.
        var notified = Assert.Single(await h.EventsAsync(1), e => e.Kind == IncidentEventKind.Notified);
        Assert.Equal("Notified Alice on slack (level 1), by an earlier run of this step", notified.Text);
        // And her page is still the one updated on ack.
        await h.Paging.AcknowledgeAsync(1, PagingHarness.ActorFor("alice"), CancellationToken.None);
        await h.DeliverAsync();
        Assert.Equal(h.Slack.Sent[0].Message, Assert.Single(h.Slack.Updates).Message);
    }

    [Fact]
    public async Task RunEscalationStepAsync_SameStepTwice_SecondRunDoesNothing()
    {
        var h = new PagingHarness();
        await h.PageAsync("checkout");
        await h.Paging.RunEscalationStepAsync(1, 0, CancellationToken.None);
        await h.DeliverAsync();
        var incident = await h.GetAsync(1);
        var events = await h.EventsAsync(1);

        await h.Paging.RunEscalationStepAsync(1, 0, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal(["alice"], h.SentTo());
        Assert.Equal(incident, await h.GetAsync(1));
        Assert.Equal(events, await h.EventsAsync(1));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(17)]
    public async Task RunEscalationStepAsync_StaleOrFutureStepNumber_DoesNothing(int step)
    {
        var h = new PagingHarness();
        await h.PageAndNotifyAsync("checkout");
        var incident = await h.GetAsync(1);
        var pending = h.Scheduler.Pending;
        h.Time.Advance(TimeSpan.FromMinutes(30));

        await h.Paging.RunEscalationStepAsync(1, step, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal(["alice"], h.SentTo());
        Assert.Equal(incident, await h.GetAsync(1));
        Assert.Equal(pending, h.Scheduler.Pending);
    }

    [Fact]
    public async Task RunEscalationStepAsync_UnknownIncident_DoesNothing()
    {
        var h = new PagingHarness();

        await h.Paging.RunEscalationStepAsync(9, 0, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Empty(h.Slack.Sent);
        Assert.Empty(h.Scheduler.History);
    }

    [Fact]
    public async Task RescheduleAllPendingAsync_AfterRestart_RecreatesAWakeUpForEveryTriggeredIncidentWithAStepToRun()
    {
        var h = new PagingHarness();
        await h.PageAndNotifyAsync("checkout");              // INC-1: step 1 due in 5m
        await h.PageAndNotifyAsync("checkout", "acked");     // INC-2: acknowledged, nothing due
        await h.Paging.AcknowledgeAsync(2, PagingHarness.ActorFor("alice"), CancellationToken.None);
        await h.DeliverAsync();
        await h.PageAsync("search");                         // INC-3: step 0 not run yet
        var pageTime = h.Now;

        var count = await h.RestartAsync();

        Assert.Equal(2, count);
        Assert.Equal(
            new Dictionary<long, WakeUp>
            {
                [1] = new(1, 1, pageTime + Duration.FromMinutes(5)),
                [3] = new(3, 0, pageTime),
            },
            h.Scheduler.Pending);
        // The rebuilt wake-ups drive escalation on as before.
        await h.FireDueAsync();
        await h.AdvanceAndFireAsync(TimeSpan.FromMinutes(5));
        Assert.Equal(["alice", "alice", "dina", "carol", "carol"], h.SentTo());
    }

    [Fact]
    public async Task RescheduleAllPendingAsync_EmptyStore_SchedulesNothing()
    {
        var h = new PagingHarness();

        Assert.Equal(0, await h.RestartAsync());
        Assert.Empty(h.Scheduler.History);
    }
    [Fact]
    public async Task RunEscalationStepAsync_CrashWhileSending_RerunDoesNotSendAgainAndSaysThePageMayBeLost()
    {
        var h = new PagingHarness();
        await h.PageAsync("checkout");
        // What a crash between the claim and the send leaves behind: a claim with no delivered message.
        Assert.True(await h.Store.TryClaimNotificationAsync(new Notification(1, 0, 0, "alice", "slack", h.Now, null), CancellationToken.None));

        await h.FireDueAsync();

        Assert.Empty(h.Slack.Sent);
        var line = (await h.EventsAsync(1))[^1];
        Assert.Equal(IncidentEventKind.NotificationFailed, line.Kind);
        Assert.Equal(
            "Alice may not have been notified on slack (level 1): an earlier run of this step stopped while sending, and a page is never sent twice",
            line.Text);
        // Level 2 still follows on level 1's timeout.
        await h.AdvanceAndFireAsync(TimeSpan.FromMinutes(5));
        Assert.Equal(["carol"], h.SentTo());
    }

    [Fact]
    public async Task RunEscalationStepAsync_AcknowledgedWhileTheStepWasSending_KeepsTheSendOnTheTrailAndStops()
    {
        FaultyIncidentStore? faulty = null;
        var h = new PagingHarness(wrapStore: inner => faulty = new FaultyIncidentStore(inner));
        await h.PageAndNotifyAsync("checkout");
        h.Time.Advance(TimeSpan.FromMinutes(5));
        // Alice acknowledges after Carol's page went out but before the step that sent it is saved.
        faulty!.BeforeNextUpdate = async () =>
            Assert.IsType<ActionOutcome.Done>(await h.Paging.AcknowledgeAsync(1, PagingHarness.ActorFor("alice"), CancellationToken.None));
            await h.DeliverAsync();

        await h.FireDueAsync();

        Assert.Equal(["alice", "carol"], h.SentTo());
        var incident = (await h.GetAsync(1))!;
        Assert.Equal(IncidentStatus.Acknowledged, incident.Status);
        Assert.Empty(h.Scheduler.Pending);
        Assert.Equal(
            [IncidentEventKind.Created, IncidentEventKind.Notified, IncidentEventKind.Acknowledged, IncidentEventKind.Notified],
            await h.KindsAsync(1));
        Assert.Equal("Notified Carol on slack (level 2)", (await h.EventsAsync(1))[^1].Text);
        // Carol's copy, already delivered when the ack landed, shows the ack too.
        Assert.Equal(h.Slack.Sent.Select(s => s.Message), h.Slack.Updates.Select(u => u.Message));
    }

    [Fact]
    public async Task RunEscalationStepAsync_EscalateNowWhileTheStepWasSending_RetriesWithoutSendingAgain()
    {
        FaultyIncidentStore? faulty = null;
        var h = new PagingHarness(wrapStore: inner => faulty = new FaultyIncidentStore(inner));
        await h.PageAndNotifyAsync("checkout");
        h.Time.Advance(TimeSpan.FromMinutes(5));
        faulty!.BeforeNextUpdate = async () =>
            Assert.IsType<ActionOutcome.Done>(await h.Paging.EscalateNowAsync(1, PagingHarness.ActorFor("alice"), CancellationToken.None));
            await h.DeliverAsync();

        await h.FireDueAsync();

        Assert.Equal(["alice", "carol"], h.SentTo());
        Assert.Single(await h.EventsAsync(1), e => e.Kind == IncidentEventKind.Notified && e.UserIds.SequenceEqual(["carol"]));
        var incident = (await h.GetAsync(1))!;
        Assert.Equal(2, incident.Escalation.Step);
        Assert.Equal(1, incident.Escalation.Level);
        Assert.Equal(new WakeUp(1, 2, h.Now + Duration.FromMinutes(10)), Assert.Single(h.Scheduler.Pending.Values));
    }
}
