using NodaTime;
using OnCallBot.Core.Ports;

namespace OnCallBot.TestKit.Inbound;

/// <summary>
/// The reference behaviour of <see cref="IInboundRequestStore"/>, kept in memory: a key is claimed once until its
/// claim expires, a release forgets it, and expired claims are dropped as new ones are made. Share one instance
/// between test hosts to stand for the one database several hosts (or a restarted one) would use.
/// </summary>
public sealed class InMemoryInboundRequestStore : IInboundRequestStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Instant> _expiries = new(StringComparer.Ordinal);

    /// <summary>The keys claimed and not released (expired ones included until they are dropped).</summary>
    public IReadOnlyCollection<string> Keys
    {
        get
        {
            lock (_gate)
            {
                return [.. _expiries.Keys];
            }
        }
    }

    public Task<bool> TryClaimAsync(string key, Instant now, Instant expiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (expiresAt <= now)
        {
            throw new ArgumentException($"A claim must expire after it is made; got {now} and {expiresAt}.", nameof(expiresAt));
        }
        lock (_gate)
        {
            foreach (var expired in _expiries.Where(e => e.Value <= now).Select(e => e.Key).ToList())
            {
                _expiries.Remove(expired);
            }
            return Task.FromResult(_expiries.TryAdd(key, expiresAt));
        }
    }

    public Task ReleaseAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        lock (_gate)
        {
            _expiries.Remove(key);
        }
        return Task.CompletedTask;
    }
}
