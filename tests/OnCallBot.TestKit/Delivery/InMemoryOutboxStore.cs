using NodaTime;
using OnCallBot.Core.Delivery;
using OnCallBot.Core.Ports;

namespace OnCallBot.TestKit.Delivery;

/// <summary>The outbox in memory, with the contract of <see cref="IOutboxStore"/>, for tests of the flows.</summary>
public sealed class InMemoryOutboxStore : IOutboxStore
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, Row> _rows = [];
    private long _nextId = 1;

    /// <summary>Everything waiting, oldest first (claimed items included).</summary>
    public IReadOnlyList<OutboxItem> Items
    {
        get
        {
            lock (_gate)
            {
                return _rows.Values.Select(r => r.Item).ToList();
            }
        }
    }

    public Task<long> EnqueueAsync(OutboxEntry entry, Instant now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            if (entry.CoalesceKey is { } key
                && _rows.Values.FirstOrDefault(r => r.ClaimedUntil is null && r.Item.Platform == entry.Platform && r.Item.Entry.CoalesceKey == key) is { } waiting)
            {
                waiting.Item = waiting.Item with { Entry = waiting.Item.Entry with { Payload = entry.Payload } };
                return Task.FromResult(waiting.Item.Id);
            }
            var id = _nextId++;
            _rows[id] = new Row(new OutboxItem(id, entry, now, now, 0, null));
            return Task.FromResult(id);
        }
    }

    public Task<IReadOnlyList<OutboxItem>> GetReadyAsync(string platform, Instant now, int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var heads = _rows.Values
                .Where(r => r.Item.Platform == platform)
                .GroupBy(r => (r.Item.Lane, r.Item.IncidentNumber))
                .Select(g => g.First())
                .Where(r => r.Item.NotBefore <= now && (r.ClaimedUntil is null || r.ClaimedUntil <= now))
                .Select(r => r.Item)
                .OrderBy(i => i.Lane).ThenBy(i => i.Id)
                .Take(limit)
                .ToList();
            return Task.FromResult<IReadOnlyList<OutboxItem>>(heads);
        }
    }

    public Task<OutboxClaim?> TryClaimAsync(long id, Instant now, Instant until, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_rows.TryGetValue(id, out var row) || row.ClaimedUntil is { } held && held > now)
            {
                return Task.FromResult<OutboxClaim?>(null);
            }
            var interrupted = row.ClaimedUntil is not null;
            row.ClaimedUntil = until;
            row.Item = row.Item with { Attempts = row.Item.Attempts + 1 };
            return Task.FromResult<OutboxClaim?>(new OutboxClaim(row.Item, interrupted));
        }
    }

    public Task CompleteAsync(long id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _rows.Remove(id);
        }
        return Task.CompletedTask;
    }

    public Task ReleaseAsync(long id, Instant notBefore, string error, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_rows.TryGetValue(id, out var row))
            {
                return Task.CompletedTask;
            }
            var key = row.Item.Entry.CoalesceKey;
            if (key is not null && _rows.Values.Any(r => r.Item.Id != id && r.ClaimedUntil is null && r.Item.Platform == row.Item.Platform && r.Item.Entry.CoalesceKey == key))
            {
                _rows.Remove(id);
                return Task.CompletedTask;
            }
            row.ClaimedUntil = null;
            row.Item = row.Item with { NotBefore = notBefore, LastError = error };
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<OutboxLaneDepth>> GetDepthAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<OutboxLaneDepth> depths = _rows.Values
                .GroupBy(r => (r.Item.Platform, r.Item.Lane))
                .OrderBy(g => g.Key.Platform, StringComparer.Ordinal).ThenBy(g => g.Key.Lane)
                .Select(g => new OutboxLaneDepth(g.Key.Platform, g.Key.Lane, g.Count(), g.Min(r => r.Item.EnqueuedAt)))
                .ToList();
            return Task.FromResult(depths);
        }
    }

    private sealed class Row(OutboxItem item)
    {
        public OutboxItem Item { get; set; } = item;

        public Instant? ClaimedUntil { get; set; }
    }
}
