using System.Collections.Concurrent;
using OnCallBot.Core.Delivery;
using OnCallBot.Teams.Connector;

namespace OnCallBot.Teams.Paging;

/// <summary>
/// Teams' limits per bot and conversation (7 operations per second, 8 per 2 s, 60 per 30 s, 1800 per hour), one token
/// bucket per window on the injected clock. Each bucket's burst plus what it refills over its window is the window's
/// limit, so no window ever holds more than Teams allows: calls wait their turn instead of earning HTTP 429, and none
/// is dropped. Every Bot Connector call into a conversation takes its permits (<see cref="ConnectorPacingHandler"/>);
/// the outbox asks <see cref="WaitFor"/> first, so its workers never sit in a queue (<see cref="TeamsDeliveryPacing"/>).
/// </summary>
internal sealed class TeamsConversationPacer : IDisposable
{
    /// <summary>(window, limit, burst): the refill interval is window / (limit - burst).</summary>
    internal static readonly IReadOnlyList<(TimeSpan Window, int Limit, int Burst)> Limits =
    [
        (TimeSpan.FromSeconds(1), 7, 3),
        (TimeSpan.FromSeconds(2), 8, 4),
        (TimeSpan.FromSeconds(30), 60, 30),
        (TimeSpan.FromHours(1), 1800, 900),
    ];

    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, PacedRateLimiter[]> _conversations = new(StringComparer.Ordinal);

    public TeamsConversationPacer(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>How long until one more operation may go in <paramref name="conversationId"/>: the longest of its buckets' waits.</summary>
    public TimeSpan WaitFor(string conversationId)
    {
        ArgumentNullException.ThrowIfNull(conversationId);
        return _conversations.TryGetValue(Key(conversationId), out var limiters)
            ? limiters.Max(l => l.TimeUntilAvailable())
            : TimeSpan.Zero;
    }

    /// <summary>Waits until every bucket of the conversation lets one more operation go, and takes a permit from each.</summary>
    public async ValueTask WaitAsync(string conversationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conversationId);
        foreach (var limiter in LimitersOf(conversationId))
        {
            using var lease = await limiter.AcquireAsync(1, cancellationToken);
            if (!lease.IsAcquired)
            {
                throw new ObjectDisposedException(nameof(TeamsConversationPacer), "The Teams pacer was disposed while a call was waiting (the host is stopping).");
            }
        }
    }

    /// <summary>Teams answered 429: nothing more goes to the conversation until <paramref name="retryAfter"/> has passed.</summary>
    public void Pause(string conversationId, TimeSpan retryAfter)
    {
        var until = _time.GetUtcNow() + retryAfter;
        foreach (var limiter in LimitersOf(conversationId))
        {
            limiter.PauseUntil(until);
        }
    }

    // A channel thread (;messageid=) is paced with its channel: Teams counts the conversation.
    private static string Key(string conversationId)
    {
        var thread = conversationId.IndexOf(";messageid=", StringComparison.Ordinal);
        return thread < 0 ? conversationId : conversationId[..thread];
    }

    private PacedRateLimiter[] LimitersOf(string conversationId) =>
        _conversations.GetOrAdd(Key(conversationId), _ => [.. Limits.Select(l => new PacedRateLimiter(_time, l.Window / (l.Limit - l.Burst), l.Burst))]);

    public void Dispose()
    {
        foreach (var limiters in _conversations.Values)
        {
            foreach (var limiter in limiters)
            {
                limiter.Dispose();
            }
        }
    }
}

/// <summary>The outbox's view of Teams' pacing: an item waits for its conversation's buckets (or runs at once when it has none).</summary>
internal sealed class TeamsDeliveryPacing(TeamsConversationPacer pacer) : IDeliveryPacing
{
    private const string KindPrefix = "kind:";

    public string Platform => TeamsChatPlatform.PlatformName;

    public string BucketOf(OutboxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Conversation ?? KindPrefix + entry.Kind;
    }

    public TimeSpan WaitFor(string bucket)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        // Work with no conversation yet (one is created first) is paced when its calls are made.
        return bucket.StartsWith(KindPrefix, StringComparison.Ordinal) ? TimeSpan.Zero : pacer.WaitFor(bucket);
    }
}

/// <summary>
/// Takes a permit from the conversation's buckets before each Bot Connector call into it (each retry is a call too),
/// and pauses the conversation when Teams answers 429 with <c>Retry-After</c>. Creating a conversation names none yet.
/// </summary>
internal sealed class ConnectorPacingHandler(TeamsConversationPacer pacer, TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var conversation = ConversationOf(request.RequestUri);
        if (conversation is not null)
        {
            await pacer.WaitAsync(conversation, cancellationToken);
        }
        var response = await base.SendAsync(request, cancellationToken);
        if (conversation is not null && response.StatusCode == System.Net.HttpStatusCode.TooManyRequests
            && TeamsRetryHandler.RetryAfterOf(response, time) is { } retryAfter)
        {
            pacer.Pause(conversation, retryAfter);
        }
        return response;
    }

    /// <summary>The conversation id in <c>/v3/conversations/{id}/...</c>, unescaped; null for other paths.</summary>
    internal static string? ConversationOf(Uri? uri)
    {
        if (uri is null)
        {
            return null;
        }
        var segments = (uri.IsAbsoluteUri ? uri.AbsolutePath : uri.OriginalString).Split('/', StringSplitOptions.RemoveEmptyEntries);
        var at = Array.LastIndexOf(segments, "conversations");
        return at >= 0 && at + 1 < segments.Length ? Uri.UnescapeDataString(segments[at + 1]) : null;
    }
}
