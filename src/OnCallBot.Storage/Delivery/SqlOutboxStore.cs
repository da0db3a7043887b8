using System.Data.Common;
using NodaTime;
using OnCallBot.Core.Delivery;
using OnCallBot.Core.Ports;

namespace OnCallBot.Storage.Delivery;

/// <summary>
/// The outbox in <c>outbox</c>, on SQLite or PostgreSQL: one row per piece of work, deleted once done. Every write is
/// one short transaction through <see cref="IDbConnectionFactory.BeginWriteAsync"/>; nothing is held while a platform
/// is called. A claim is a conditional update, so two hosts never carry out one item at once.
/// </summary>
internal sealed class SqlOutboxStore(IDbConnectionFactory connections) : IOutboxStore
{
    // Ready items per lane and kind in one read: enough for a lane's workers, and a kind held back by its rate bucket
    // (channel creation in a storm) never hides the other kinds behind it.
    private const int PerKind = 64;

    private const string Columns =
        "id, platform, lane, incident_number, kind, conversation, coalesce_key, payload, enqueued_at, not_before, attempts, last_error";

    private readonly SqlDialect _dialect = SqlDialect.For(connections.Provider);

    public async Task<long> EnqueueAsync(OutboxEntry entry, Instant now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.Platform);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.Kind);
        await using var write = await connections.BeginWriteAsync(cancellationToken);
        if (entry.CoalesceKey is { } key)
        {
            await using var coalesce = write.Connection.CreateCommand(
                "UPDATE outbox SET payload = @payload WHERE platform = @platform AND coalesce_key = @key AND claimed_until IS NULL RETURNING id",
                write.Transaction)
                .WithParameter("@payload", entry.Payload)
                .WithParameter("@platform", entry.Platform)
                .WithParameter("@key", key);
            if (await coalesce.ExecuteScalarAsync(cancellationToken) is { } existing)
            {
                await write.CommitAsync(cancellationToken);
                return Convert.ToInt64(existing, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        await using var insert = write.Connection.CreateCommand(
            """
            INSERT INTO outbox (platform, lane, incident_number, kind, conversation, coalesce_key, payload, enqueued_at, not_before)
            VALUES (@platform, @lane, @incident, @kind, @conversation, @key, @payload, @now, @now)
            RETURNING id
            """, write.Transaction)
            .WithParameter("@platform", entry.Platform)
            .WithParameter("@lane", (int)entry.Lane)
            .WithParameter("@incident", entry.IncidentNumber)
            .WithParameter("@kind", entry.Kind)
            .WithParameter("@conversation", entry.Conversation)
            .WithParameter("@key", entry.CoalesceKey)
            .WithParameter("@payload", entry.Payload)
            .WithParameter("@now", _dialect.ToDb(now));
        var id = Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        await write.CommitAsync(cancellationToken);
        return id;
    }

    public async Task<IReadOnlyList<OutboxItem>> GetReadyAsync(string platform, Instant now, int limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(platform);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var connection = await connections.OpenAsync(cancellationToken);
        // The oldest item of each incident per lane, if it may go now; then at most PerKind of each lane and kind.
        await using var command = connection.CreateCommand(
            $"""
            SELECT {Columns} FROM (
                SELECT {Columns}, ROW_NUMBER() OVER (PARTITION BY lane, kind ORDER BY id) AS rank_in_kind
                FROM outbox o
                WHERE o.platform = @platform
                  AND o.not_before <= @now
                  AND (o.claimed_until IS NULL OR o.claimed_until <= @now)
                  AND NOT EXISTS (
                      SELECT 1 FROM outbox e
                      WHERE e.platform = o.platform AND e.lane = o.lane AND e.incident_number = o.incident_number AND e.id < o.id)
            ) ready
            WHERE rank_in_kind <= @per_kind
            ORDER BY lane, id
            LIMIT @limit
            """)
            .WithParameter("@platform", platform)
            .WithParameter("@now", _dialect.ToDb(now))
            .WithParameter("@per_kind", PerKind)
            .WithParameter("@limit", limit);
        var items = new List<OutboxItem>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(Read(reader));
        }
        return items;
    }

    public async Task<OutboxClaim?> TryClaimAsync(long id, Instant now, Instant until, CancellationToken cancellationToken)
    {
        await using var write = await connections.BeginWriteAsync(cancellationToken);
        bool interrupted;
        await using (var current = write.Connection.CreateCommand("SELECT claimed_until FROM outbox WHERE id = @id", write.Transaction).WithParameter("@id", id))
        await using (var reader = await current.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }
            interrupted = !reader.IsDBNull(0);
        }
        await using var claim = write.Connection.CreateCommand(
            $"""
            UPDATE outbox SET claimed_until = @until, attempts = attempts + 1
            WHERE id = @id AND (claimed_until IS NULL OR claimed_until <= @now) AND not_before <= @now
            RETURNING {Columns}
            """, write.Transaction)
            .WithParameter("@id", id)
            .WithParameter("@now", _dialect.ToDb(now))
            .WithParameter("@until", _dialect.ToDb(until));
        OutboxItem? item = null;
        await using (var reader = await claim.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                item = Read(reader);
            }
        }
        await write.CommitAsync(cancellationToken);
        return item is null ? null : new OutboxClaim(item, interrupted);
    }

    public async Task CompleteAsync(long id, CancellationToken cancellationToken)
    {
        await using var write = await connections.BeginWriteAsync(cancellationToken);
        await using var delete = write.Connection.CreateCommand("DELETE FROM outbox WHERE id = @id", write.Transaction).WithParameter("@id", id);
        await delete.ExecuteNonQueryAsync(cancellationToken);
        await write.CommitAsync(cancellationToken);
    }

    public async Task ReleaseAsync(long id, Instant notBefore, string error, CancellationToken cancellationToken)
    {
        await using var write = await connections.BeginWriteAsync(cancellationToken);
        await using var superseded = write.Connection.CreateCommand(
            """
            DELETE FROM outbox WHERE id = @id AND coalesce_key IS NOT NULL AND EXISTS (
                SELECT 1 FROM outbox newer
                WHERE newer.platform = outbox.platform AND newer.coalesce_key = outbox.coalesce_key
                  AND newer.id > outbox.id AND newer.claimed_until IS NULL)
            """, write.Transaction).WithParameter("@id", id);
        if (await superseded.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            await using var release = write.Connection.CreateCommand(
                "UPDATE outbox SET claimed_until = NULL, not_before = @not_before, last_error = @error WHERE id = @id", write.Transaction)
                .WithParameter("@id", id)
                .WithParameter("@not_before", _dialect.ToDb(notBefore))
                .WithParameter("@error", error.Length > 1000 ? error[..1000] : error);
            await release.ExecuteNonQueryAsync(cancellationToken);
        }
        await write.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<OutboxLaneDepth>> GetDepthAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT platform, lane, COUNT(*), MIN(enqueued_at) FROM outbox GROUP BY platform, lane ORDER BY platform, lane");
        var depths = new List<OutboxLaneDepth>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            depths.Add(new OutboxLaneDepth(reader.GetString(0), (DeliveryLane)reader.GetInt32(1), Convert.ToInt32(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture),
                reader.IsDBNull(3) ? null : _dialect.ReadInstant(reader, 3)));
        }
        return depths;
    }

    private OutboxItem Read(DbDataReader reader) => new(
        reader.GetInt64(0),
        new OutboxEntry(
            reader.GetString(1),
            (DeliveryLane)reader.GetInt32(2),
            reader.GetInt64(3),
            reader.GetString(4),
            reader.IsDBNull(5) ? null : reader.GetString(5),
            reader.IsDBNull(6) ? null : reader.GetString(6),
            reader.GetString(7)),
        _dialect.ReadInstant(reader, 8),
        _dialect.ReadInstant(reader, 9),
        reader.GetInt32(10),
        reader.IsDBNull(11) ? null : reader.GetString(11));
}
