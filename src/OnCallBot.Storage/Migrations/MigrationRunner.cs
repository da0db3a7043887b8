using System.Data.Common;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace OnCallBot.Storage.Migrations;

internal sealed class MigrationRunner : IStorageMigrator
{
    // Any fixed number works as long as nothing else in the database takes the same advisory lock; this one spells "OnCallBo".
    internal const long PostgresAdvisoryLockKey = 0x4F6E43616C6C426F;

    private readonly IDbConnectionFactory _connections;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<MigrationRunner> _logger;
    private readonly IReadOnlyList<Migration> _migrations;

    public MigrationRunner(IDbConnectionFactory connections, TimeProvider timeProvider, ILogger<MigrationRunner> logger)
        : this(connections, timeProvider, logger, MigrationCatalog.All)
    {
    }

    internal MigrationRunner(
        IDbConnectionFactory connections,
        TimeProvider timeProvider,
        ILogger<MigrationRunner> logger,
        IReadOnlyList<Migration> migrations)
    {
        if (migrations.Count == 0)
        {
            throw new ArgumentException("At least one migration is required.", nameof(migrations));
        }
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new ArgumentException(
                    $"Migrations must be numbered 1, 2, 3... in order; entry {i} is version {migrations[i].Version}.", nameof(migrations));
            }
        }
        _connections = connections;
        _timeProvider = timeProvider;
        _logger = logger;
        _migrations = migrations;
    }

    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        var provider = _connections.Provider;
        var dialect = SqlDialect.For(provider);
        Log.CheckingSchema(_logger, _connections.Description);
        await using var connection = await _connections.OpenAsync(cancellationToken);
        var locked = false;
        try
        {
            if (provider == StorageProvider.Postgres)
            {
                // Session-level, so it spans the per-migration transactions; a second host waits here and then finds
                // nothing left to do.
                await using var lockCommand = connection.CreateCommand("SELECT pg_advisory_lock(@key)")
                    .WithParameter("@key", PostgresAdvisoryLockKey);
                await lockCommand.ExecuteNonQueryAsync(cancellationToken);
                locked = true;
            }

            await using (var create = connection.CreateCommand(CreateHistoryTableSql(provider)))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            var applied = await ReadAppliedVersionsAsync(connection, null, cancellationToken);
            var latestKnown = _migrations[^1].Version;
            if (applied.Count > 0 && applied.Max > latestKnown)
            {
                throw new InvalidOperationException(
                    $"The database ({_connections.Description}) is at schema version {applied.Max}, but this build of OnCallBot " +
                    $"only knows versions up to {latestKnown}: a newer OnCallBot has upgraded it. Run that newer version, or " +
                    "restore a backup taken before the upgrade. Refusing to start so nothing is written in a format this build does not understand.");
            }

            var appliedNow = 0;
            foreach (var migration in _migrations)
            {
                if (applied.Contains(migration.Version))
                {
                    continue;
                }
                if (await ApplyAsync(connection, dialect, migration, cancellationToken))
                {
                    appliedNow++;
                }
            }

            if (appliedNow == 0)
            {
                Log.SchemaUpToDate(_logger, _connections.Description, latestKnown);
            }
            return latestKnown;
        }
        finally
        {
            if (locked)
            {
                await using var unlock = connection.CreateCommand("SELECT pg_advisory_unlock(@key)")
                    .WithParameter("@key", PostgresAdvisoryLockKey);
                await unlock.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
    }

    private async Task<bool> ApplyAsync(DbConnection connection, SqlDialect dialect, Migration migration, CancellationToken cancellationToken)
    {
        // On SQLite this is BEGIN IMMEDIATE: it takes the write lock, so the check below cannot race another process.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var applied = await ReadAppliedVersionsAsync(connection, transaction, cancellationToken);
        if (applied.Contains(migration.Version))
        {
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }
        try
        {
            await using (var command = connection.CreateCommand(migration.SqlFor(_connections.Provider), transaction))
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var record = connection.CreateCommand(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @applied_at)", transaction))
            {
                record.WithParameter("@version", migration.Version)
                    .WithParameter("@name", migration.Name)
                    .WithParameter("@applied_at", dialect.ToDb(Instant.FromDateTimeOffset(_timeProvider.GetUtcNow())));
                await record.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbException ex)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            throw new InvalidOperationException(
                $"Migration {migration.Version} ({migration.Name}) failed on {_connections.Description} and was rolled back: {ex.Message}", ex);
        }
        Log.AppliedMigration(_logger, migration.Version, migration.Name, _connections.Description);
        return true;
    }

    private static async Task<SortedSet<int>> ReadAppliedVersionsAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var versions = new SortedSet<int>();
        await using var command = connection.CreateCommand("SELECT version FROM schema_migrations", transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        }
        return versions;
    }

    private static string CreateHistoryTableSql(StorageProvider provider) => provider switch
    {
        StorageProvider.Postgres =>
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)",
        _ =>
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    };

    /// <summary>The highest applied version, or null when the history table does not exist yet (never migrated).</summary>
    internal static async Task<int?> ReadSchemaVersionAsync(DbConnection connection, StorageProvider provider, CancellationToken cancellationToken)
    {
        var existsSql = provider == StorageProvider.Postgres
            ? "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'"
            : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
        await using (var exists = connection.CreateCommand(existsSql))
        {
            if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                return null;
            }
        }
        await using var max = connection.CreateCommand("SELECT MAX(version) FROM schema_migrations");
        var value = await max.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? 0 : Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
