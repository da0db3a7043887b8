using Microsoft.Extensions.Logging;
using OnCallBot.Core.Ports;

namespace OnCallBot.Storage.Repositories;

internal sealed class SqlConfigSnapshotStore(IDbConnectionFactory connections, ILogger<SqlConfigSnapshotStore> logger) : IConfigSnapshotStore
{
    private readonly SqlDialect _dialect = SqlDialect.For(connections.Provider);

    public async Task<ConfigSnapshot?> GetLatestAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT source_path, content, sha256, loaded_at FROM config_snapshots ORDER BY id DESC LIMIT 1");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new ConfigSnapshot(reader.GetString(0), reader.GetString(1), reader.GetString(2), _dialect.ReadInstant(reader, 3));
    }

    public async Task SaveAsync(ConfigSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentException.ThrowIfNullOrWhiteSpace(snapshot.SourcePath, nameof(snapshot));
        ArgumentNullException.ThrowIfNull(snapshot.Content, nameof(snapshot));
        if (snapshot.Sha256 is not { Length: 64 } || !snapshot.Sha256.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException(
                $"A config snapshot's Sha256 must be 64 hexadecimal characters; got '{snapshot.Sha256}'.", nameof(snapshot));
        }
        var sha256 = snapshot.Sha256.ToLowerInvariant();

        // One transaction for the compare and the insert, so two saves of the same content cannot both insert on SQLite
        // (BEGIN IMMEDIATE serializes them).
        await using var write = await connections.BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        await using (var latest = connection.CreateCommand(
            "SELECT sha256 FROM config_snapshots ORDER BY id DESC LIMIT 1", transaction))
        {
            if (await latest.ExecuteScalarAsync(cancellationToken) is string latestSha256 && latestSha256 == sha256)
            {
                await transaction.RollbackAsync(cancellationToken);
                Log.SnapshotUnchanged(logger, snapshot.SourcePath, sha256);
                return;
            }
        }
        await using (var insert = connection.CreateCommand(
            "INSERT INTO config_snapshots (source_path, content, sha256, loaded_at) VALUES (@source_path, @content, @sha256, @loaded_at)",
            transaction))
        {
            insert.WithParameter("@source_path", snapshot.SourcePath)
                .WithParameter("@content", snapshot.Content)
                .WithParameter("@sha256", sha256)
                .WithParameter("@loaded_at", _dialect.ToDb(snapshot.LoadedAt));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        Log.SnapshotSaved(logger, snapshot.SourcePath, sha256);
    }
}
