using NodaTime;
using OnCallBot.Core.Delivery;
using OnCallBot.Core.Ports;

namespace OnCallBot.TestKit.Delivery;

/// <summary>
/// The reference behaviour of <see cref="IOutboxStore"/>, kept in memory and safe to use from many threads: ids only
/// grow and are the order work goes out in; only the oldest item of each (platform, lane, incident) is ever ready, and
/// it holds back the ones behind it while it is claimed or waiting to be retried; an item with a coalesce key takes a
/// later entry's payload while it is unclaimed. It also reads at most <see cref="PerKind"/> ready items of one lane and
/// kind at a time, as the SQL store does, so the dispatcher sees the same answers from both.
/// </summary>
public sealed class InMemoryOutboxStore : IOutboxStore
{
    /// <summary>Ready items per lane and kind in one read (SqlOutboxStore's cap).</summary>
    public const int PerKind = 64;

    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, Row> _rows = [];
    private long _lastId;

    /// <summary>Everything in the outbox now, claimed or not, oldest first (for assertions).</summary>
    public IReadOnlyList<OutboxItem> Items
    {
        get
        {
            lock (_gate)
            {
                return [.. _rows.Values.Select(r => r.ToItem())];
            }
        }
    }

    public Task<long> EnqueueAsync(OutboxEntry entry, Instant now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.Platform);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.Kind);
        lock (_gate)
        {
            if (entry.CoalesceKey is { } key)
            {
                // Only into an item never claimed (or given back): one whose claim ran out may still be sending.
                var waiting = _rows.Values.FirstOrDefault(r => r.Entry.Platform == entry.Platform && r.Entry.CoalesceKey == key && r.ClaimedUntil is null);
                if (waiting is not null)
                {
                    waiting.Entry = waiting.Entry with { Payload = entry.Payload };
                    return Task.FromResult(waiting.Id);
                }
            }
            var id = ++_lastId;
            _rows.Add(id, new Row(id, entry, now) { NotBefore = now });
            return Task.FromResult(id);
        }
    }

    public Task<IReadOnlyList<OutboxItem>> GetReadyAsync(string platform, Instant now, int limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(platform);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        lock (_gate)
        {
            var ofPlatform = _rows.Values.Where(r => r.Entry.Platform == platform).ToList();
            IReadOnlyList<OutboxItem> ready =
            [
                .. ofPlatform
                    .GroupBy(r => (r.Entry.Lane, r.Entry.IncidentNumber))
                    .Select(g => g.MinBy(r => r.Id)!)
                    .Where(r => r.NotBefore <= now && (r.ClaimedUntil is null || r.ClaimedUntil <= now))
                    .GroupBy(r => (r.Entry.Lane, r.Entry.Kind))
                    .SelectMany(g => g.OrderBy(r => r.Id).Take(PerKind))
                    .OrderBy(r => r.Entry.Lane)
                    .ThenBy(r => r.Id)
                    .Take(limit)
                    .Select(r => r.ToItem()),
            ];
            return Task.FromResult(ready);
        }
    }

    public Task<OutboxClaim?> TryClaimAsync(long id, Instant now, Instant until, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_rows.TryGetValue(id, out var row) || row.ClaimedUntil is { } held && held > now || row.NotBefore > now)
            {
                return Task.FromResult<OutboxClaim?>(null);
            }
            var interrupted = row.ClaimedUntil is not null;
            row.ClaimedUntil = until;
            row.Attempts++;
            return Task.FromResult<OutboxClaim?>(new OutboxClaim(row.ToItem(), interrupted));
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
        ArgumentNullException.ThrowIfNull(error);
        lock (_gate)
        {
            if (!_rows.TryGetValue(id, out var row))
            {
                return Task.CompletedTask;
            }
            var superseded = row.Entry.CoalesceKey is { } key && _rows.Values.Any(newer =>
                newer.Id > id && newer.Entry.Platform == row.Entry.Platform && newer.Entry.CoalesceKey == key && newer.ClaimedUntil is null);
            if (superseded)
            {
                _rows.Remove(id);
                return Task.CompletedTask;
            }
            row.ClaimedUntil = null;
            row.NotBefore = notBefore;
            row.LastError = error.Length > 1000 ? error[..1000] : error;
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<OutboxLaneDepth>> GetDepthAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<OutboxLaneDepth> depths =
            [
                .. _rows.Values
                    .GroupBy(r => (r.Entry.Platform, r.Entry.Lane))
                    .OrderBy(g => g.Key.Platform, StringComparer.Ordinal)
                    .ThenBy(g => g.Key.Lane)
                    .Select(g => new OutboxLaneDepth(g.Key.Platform, g.Key.Lane, g.Count(), g.Min(r => r.EnqueuedAt))),
            ];
            return Task.FromResult(depths);
        }
    }

    private sealed class Row(long id, OutboxEntry entry, Instant enqueuedAt)
    {
        public long Id { get; } = id;

        public OutboxEntry Entry { get; set; } = entry;

        public Instant EnqueuedAt { get; } = enqueuedAt;

        public Instant NotBefore { get; set; }

        public Instant? ClaimedUntil { get; set; }

        public int Attempts { get; set; }

        public string? LastError { get; set; }

        public OutboxItem ToItem() => new(Id, Entry, EnqueuedAt, NotBefore, Attempts, LastError);
    }
}
