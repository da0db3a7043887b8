using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OnCallBot.Storage;

namespace OnCallBot.Storage.Tests.Infrastructure;

/// <summary>
/// A fresh, empty database for one test: a SQLite file in its own temp directory (not created yet, so the store's
/// "create the directory on first start" is exercised), or a PostgreSQL schema of its own (or a database of its own,
/// where a test needs everything unqualified to land in isolation) on the server named by ONCALLBOT_TEST_POSTGRES.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly Func<Task> _cleanup;

    private TestDatabase(StorageProvider provider, string connectionString, Func<Task> cleanup)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _cleanup = cleanup;
    }

    public StorageProvider Provider { get; }

    public string ConnectionString { get; }

    public string ProviderName => Provider == StorageProvider.Postgres ? StorageOptions.PostgresProvider : StorageOptions.SqliteProvider;

    public StorageOptions Options => new() { Provider = ProviderName, ConnectionString = ConnectionString };

    /// <summary>Configuration keys for AddOnCallStorage / AddOnCallScheduling.</summary>
    public Dictionary<string, string?> Configuration => new()
    {
        ["Storage:Provider"] = ProviderName,
        ["Storage:ConnectionString"] = ConnectionString,
    };

    internal DbConnectionFactory CreateConnectionFactory() =>
        new(Microsoft.Extensions.Options.Options.Create(Options), NullLogger<DbConnectionFactory>.Instance);

    /// <summary>Runs SQL on the test database (through the store's own connection factory) and returns the first column of the first row.</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var factory = CreateConnectionFactory();
        await using var connection = await factory.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }

    public async Task<long> CountAsync(string sql) =>
        Convert.ToInt64(await ScalarAsync(sql), System.Globalization.CultureInfo.InvariantCulture);

    public static Task<TestDatabase> CreateAsync(StorageProvider provider, bool ownPostgresDatabase = false) => provider switch
    {
        StorageProvider.Sqlite => Task.FromResult(CreateSqlite()),
        StorageProvider.Postgres => ownPostgresDatabase ? CreatePostgresDatabaseAsync() : CreatePostgresSchemaAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };

    private static TestDatabase CreateSqlite()
    {
        var directory = Path.Combine(Path.GetTempPath(), "oncallbot-tests", Guid.NewGuid().ToString("N"));
        var file = Path.Combine(directory, "nested", "oncallbot.db");
        return new TestDatabase(StorageProvider.Sqlite, $"Data Source={file}", () =>
        {
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
            return Task.CompletedTask;
        });
    }

    private static async Task<TestDatabase> CreatePostgresSchemaAsync()
    {
        var baseConnectionString = PostgresTestServer.ConnectionString
            ?? throw new InvalidOperationException(PostgresTestServer.SkipReason);
        var schema = "t_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync(baseConnectionString, $"CREATE SCHEMA {schema}");
        var builder = new NpgsqlConnectionStringBuilder(baseConnectionString) { SearchPath = schema };
        return new TestDatabase(StorageProvider.Postgres, builder.ConnectionString, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(baseConnectionString, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
        });
    }

    private static async Task<TestDatabase> CreatePostgresDatabaseAsync()
    {
        var baseConnectionString = PostgresTestServer.ConnectionString
            ?? throw new InvalidOperationException(PostgresTestServer.SkipReason);
        var database = "t_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync(baseConnectionString, $"CREATE DATABASE {database}");
        var builder = new NpgsqlConnectionStringBuilder(baseConnectionString) { Database = database };
        return new TestDatabase(StorageProvider.Postgres, builder.ConnectionString, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(baseConnectionString, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        });
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public ValueTask DisposeAsync() => new(_cleanup());
}
