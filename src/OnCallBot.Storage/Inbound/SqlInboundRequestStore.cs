using NodaTime;
using OnCallBot.Core.Ports;

namespace OnCallBot.Storage.Inbound;

/// <summary>
/// Requests received lately in <c>inbound_requests</c>, on SQLite or PostgreSQL. A claim is one upsert: it inserts the
/// key, or takes over a row whose claim has expired, and otherwise changes nothing; the row count says which. The
/// primary key makes concurrent claims of one key (two hosts, two transports) resolve to exactly one winner.
/// </summary>
/// <remarks>
/// Expired rows are deleted by the first claim after <see cref="PruneInterval"/> has passed on this instance's clock
/// (the <c>now</c> it is given), so the table holds about one signature window's worth of requests and pruning costs
/// one indexed delete a minute per host.
/// </remarks>
internal sealed class SqlInboundRequestStore(IDbConnectionFactory connections) : IInboundRequestStore
{
    /// <summary>The longest key accepted; Slack's and Teams' ids are far shorter.</summary>
    internal const int MaxKeyLength = 512;

    internal static readonly Duration PruneInterval = Duration.FromMinutes(1);

    private readonly SqlDialect _dialect = SqlDialect.For(connections.Provider);
    private readonly Lock _pruneGate = new();
    private Instant? _lastPrune;

    public async Task<bool> TryClaimAsync(string key, Instant now, Instant expiresAt, CancellationToken cancellationToken)
    {
        ValidateKey(key);
        if (SqlDialect.Truncate(expiresAt) <= SqlDialect.Truncate(now))
        {
            throw new ArgumentException($"A claim must expire after it is made; got {now} and {expiresAt} (to the microsecond).", nameof(expiresAt));
        }

        // Through the one writer path, like every other write: on SQLite a claim queues behind the gate instead of
        // spinning in the busy handler against the page it is about to let in.
        await using var write = await connections.BeginWriteAsync(cancellationToken);
        if (ShouldPrune(now))
        {
            await using var prune = write.Connection.CreateCommand("DELETE FROM inbound_requests WHERE expires_at <= @now", write.Transaction)
                .WithParameter("@now", _dialect.ToDb(now));
            await prune.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var claim = write.Connection.CreateCommand(
            """
            INSERT INTO inbound_requests (request_key, received_at, expires_at) VALUES (@key, @now, @expires_at)
            ON CONFLICT (request_key) DO UPDATE SET received_at = excluded.received_at, expires_at = excluded.expires_at
            WHERE inbound_requests.expires_at <= excluded.received_at
            """, write.Transaction)
            .WithParameter("@key", key)
            .WithParameter("@now", _dialect.ToDb(now))
            .WithParameter("@expires_at", _dialect.ToDb(expiresAt));
        var claimed = await claim.ExecuteNonQueryAsync(cancellationToken) == 1;
        await write.CommitAsync(cancellationToken);
        return claimed;
    }

    public async Task ReleaseAsync(string key, CancellationToken cancellationToken)
    {
        ValidateKey(key);
        await using var write = await connections.BeginWriteAsync(cancellationToken);
        await using var release = write.Connection.CreateCommand("DELETE FROM inbound_requests WHERE request_key = @key", write.Transaction)
            .WithParameter("@key", key);
        await release.ExecuteNonQueryAsync(cancellationToken);
        await write.CommitAsync(cancellationToken);
    }

    private bool ShouldPrune(Instant now)
    {
        lock (_pruneGate)
        {
            if (_lastPrune is { } last && now - last < PruneInterval && now >= last)
            {
                return false;
            }
            _lastPrune = now;
            return true;
        }
    }

    private static void ValidateKey(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (key.Length > MaxKeyLength)
        {
            throw new ArgumentException($"A request key is at most {MaxKeyLength} characters; got {key.Length}.", nameof(key));
        }
    }
}
