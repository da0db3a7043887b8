using System.Collections.Concurrent;
using OnCallBot.Core.Delivery;
using System.Threading.RateLimiting;

namespace OnCallBot.Slack.WebApi;

/// <summary>Slack's documented per-method rate tiers (calls per minute per workspace).</summary>
internal enum SlackRateTier
{
    /// <summary>1+ per minute.</summary>
    Tier1,

    /// <summary>20+ per minute.</summary>
    Tier2,

    /// <summary>50+ per minute.</summary>
    Tier3,

    /// <summary>100+ per minute.</summary>
    Tier4,

    /// <summary><c>chat.postMessage</c>: about 1 per second per channel, several hundred per minute per workspace.</summary>
    PostMessage,
}

/// <summary>
/// Paces Web API calls below Slack's limits so that bursts wait their turn instead of earning HTTP 429: one
/// token bucket per method by its tier, and one per channel for <c>chat.postMessage</c>. Calls queue (oldest
/// first); none is dropped. Registered as a singleton by <see cref="SlackServiceCollectionExtensions.AddSlack"/>.
/// </summary>
public sealed class SlackRateLimiter : IDisposable
{
    /// <summary>
    /// The tier of every method the client calls, from Slack's tier table (java-slack-sdk's list). Kept in code so
    /// nothing is read at run time.
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, SlackRateTier> MethodTiers = new Dictionary<string, SlackRateTier>(StringComparer.Ordinal)
    {
        ["apps.connections.open"] = SlackRateTier.Tier1,
        ["chat.postMessage"] = SlackRateTier.PostMessage,
        ["chat.postEphemeral"] = SlackRateTier.Tier4,
        ["chat.update"] = SlackRateTier.Tier3,
        ["conversations.archive"] = SlackRateTier.Tier2,
        ["conversations.create"] = SlackRateTier.Tier2,
        ["conversations.invite"] = SlackRateTier.Tier3,
        ["conversations.open"] = SlackRateTier.Tier3,
        ["conversations.setTopic"] = SlackRateTier.Tier2,
        ["pins.add"] = SlackRateTier.Tier2,
        ["users.info"] = SlackRateTier.Tier4,
        ["users.lookupByEmail"] = SlackRateTier.Tier3,
    };

    // Per-channel buckets are made on demand; past this many, idle ones are dropped so the map stays small.
    private const int ChannelLimiterSweepThreshold = 1024;
    private static readonly TimeSpan ChannelLimiterIdleEviction = TimeSpan.FromMinutes(5);

    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<string, PacedRateLimiter> _methodLimiters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PacedRateLimiter> _channelLimiters = new(StringComparer.Ordinal);

    public SlackRateLimiter(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
    }

    /// <summary>
    /// The pace of a tier: a steady rate and a small burst. Bursts stay well under a minute's allowance so a
    /// busy incident cannot spend a whole minute's budget in a second.
    /// </summary>
    internal static (TimeSpan Interval, int Burst) PaceOf(SlackRateTier tier) => tier switch
    {
        SlackRateTier.Tier1 => (TimeSpan.FromMinutes(1), 2),
        SlackRateTier.Tier2 => (TimeSpan.FromMinutes(1) / 20, 4),
        SlackRateTier.Tier3 => (TimeSpan.FromMinutes(1) / 50, 10),
        SlackRateTier.Tier4 => (TimeSpan.FromMinutes(1) / 100, 20),
        // Per channel: Slack allows about one message a second, with short bursts over that.
        SlackRateTier.PostMessage => (TimeSpan.FromSeconds(1), 3),
        _ => throw new ArgumentOutOfRangeException(nameof(tier)),
    };

    /// <summary>Waits until a call to <paramref name="method"/> (in <paramref name="channel"/>, if paced per channel) may go.</summary>
    internal async ValueTask WaitAsync(string method, string? channel, CancellationToken cancellationToken)
    {
        if (!MethodTiers.TryGetValue(method, out var tier))
        {
            throw new InvalidOperationException($"Slack method {method} has no rate tier; add it to SlackRateLimiter.MethodTiers.");
        }
        var limiter = tier == SlackRateTier.PostMessage
            ? ChannelLimiter(channel ?? throw new ArgumentNullException(nameof(channel), "chat.postMessage is paced per channel."))
            : _methodLimiters.GetOrAdd(method, _ => Create(tier));
        using var lease = await limiter.AcquireAsync(1, cancellationToken);
        if (!lease.IsAcquired)
        {
            throw new ObjectDisposedException(nameof(SlackRateLimiter), "The Slack rate limiter was disposed while a call was waiting (the host is stopping).");
        }
    }

    /// <summary>
    /// How long until a call to <paramref name="method"/> (in <paramref name="channel"/>, for <c>chat.postMessage</c>) may
    /// go without waiting: zero when it may go now. A <c>chat.postMessage</c> whose channel is not known yet (a DM
    /// not opened yet) is paced when it is made.
    /// </summary>
    internal TimeSpan WaitFor(string method, string? channel) =>
        MethodTiers.TryGetValue(method, out var tier) && (tier != SlackRateTier.PostMessage || channel is not null)
            ? ((PacedRateLimiter)LimiterFor(method, channel)).TimeUntilAvailable()
            : TimeSpan.Zero;

    /// <summary>
    /// Slack answered a call with HTTP 429: nothing more goes to that bucket (the method's tier, or the channel for
    /// <c>chat.postMessage</c>) until <paramref name="retryAfter"/> has passed. Other buckets are not held up.
    /// </summary>
    internal void Pause(string method, string? channel, TimeSpan retryAfter)
    {
        if (!MethodTiers.TryGetValue(method, out var tier) || (tier == SlackRateTier.PostMessage && channel is null))
        {
            return;
        }
        ((PacedRateLimiter)LimiterFor(method, channel)).PauseUntil(_timeProvider.GetUtcNow() + retryAfter);
    }

    /// <summary>The limiter a method (and channel) is paced by; for tests and diagnostics.</summary>
    internal RateLimiter LimiterFor(string method, string? channel) =>
        MethodTiers[method] == SlackRateTier.PostMessage ? ChannelLimiter(channel!) : _methodLimiters.GetOrAdd(method, m => Create(MethodTiers[m]));

    public void Dispose()
    {
        foreach (var limiter in _methodLimiters.Values.Concat(_channelLimiters.Values))
        {
            limiter.Dispose();
        }
    }

    private PacedRateLimiter ChannelLimiter(string channel)
    {
        if (_channelLimiters.Count > ChannelLimiterSweepThreshold)
        {
            foreach (var (key, limiter) in _channelLimiters)
            {
                // An idle bucket is full again, so forgetting it loses no pacing.
                if (limiter.IdleDuration > ChannelLimiterIdleEviction)
                {
                    _channelLimiters.TryRemove(key, out _);
                }
            }
        }
        return _channelLimiters.GetOrAdd(channel, _ => Create(SlackRateTier.PostMessage));
    }

    private PacedRateLimiter Create(SlackRateTier tier)
    {
        var (interval, burst) = PaceOf(tier);
        return new PacedRateLimiter(_timeProvider, interval, burst);
    }
}
