using NodaTime;
using OnCallBot.Core.Paging;
using OnCallBot.TestKit.Paging;

namespace OnCallBot.Core.Tests.Paging;

/// <summary>
/// A level's time to acknowledge counts from when the platform accepted its page, within Paging:MaxDeliveryDelay of
/// the step's start. The fake Slack takes as long to accept as the test moves the clock while it sends.
/// </summary>
public sealed class PagingServiceAckWindowTests
{
    private static readonly Duration LevelOneTimeout = Duration.FromMinutes(5);

    [Fact]
    public async Task RunEscalationStepAsync_SendTakesFourSeconds_NextLevelIsDueTheTimeoutAfterDelivery()
    {
        var h = new PagingHarness();
        h.Slack.WhileSending(_ => Advance(h, TimeSpan.FromSeconds(4)));
        await h.PageAsync("checkout");
        var stepStart = h.Now;

        await h.FireDueAsync();

        Assert.Equal(new WakeUp(1, 1, stepStart + Duration.FromSeconds(4) + LevelOneTimeout), h.Scheduler.Pending[1]);
        Assert.Equal(stepStart + Duration.FromSeconds(4) + LevelOneTimeout, (await h.GetAsync(1))!.Escalation.NextStepDueAt);
        var line = (await h.EventsAsync(1))[^1];
        Assert.Equal(IncidentEventKind.DeliveryDelayed, line.Kind);
        Assert.Equal(
            "Alice's page was accepted by slack 4s after the step began, and the 5m to acknowledge count from then: the next escalation step is due at 09:05:04 UTC",
            line.Text);
        // Nothing moves at the old time (a second past it here): Carol is paged once Alice has had her full five minutes.
        await h.AdvanceAndFireAsync(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(3));
        Assert.Equal(["alice"], h.SentTo());
        await h.AdvanceAndFireAsync(TimeSpan.FromSeconds(3));
        Assert.Equal(["alice", "carol"], h.SentTo());
    }

    [Fact]
    public async Task RunEscalationStepAsync_SendTakesFortySeconds_NextLevelIsCappedAtTimeoutPlusMaxDeliveryDelay()
    {
        var h = new PagingHarness();
        h.Slack.WhileSending(_ => Advance(h, TimeSpan.FromSeconds(40)));
        await h.PageAsync("checkout");
        var stepStart = h.Now;

        await h.FireDueAsync();

        Assert.Equal(new WakeUp(1, 1, stepStart + LevelOneTimeout + Duration.FromSeconds(30)), h.Scheduler.Pending[1]);
        Assert.Equal(
            "Alice's page was accepted by slack 40s after the step began; the wait for an acknowledgement stretches by at most 30s (Paging:MaxDeliveryDelay), so the next escalation step is due at 09:05:30 UTC",
            (await h.EventsAsync(1))[^1].Text);
    }

    [Fact]
    public async Task RunEscalationStepAsync_MaxDeliveryDelaySet_UsesThatBound()
    {
        var h = new PagingHarness();
        h.Options.MaxDeliveryDelay = TimeSpan.FromSeconds(10);
        h.Slack.WhileSending(_ => Advance(h, TimeSpan.FromSeconds(40)));
        await h.PageAsync("checkout");
        var stepStart = h.Now;

        await h.FireDueAsync();

        Assert.Equal(stepStart + LevelOneTimeout + Duration.FromSeconds(10), h.Scheduler.Pending[1].DueAt);
    }

    [Fact]
    public async Task RunEscalationStepAsync_TwoPeopleAtTheLevel_CountsFromTheLastAcceptance()
    {
        var h = new PagingHarness();
        h.Slack.WhileSending(person => Advance(h, person.Id == "alice" ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(3)));
        await h.PageAsync("ledger");
        var stepStart = h.Now;

        await h.FireDueAsync();

        Assert.Equal(["alice", "oscar"], h.SentTo());
        Assert.Equal(stepStart + Duration.FromSeconds(5) + LevelOneTimeout, h.Scheduler.Pending[1].DueAt);
        Assert.StartsWith("Oscar's page was accepted by slack 5s after the step began", (await h.EventsAsync(1))[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunEscalationStepAsync_SlowSendRefused_OnlyAcceptedPagesMoveTheNextLevel()
    {
        var h = new PagingHarness();
        h.Slack.FailFor("oscar", "user_not_found");
        h.Slack.WhileSending(person => Advance(h, person.Id == "oscar" ? TimeSpan.FromSeconds(20) : TimeSpan.Zero));
        await h.PageAsync("ledger");
        var stepStart = h.Now;

        await h.FireDueAsync();

        Assert.Equal(stepStart + LevelOneTimeout, h.Scheduler.Pending[1].DueAt);
        Assert.DoesNotContain(IncidentEventKind.DeliveryDelayed, await h.KindsAsync(1));
        Assert.Equal("Could not notify Oscar on slack: slack refused the message: user_not_found", (await h.EventsAsync(1))[^1].Text);
    }

    [Fact]
    public async Task RunEscalationStepAsync_NobodyAtTheLevelReachable_FallsThroughAtOnceAsBefore()
    {
        var h = new PagingHarness();
        h.Slack.FailFor("alice");
        h.Slack.WhileSending(_ => Advance(h, TimeSpan.FromSeconds(15)));
        await h.PageAsync("checkout");
        var stepStart = h.Now;

        await h.FireDueAsync();

        // Carol (level 2) is paged in the same step, 15 s in for Alice's refusal and 15 more for her own page.
        Assert.Equal(["carol"], h.SentTo());
        Assert.Equal(stepStart + Duration.FromSeconds(30) + Duration.FromMinutes(10), h.Scheduler.Pending[1].DueAt);
    }

    private static Task Advance(PagingHarness h, TimeSpan by)
    {
        h.Time.Advance(by);
        return Task.CompletedTask;
    }
}
