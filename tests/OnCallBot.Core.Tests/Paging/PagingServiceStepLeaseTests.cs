using NodaTime;
using OnCallBot.Core.Paging;
using OnCallBot.TestKit.Paging;

namespace OnCallBot.Core.Tests.Paging;

/// <summary>
/// Two runs of one escalation step (a restart's reconciler racing a misfire, a recovered job, two hosts) are serialized
/// by the step's lease, so the step has one record and it says what really happened.
/// </summary>
public sealed class PagingServiceStepLeaseTests
{
    [Fact]
    public async Task RunEscalationStepAsync_SecondWakeUpWhileTheFirstIsSending_SendsAndWritesNothingAndComesBackWhenTheLeaseEnds()
    {
        var h = new PagingHarness();
        await h.PageAsync("checkout");
        var stepStart = h.Now;
        EscalationStepOutcome? second = null;
        // The second wake-up of step 0 fires while the first is still waiting for Slack to accept Alice's page.
        h.Slack.WhileSending(async _ =>
        {
            h.Slack.WhileSending(_ => Task.CompletedTask);
            h.Time.Advance(TimeSpan.FromSeconds(1));
            second = await h.Paging.RunEscalationStepAsync(1, 0, CancellationToken.None);
            await h.DeliverAsync();
        });

        var first = await h.Paging.RunEscalationStepAsync(1, 0, CancellationToken.None);
        await h.DeliverAsync();

        Assert.IsType<EscalationStepOutcome.Ran>(first);
        Assert.Equal(new EscalationStepOutcome.Busy(stepStart + Duration.FromSeconds(30)), second);
        Assert.Equal(["alice"], h.SentTo());
        var events = await h.EventsAsync(1);
        Assert.DoesNotContain(events, e => e.Text.Contains("may not have been notified", StringComparison.Ordinal));
        Assert.Equal([IncidentEventKind.Created, IncidentEventKind.Notified, IncidentEventKind.DeliveryDelayed], events.Select(e => e.Kind));
        // The first run's successor is what is pending: the second's retry of step 0 did not replace it.
        Assert.Equal(1, h.Scheduler.Pending[1].Step);
        Assert.Contains(new WakeUp(1, 0, stepStart + Duration.FromSeconds(30)), h.Scheduler.History);
    }

    [Fact]
    public async Task RunEscalationStepAsync_WakeUpAfterTheStepRanUnderItsLease_DoesNothing()
    {
        var h = new PagingHarness();
        await h.PageAsync("checkout");
        await h.FireDueAsync();
        var events = await h.EventsAsync(1);

        var again = await h.Paging.RunEscalationStepAsync(1, 0, CancellationToken.None);
        await h.DeliverAsync();

        Assert.IsType<EscalationStepOutcome.NothingToDo>(again);
        Assert.Equal(events, await h.EventsAsync(1));
        Assert.Equal(["alice"], h.SentTo());
    }

    [Fact]
    public async Task RunEscalationStepAsync_EarlierRunDiedWhileSending_TakesOverOnceItsLeaseRanOutAndSaysThePageMayBeLost()
    {
        var h = new PagingHarness();
        await h.PageAsync("checkout");
        // What a host killed between claiming Alice's page and hearing back from Slack leaves behind.
        var dead = await h.Store.TryTakeStepLeaseAsync(1, 0, "dead-host/1", h.Now, Duration.FromSeconds(30), CancellationToken.None);
        Assert.True(dead.Taken);
        Assert.True(await h.Store.TryClaimNotificationAsync(new Notification(1, 0, 0, "alice", "slack", h.Now, null), CancellationToken.None));

        var restarted = await h.RestartAsync();
        await h.FireDueAsync();

        Assert.Equal(1, restarted);
        Assert.Empty(h.Slack.Sent);
        Assert.Equal([IncidentEventKind.Created], await h.KindsAsync(1));
        Assert.Equal(new WakeUp(1, 0, dead.Until), h.Scheduler.Pending[1]);

        await h.AdvanceAndFireAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(h.Slack.Sent);
        var line = (await h.EventsAsync(1))[^1];
        Assert.Equal(IncidentEventKind.NotificationFailed, line.Kind);
        Assert.Equal(
            "Alice may not have been notified on slack (level 1): an earlier run of this step stopped while sending (its host went away or stalled; its lease ran out at 09:00:30 UTC), and a page is never sent twice",
            line.Text);
        // Level 2 still follows on level 1's timeout.
        await h.AdvanceAndFireAsync(TimeSpan.FromMinutes(5));
        Assert.Equal(["carol"], h.SentTo());
    }

    [Fact]
    public async Task RunEscalationStepAsync_EarlierRunWasRefusedThenCrashed_RerunSaysSoAndFallsThroughToTheNextLevel()
    {
        var h = new PagingHarness();
        h.Slack.FailFor("alice", "user_not_found");
        await h.PageAsync("checkout");
        var crashOnCarol = true;
        h.Slack.WhileSending(person =>
        {
            if (person.Id == "carol" && crashOnCarol)
            {
                throw new IOException("The process died while Carol's page was going out.");
            }
            return Task.CompletedTask;
        });

        await Assert.ThrowsAsync<IOException>(() => h.FireDueAsync());
        crashOnCarol = false;
        Assert.Empty(h.Slack.Sent);

        await h.RestartAsync();
        await h.FireDueAsync();

        var events = await h.EventsAsync(1);
        Assert.Contains(events, e => e.Kind == IncidentEventKind.NotificationFailed
            && e.Text == "Could not notify Alice on slack: slack refused the message: user_not_found (tried by an earlier run of this step)");
        // Carol's claim has no outcome: that run failed while sending to her, and she is not paged a second time.
        Assert.Contains(events, e => e.Text ==
            "Carol may not have been notified on slack (level 2): an earlier run of this step was interrupted while sending, and a page is never sent twice");
        Assert.Empty(h.Slack.Sent);
        Assert.Equal(1, (await h.GetAsync(1))!.Escalation.Level);
    }

    [Fact]
    public async Task RunEscalationStepAsync_SendOutlastsTheLease_HeartbeatKeepsItSoASecondWakeUpWaits()
    {
        var h = new PagingHarness();
        await h.PageAsync("checkout");
        var stepStart = h.Now;
        EscalationStepOutcome? second = null;
        h.Slack.WhileSending(async _ =>
        {
            h.Slack.WhileSending(_ => Task.CompletedTask);
            // Slack paces the send for 75 s, well past the 30 s lease; a wake-up of the same step comes meanwhile.
            h.Time.Advance(TimeSpan.FromSeconds(75));
            second = await h.Paging.RunEscalationStepAsync(1, 0, CancellationToken.None);
            await h.DeliverAsync();
        });

        await h.Paging.RunEscalationStepAsync(1, 0, CancellationToken.None);
        await h.DeliverAsync();

        var busy = Assert.IsType<EscalationStepOutcome.Busy>(second);
        Assert.True(busy.RetryAt > stepStart + Duration.FromSeconds(75), $"The lease was not renewed: it ends at {busy.RetryAt}.");
        Assert.Equal(["alice"], h.SentTo());
        Assert.DoesNotContain(await h.EventsAsync(1), e => e.Kind == IncidentEventKind.NotificationFailed);
        Assert.Equal(1, (await h.GetAsync(1))!.Escalation.Step);
    }
}
