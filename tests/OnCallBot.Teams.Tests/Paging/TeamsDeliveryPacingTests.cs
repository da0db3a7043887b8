using OnCallBot.Core.Delivery;
using OnCallBot.Core.Paging;
using OnCallBot.Teams.Paging;
using OnCallBot.TestKit;

namespace OnCallBot.Teams.Tests.Paging;

public sealed class TeamsDeliveryPacingTests
{
    private static OutboxEntry Entry(string? conversation) =>
        new("teams", DeliveryLane.Update, 1, PageWork.Update, conversation, "key:" + conversation, "{}");

    [Fact]
    public async Task WaitFor_ABurstInOneConversation_WaitsForThatConversationOnly()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
        using var pacer = new TeamsConversationPacer(time);
        var pacing = new TeamsDeliveryPacing(pacer);
        var busy = pacing.BucketOf(Entry("a:busy"));
        Assert.Equal(TimeSpan.Zero, pacing.WaitFor(busy));

        // The 1 s bucket holds 3 and refills one every 250 ms, so no second ever sees more than 7.
        for (var i = 0; i < 3; i++)
        {
            await pacer.WaitAsync("a:busy", CancellationToken.None);
        }

        Assert.Equal(TimeSpan.FromMilliseconds(250), pacing.WaitFor(busy));
        Assert.Equal(TimeSpan.Zero, pacing.WaitFor(pacing.BucketOf(Entry("a:quiet"))));
        time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal(TimeSpan.Zero, pacing.WaitFor(busy));
    }

    [Fact]
    public void WaitFor_APauseAfter429_IsTheLongestWait()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
        using var pacer = new TeamsConversationPacer(time);
        var pacing = new TeamsDeliveryPacing(pacer);

        pacer.Pause("19:c@thread.tacv2", TimeSpan.FromSeconds(20));

        // A thread is paced with its channel: Teams counts the conversation.
        Assert.True(pacing.WaitFor(pacing.BucketOf(Entry("19:c@thread.tacv2;messageid=1"))) >= TimeSpan.FromSeconds(20));
        Assert.Equal("kind:" + PageWork.Update, pacing.BucketOf(Entry(null)));
        Assert.Equal(TimeSpan.Zero, pacing.WaitFor("kind:" + PageWork.Update));
    }
}
