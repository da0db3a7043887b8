using OnCallBot.Core.Delivery;
using OnCallBot.Slack.WebApi;
using OnCallBot.TestKit;

namespace OnCallBot.Slack.Tests;

public sealed class PacedRateLimiterTests
{
    [Fact]
    public async Task AcquireAsync_BeyondBurst_WaitsInOrderUntilTheClockRefillsAndDropsNone()
    {
        var time = new FakeTimeProvider();
        using var limiter = new PacedRateLimiter(time, TimeSpan.FromSeconds(3), burst: 2);

        var leases = Enumerable.Range(0, 5).Select(_ => limiter.AcquireAsync(1).AsTask()).ToArray();

        Assert.True(leases[0].IsCompletedSuccessfully && leases[1].IsCompletedSuccessfully);
        Assert.All(leases.Skip(2), l => Assert.False(l.IsCompleted));
        Assert.Equal(3, limiter.GetStatistics()!.CurrentQueuedCount);
        time.Advance(TimeSpan.FromSeconds(2.9));
        Assert.False(leases[2].IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True((await leases[2]).IsAcquired);
        Assert.False(leases[3].IsCompleted);
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.True((await leases[3]).IsAcquired);
        Assert.True((await leases[4]).IsAcquired);
        Assert.Equal(0, limiter.GetStatistics()!.CurrentQueuedCount);
    }

    [Fact]
    public void AttemptAcquire_Empty_FailsWithRetryAfterAndTakesNothing()
    {
        var time = new FakeTimeProvider();
        using var limiter = new PacedRateLimiter(time, TimeSpan.FromSeconds(1), burst: 1);

        using var first = limiter.AttemptAcquire();
        using var second = limiter.AttemptAcquire();

        Assert.True(first.IsAcquired);
        Assert.False(second.IsAcquired);
        Assert.True(second.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(1), retryAfter);
    }

    [Fact]
    public async Task AcquireAsync_CancelledWhileQueued_CancelsOnlyThatCallerAndTheNextStillGetsItsTurn()
    {
        var time = new FakeTimeProvider();
        using var limiter = new PacedRateLimiter(time, TimeSpan.FromSeconds(1), burst: 1);
        using var first = await limiter.AcquireAsync(1);
        using var cts = new CancellationTokenSource();

        var cancelled = limiter.AcquireAsync(1, cts.Token).AsTask();
        var next = limiter.AcquireAsync(1).AsTask();
        await cts.CancelAsync();
        time.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.True((await next).IsAcquired);
    }

    [Fact]
    public void Tiers_MatchSlacksDocumentedRates()
    {
        Assert.Equal(TimeSpan.FromSeconds(60), SlackRateLimiter.PaceOf(SlackRateTier.Tier1).Interval);
        Assert.Equal(TimeSpan.FromSeconds(3), SlackRateLimiter.PaceOf(SlackRateTier.Tier2).Interval);
        Assert.Equal(TimeSpan.FromSeconds(1.2), SlackRateLimiter.PaceOf(SlackRateTier.Tier3).Interval);
        Assert.Equal(TimeSpan.FromSeconds(0.6), SlackRateLimiter.PaceOf(SlackRateTier.Tier4).Interval);
        Assert.Equal(TimeSpan.FromSeconds(1), SlackRateLimiter.PaceOf(SlackRateTier.PostMessage).Interval);
    }

    [SharedFixtureFact]
    public void MethodTiers_AgreeWithSlacksTierTable()
    {
        using var table = System.Text.Json.JsonDocument.Parse(SharedFixtures.ReadText("slack/spec/java-slack-sdk_rate_limit_tiers.json"));

        foreach (var (method, tier) in SlackRateLimiter.MethodTiers)
        {
            var expected = table.RootElement.GetProperty(method).GetString();
            Assert.Equal(expected == "SpecialTier_chat_postMessage" ? "PostMessage" : expected, tier.ToString());
        }
    }
}
