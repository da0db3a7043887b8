using OnCallBot.Core.Coordination;
using OnCallBot.Core.Delivery;
using static OnCallBot.Core.Tests.Coordination.CoordinationHarness;

namespace OnCallBot.Core.Tests.Coordination;

/// <summary>
/// What the outbox changes for people in an incident: commands are answered before any platform call, a burst of
/// changes rewrites the card and the topic once with the latest state, and a rate-limited channel keeps its posts
/// (in order) without holding up another incident's.
/// </summary>
public sealed class CoordinationOutboxTests
{
    [Fact]
    public async Task SetSeverityAsync_PlatformNotCalledYet_AnsweredAndTheWorkWaitsInTheOutbox()
    {
        var h = new CoordinationHarness();
        var channel = await h.OpenIncidentAsync();
        var topics = h.Channels.Topics.Count;

        var outcome = await h.Coordination.SetSeverityAsync(1, 2, Olivia, CancellationToken.None);

        Assert.IsType<CoordinationOutcome.Done>(outcome);
        Assert.Equal(topics, h.Channels.Topics.Count);
        Assert.Contains(h.Outbox.Items, i => i.Kind == ChannelWork.Topic && i.Lane == DeliveryLane.Cosmetic);
        await h.DeliverAsync();
        Assert.StartsWith("INC-1 SEV2 |", h.Channels.Topics[^1].Topic, StringComparison.Ordinal);
        Assert.Empty(h.Outbox.Items);
        Assert.Equal(2, h.CardIn(channel).Room.Severity);
    }

    [Fact]
    public async Task SeveralChanges_BeforeTheyAreSent_CardAndTopicRewrittenOnceWithTheLatestState()
    {
        var h = new CoordinationHarness();
        var channel = await h.OpenIncidentAsync();
        var (topics, cards) = (h.Channels.Topics.Count, h.Channels.CardsUpdated.Count);

        await h.Coordination.SetSeverityAsync(1, 2, Olivia, CancellationToken.None);
        await h.Coordination.SetSeverityAsync(1, 1, Olivia, CancellationToken.None);
        await h.Coordination.SetPhaseAsync(1, IncidentPhase.Identified, Olivia, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal(topics + 1, h.Channels.Topics.Count);
        Assert.Equal(cards + 1, h.Channels.CardsUpdated.Count);
        Assert.StartsWith("INC-1 SEV1 | Identified", h.Channels.Topics[^1].Topic, StringComparison.Ordinal);
        Assert.Equal((1, IncidentPhase.Identified), (h.CardIn(channel).Room.Severity, h.CardIn(channel).Room.Phase));
        // Announcements are not coalesced: each change is said, in order.
        Assert.Equal(
            ["Severity: SEV3 → SEV2 (by Olivia).", "Severity: SEV2 → SEV1 (by Olivia).", "Phase: investigating → identified (by Olivia)."],
            h.Channels.PostsIn(channel.ChannelId).TakeLast(3));
    }

    [Fact]
    public async Task ChannelRateLimited_PostsKeptInOrderAndSentAfterRetryAfter_AnotherIncidentNotHeldUp()
    {
        var h = new CoordinationHarness();
        var first = await h.OpenIncidentAsync();
        var second = await h.OpenIncidentAsync("website", "Website is down");
        h.Channels.RateLimitPosts(first.ChannelId, count: 1, TimeSpan.FromSeconds(30));

        await h.Coordination.AddNoteAsync(1, "Rolled back to v41", Olivia, CancellationToken.None);
        await h.Coordination.AddNoteAsync(1, "Error rate back to normal", Olivia, CancellationToken.None);
        await h.Coordination.AddNoteAsync(2, "DNS looks fine", Olivia, CancellationToken.None);
        await h.DeliverAsync();

        // The second incident's channel is not held up by the first's rate limit.
        Assert.EndsWith("DNS looks fine", h.Channels.PostsIn(second.ChannelId)[^1], StringComparison.Ordinal);
        Assert.DoesNotContain(h.Channels.PostsIn(first.ChannelId), p => p.Contains("Rolled back", StringComparison.Ordinal));
        Assert.Equal(2, h.Outbox.Items.Count(i => i.IncidentNumber == 1 && i.Kind == ChannelWork.Post));

        h.Time.Advance(TimeSpan.FromSeconds(29));
        await h.DeliverAsync();
        Assert.DoesNotContain(h.Channels.PostsIn(first.ChannelId), p => p.Contains("Rolled back", StringComparison.Ordinal));

        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.DeliverAsync();
        var posts = h.Channels.PostsIn(first.ChannelId);
        Assert.EndsWith("Rolled back to v41", posts[^2], StringComparison.Ordinal);
        Assert.EndsWith("Error rate back to normal", posts[^1], StringComparison.Ordinal);
        Assert.DoesNotContain(await h.EventsAsync(1, Core.Paging.IncidentEventKind.ChannelFailed), e => e.Text.Contains("ratelimited", StringComparison.Ordinal));
    }
}
