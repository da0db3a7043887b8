using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace OnCallBot.Storage;

internal sealed class DbConnectionFactory : IDbConnectionFactory, IAsyncDisposable, IDisposable
{
    // Long enough to wait out the scheduler's write transactions, short enough that a stuck lock surfaces as an error.
    internal const int SqliteBusyTimeoutMilliseconds = 30_000;

    private readonly StorageSettings _settings;
    private readonly ILogger<DbConnectionFactory> _logger;
    private readonly Lazy<NpgsqlDataSource>? _postgres;
    private readonly SemaphoreSlim _sqliteFirstOpen = new(1, 1);
    private readonly SemaphoreSlim? _sqliteWriter;
    private volatile bool _sqlitePrepared;

    // One writer gate per database file for the whole process, however many factories open it (a test's several
    // hosts, the CLI beside the bot): SQLite lets one transaction write at a time anyway, and waiting here costs an
    // async wait instead of a thread sleeping and retrying in SQLite's busy handler. Never disposed: a process opens
    // a handful of files.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> SqliteWriters = new(StringComparer.Ordinal);

    public DbConnectionFactory(IOptions<StorageOptions> options, ILogger<DbConnectionFactory> logger)
    {
        _settings = StorageSettings.Resolve(options.Value);
        _logger = logger;
        if (_settings.Provider == StorageProvider.Postgres)
        {
            _postgres = new Lazy<NpgsqlDataSource>(() => NpgsqlDataSource.Create(_settings.ConnectionString));
        }
        else
        {
            _sqliteWriter = SqliteWriters.GetOrAdd(_settings.SqliteFilePath ?? _settings.ConnectionString, _ => new SemaphoreSlim(1, 1));
        }
    }

    public StorageProvider Provider => _settings.Provider;

    public string Description => _settings.Description;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null)
        {
            return await _postgres.Value.OpenConnectionAsync(cancellationToken);
        }
        if (!_sqlitePrepared)
        {
            await PrepareSqliteFileAsync(cancellationToken);
        }
        return await OpenSqliteAsync(cancellationToken);
    }

    public async Task<StoreWrite> BeginWriteAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null)
        {
            var connection = await _postgres.Value.OpenConnectionAsync(cancellationToken);
            try
            {
                return new StoreWrite(connection, await connection.BeginTransactionAsync(cancellationToken), release: null);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }

        var gate = _sqliteWriter!;
        await gate.WaitAsync(cancellationToken);
        try
        {
            var connection = (SqliteConnection)await OpenAsync(cancellationToken);
            try
            {
                // Not deferred: BEGIN IMMEDIATE takes the write lock now (waiting out the scheduler within the busy
                // timeout), so no statement of this transaction can meet SQLITE_BUSY on upgrading a read lock.
                return new StoreWrite(connection, connection.BeginTransaction(deferred: false), () => gate.Release());
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    private async Task<SqliteConnection> OpenSqliteAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_settings.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            // FULL, stated rather than left to how SQLite was compiled: a page is accepted once its commit returns, and an
            // accepted page must survive a power cut, not only a crash of the bot (NORMAL in WAL mode would lose the last
            // commits then). In WAL mode FULL costs one sync of the log per commit. Per connection.
            command.CommandText = $"PRAGMA busy_timeout = {SqliteBusyTimeoutMilliseconds}; PRAGMA synchronous = FULL;";
            await command.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task PrepareSqliteFileAsync(CancellationToken cancellationToken)
    {
        await _sqliteFirstOpen.WaitAsync(cancellationToken);
        try
        {
            if (_sqlitePrepared)
            {
                return;
            }
            if (_settings.EnsureSqliteDirectory())
            {
                Log.CreatedDataDirectory(_logger, Path.GetDirectoryName(_settings.SqliteFilePath)!);
            }
            // WAL is a property of the file, so setting it once also covers the scheduler's connections: readers
            // then never block the writer.
            await using var connection = await OpenSqliteAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode = WAL;";
            var mode = (string?)await command.ExecuteScalarAsync(cancellationToken);
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(
                    $"SQLite refused WAL journaling for {_settings.Description} (journal mode is '{mode}'). WAL needs a local file system; " +
                    "move the database off a network share or switch Storage:Provider to postgres.");
            }
            _sqlitePrepared = true;
        }
        finally
        {
            _sqliteFirstOpen.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is { IsValueCreated: true })
        {
            await _postgres.Value.DisposeAsync();
        }
        _sqliteFirstOpen.Dispose();
    }

    public void Dispose()
    {
        if (_postgres is { IsValueCreated: true })
        {
            _postgres.Value.Dispose();
        }
        _sqliteFirstOpen.Dispose();
    }
}
