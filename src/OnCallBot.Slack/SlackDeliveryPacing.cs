using OnCallBot.Core.Coordination;
using OnCallBot.Core.Delivery;
using OnCallBot.Core.Paging;
using OnCallBot.Slack.Paging;
using OnCallBot.Slack.WebApi;

namespace OnCallBot.Slack;

/// <summary>
/// Slack's rate limits as the outbox sees them: each kind of work by the Web API method its first call makes, paced
/// by that method's tier, and <c>chat.postMessage</c> per channel. So a storm's <c>conversations.create</c> calls
/// (Tier 2, about one every 3 s) hold back only other channel openings, never invites, cards or posts.
/// </summary>
internal sealed class SlackDeliveryPacing(SlackRateLimiter rateLimiter) : IDeliveryPacing
{
    private const char Separator = '|';

    public string Platform => SlackChatPlatform.PlatformName;

    public string BucketOf(OutboxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var method = MethodOf(entry.Kind);
        return method == "chat.postMessage" && entry.Conversation is { } channel ? method + Separator + channel : method;
    }

    public TimeSpan WaitFor(string bucket)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        var split = bucket.IndexOf(Separator, StringComparison.Ordinal);
        return split < 0
            ? rateLimiter.WaitFor(bucket, channel: null)
            : rateLimiter.WaitFor(bucket[..split], bucket[(split + 1)..]);
    }

    /// <summary>The Web API method a kind of work calls first (its pacing bucket).</summary>
    internal static string MethodOf(string kind) => kind switch
    {
        ChannelWork.Open => "conversations.create",
        ChannelWork.Invite => "conversations.invite",
        ChannelWork.Topic => "conversations.setTopic",
        ChannelWork.PostCard or ChannelWork.Post or ChannelWork.Runbook or ChannelWork.Remind => "chat.postMessage",
        ChannelWork.UpdateCard or PageWork.Update => "chat.update",
        ChannelWork.Archive => "conversations.archive",
        _ => kind,
    };
}
