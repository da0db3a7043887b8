using Microsoft.Extensions.Options;

namespace OnCallBot.Slack.Inbound;

/// <summary>
/// Remembers Events API <c>event_id</c>s for a bounded time and count, so Slack's redeliveries (HTTP retries,
/// Socket Mode retries, or the same event over both) reach the handler once per host. It is in memory only:
/// the handler's own idempotency key is what protects across restarts and several hosts.
/// </summary>
internal sealed class SlackEventDeduplicator
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly Queue<(string EventId, DateTimeOffset At)> _order = new();
    private readonly IOptionsMonitor<SlackOptions> _options;
    private readonly TimeProvider _timeProvider;

    public SlackEventDeduplicator(IOptionsMonitor<SlackOptions> options, TimeProvider timeProvider)
    {
        _options = options;
        _timeProvider = timeProvider;
    }

    /// <summary>True the first time an event id is seen within the window; false for a redelivery.</summary>
    public bool TryBegin(string eventId)
    {
        var now = _timeProvider.GetUtcNow();
        var options = _options.CurrentValue;
        lock (_gate)
        {
            Expire(now - options.EventDeduplicationWindow, options.EventDeduplicationCapacity);
            if (!_seen.TryAdd(eventId, now))
            {
                return false;
            }
            _order.Enqueue((eventId, now));
            return true;
        }
    }

    /// <summary>Forgets an event whose handling failed, so Slack's redelivery is handled again.</summary>
    public void Forget(string eventId)
    {
        lock (_gate)
        {
            // The queue entry stays until it expires; Expire skips entries no longer in the dictionary.
            _seen.Remove(eventId);
        }
    }

    private void Expire(DateTimeOffset cutoff, int capacity)
    {
        while (_order.TryPeek(out var oldest) && (oldest.At <= cutoff || _seen.Count >= capacity || _order.Count > capacity * 2))
        {
            _order.Dequeue();
            if (_seen.TryGetValue(oldest.EventId, out var at) && at == oldest.At)
            {
                _seen.Remove(oldest.EventId);
            }
        }
    }
}
