namespace OnCallBot.TestKit.Slack;

/// <summary>Slack's Web API rate tiers, as each method's documentation names them.</summary>
public enum SlackMethodTier
{
    /// <summary>1+ per minute, "a small amount of burst behavior is tolerated".</summary>
    Tier1,

    /// <summary>20+ per minute, "occasional bursts".</summary>
    Tier2,

    /// <summary>50+ per minute, "sporadic bursts are welcome".</summary>
    Tier3,

    /// <summary>100+ per minute, "generous burst behavior".</summary>
    Tier4,

    /// <summary><c>chat.postMessage</c>'s special tier: about one message a second per channel, short bursts allowed.</summary>
    PostMessage,
}

/// <summary>
/// One limit as a token bucket: at most <see cref="Burst"/> calls at once, refilled at <see cref="PerMinute"/> a minute.
/// </summary>
public sealed record SlackRateAllowance
{
    public SlackRateAllowance(double perMinute, int burst)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perMinute);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        PerMinute = perMinute;
        Burst = burst;
    }

    public double PerMinute { get; }

    public int Burst { get; }

    /// <summary>The fewest seconds <paramref name="calls"/> calls can take from a full bucket (0 within the burst).</summary>
    public double FloorSeconds(int calls) => calls <= Burst ? 0 : (calls - Burst) * 60 / PerMinute;

    public override string ToString() => $"{PerMinute:0.##}/min, burst {Burst}";
}

/// <summary>
/// Slack's published Web API rate limits, as <see cref="FakeSlackServer"/> applies them when started with them:
/// per method and workspace by the method's tier, and per channel for <c>chat.postMessage</c>.
/// </summary>
/// <remarks>
/// The steady rates are Slack's published floors (Tier 1: 1, Tier 2: 20, Tier 3: 50, Tier 4: 100 a minute;
/// <c>chat.postMessage</c> one a second per channel). Slack publishes no burst sizes, only that bursts are tolerated
/// ("small" for Tier 1, "occasional" for Tier 2, "sporadic" for Tier 3, "generous" for Tier 4, "short bursts &gt;1" for
/// messages); the defaults here are our reading of those words, kept small so the stand-in is no kinder than Slack.
/// Slack also keeps an unpublished workspace-wide limit on <c>chat.postMessage</c> ("several hundred a minute"); it
/// is off unless <see cref="PostMessagePerWorkspace"/> is set.
/// </remarks>
public sealed record SlackRateLimits
{
    /// <summary>
    /// The tier of every method the fake answers, from Slack's method catalogue (the same table as
    /// java-slack-sdk's <c>rate_limit_tiers.json</c> in the shared fixtures). Methods not listed are not limited.
    /// </summary>
    public static IReadOnlyDictionary<string, SlackMethodTier> MethodTiers { get; } = new Dictionary<string, SlackMethodTier>(StringComparer.Ordinal)
    {
        ["apps.connections.open"] = SlackMethodTier.Tier1,
        ["chat.postMessage"] = SlackMethodTier.PostMessage,
        ["chat.postEphemeral"] = SlackMethodTier.Tier4,
        ["chat.update"] = SlackMethodTier.Tier3,
        ["conversations.archive"] = SlackMethodTier.Tier2,
        ["conversations.create"] = SlackMethodTier.Tier2,
        ["conversations.invite"] = SlackMethodTier.Tier3,
        ["conversations.open"] = SlackMethodTier.Tier3,
        ["conversations.setTopic"] = SlackMethodTier.Tier2,
        ["pins.add"] = SlackMethodTier.Tier2,
        ["users.info"] = SlackMethodTier.Tier4,
        ["users.lookupByEmail"] = SlackMethodTier.Tier3,
    };

    /// <summary>The published limits with the default bursts.</summary>
    public static SlackRateLimits Published { get; } = new();

    public SlackRateAllowance Tier1 { get; init; } = new(1, 2);

    public SlackRateAllowance Tier2 { get; init; } = new(20, 5);

    public SlackRateAllowance Tier3 { get; init; } = new(50, 10);

    public SlackRateAllowance Tier4 { get; init; } = new(100, 20);

    /// <summary><c>chat.postMessage</c> in one channel (a DM is a channel too).</summary>
    public SlackRateAllowance PostMessagePerChannel { get; init; } = new(60, 3);

    /// <summary><c>chat.postMessage</c> across the workspace; null (the default): not applied, Slack publishes no figure.</summary>
    public SlackRateAllowance? PostMessagePerWorkspace { get; init; }

    /// <summary>The tier of <paramref name="method"/>, or null when the stand-in does not limit it.</summary>
    public static SlackMethodTier? TierOf(string method) => MethodTiers.TryGetValue(method, out var tier) ? tier : null;

    /// <summary>The per-workspace allowance of a method tier (for <see cref="SlackMethodTier.PostMessage"/>: per channel).</summary>
    public SlackRateAllowance AllowanceOf(SlackMethodTier tier) => tier switch
    {
        SlackMethodTier.Tier1 => Tier1,
        SlackMethodTier.Tier2 => Tier2,
        SlackMethodTier.Tier3 => Tier3,
        SlackMethodTier.Tier4 => Tier4,
        SlackMethodTier.PostMessage => PostMessagePerChannel,
        _ => throw new ArgumentOutOfRangeException(nameof(tier)),
    };

    /// <summary>The allowance that limits <paramref name="method"/> (per channel for <c>chat.postMessage</c>), or null when none does.</summary>
    public SlackRateAllowance? AllowanceOf(string method) => TierOf(method) is { } tier ? AllowanceOf(tier) : null;
}

/// <summary>
/// Decides, call by call, whether Slack would carry a call out or answer HTTP 429: one token bucket per workspace
/// and method (by tier), one per channel for <c>chat.postMessage</c> (and one per workspace, when configured), on
/// the injected clock. A refused call spends nothing; a bucket nobody used yet is full.
/// </summary>
public sealed class SlackRateLimitEnforcer
{
    private readonly SlackRateLimits _limits;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    public SlackRateLimitEnforcer(SlackRateLimits limits, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(time);
        _limits = limits;
        _time = time;
    }

    public SlackRateLimits Limits => _limits;

    /// <summary>
    /// Admits one call now and counts it, returning null; or, over a limit, counts nothing and returns the
    /// <c>Retry-After</c> Slack would send: the time until the call would be admitted, in whole seconds, at least one.
    /// </summary>
    /// <param name="workspace">Whose limits: Slack counts per app per workspace, which the token stands for.</param>
    /// <param name="method">The Web API method.</param>
    /// <param name="channel">The <c>channel</c> argument, for <c>chat.postMessage</c>'s per-channel limit.</param>
    public TimeSpan? TryAdmit(string workspace, string method, string? channel)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(method);
        if (SlackRateLimits.TierOf(method) is not { } tier)
        {
            return null;
        }
        var buckets = new List<(string Key, SlackRateAllowance Allowance)>(2);
        if (tier != SlackMethodTier.PostMessage)
        {
            buckets.Add(($"{workspace}|{method}", _limits.AllowanceOf(tier)));
        }
        else
        {
            if (!string.IsNullOrEmpty(channel))
            {
                buckets.Add(($"{workspace}|{method}|{channel}", _limits.PostMessagePerChannel));
            }
            if (_limits.PostMessagePerWorkspace is { } workspaceWide)
            {
                buckets.Add(($"{workspace}|{method}", workspaceWide));
            }
        }

        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var wait = TimeSpan.Zero;
            var current = new List<Bucket>(buckets.Count);
            foreach (var (key, allowance) in buckets)
            {
                if (!_buckets.TryGetValue(key, out var bucket))
                {
                    bucket = new Bucket(allowance, now);
                    _buckets[key] = bucket;
                }
                bucket.Refill(now);
                current.Add(bucket);
                var needed = bucket.WaitForOne();
                if (needed > wait)
                {
                    wait = needed;
                }
            }
            if (wait > TimeSpan.Zero)
            {
                // Slack's Retry-After is whole seconds; rounding up never invites a call that would be refused again.
                return TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(wait.TotalSeconds)));
            }
            foreach (var bucket in current)
            {
                bucket.Take();
            }
            return null;
        }
    }

    private sealed class Bucket(SlackRateAllowance allowance, DateTimeOffset createdAt)
    {
        private double _tokens = allowance.Burst;
        private DateTimeOffset _at = createdAt;

        public void Refill(DateTimeOffset now)
        {
            if (now > _at)
            {
                _tokens = Math.Min(allowance.Burst, _tokens + (now - _at).TotalMinutes * allowance.PerMinute);
                _at = now;
            }
        }

        // A hair of tolerance: refills are computed in floating point, and a call exactly on its turn is on time.
        public TimeSpan WaitForOne() =>
            _tokens >= 1 - 1e-9 ? TimeSpan.Zero : TimeSpan.FromMinutes((1 - _tokens) / allowance.PerMinute);

        public void Take() => _tokens = Math.Max(0, _tokens - 1);
    }
}
