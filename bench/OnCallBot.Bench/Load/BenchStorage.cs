using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OnCallBot.Core.Ports;
using OnCallBot.Storage;

namespace OnCallBot.Bench.Load;

/// <summary>
/// A fresh store for one bench run: a SQLite file in the run's folder (the default), or a PostgreSQL database of its
/// own on the server named by <c>ONCALLBOT_TEST_POSTGRES</c> (as the storage tests get it), dropped afterwards.
/// </summary>
internal sealed class BenchStorage : IAsyncDisposable
{
    public const string PostgresVariable = "ONCALLBOT_TEST_POSTGRES";

    private readonly Func<Task> _cleanup;

    private BenchStorage(string provider, string connectionString, string description, Func<Task> cleanup)
    {
        Provider = provider;
        ConnectionString = connectionString;
        Description = description;
        _cleanup = cleanup;
    }

    public string Provider { get; }

    public string ConnectionString { get; }

    /// <summary>For the report: which engine (never the password).</summary>
    public string Description { get; }

    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Storage:Provider"] = Provider,
        ["Storage:ConnectionString"] = ConnectionString,
    };

    public static async Task<BenchStorage> CreateAsync(bool postgres, DirectoryInfo folder)
    {
        if (!postgres)
        {
            var file = Path.Combine(folder.FullName, "bench.db");
            return new BenchStorage(StorageOptions.SqliteProvider, $"Data Source={file}", "SQLite", () =>
            {
                SqliteConnection.ClearAllPools();
                return Task.CompletedTask;
            });
        }
        var server = Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value
            ? value
            : throw new BenchUsageException(
                $"--postgres needs {PostgresVariable}: run `bash .ci/postgres.sh start` and `source .ci/out/postgres.env` first.");
        var database = "bench_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync(server, $"CREATE DATABASE {database}");
        var builder = new NpgsqlConnectionStringBuilder(server) { Database = database };
        return new BenchStorage(StorageOptions.PostgresProvider, builder.ConnectionString, $"PostgreSQL ({builder.Host}:{builder.Port})", async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        });
    }

    /// <summary>
    /// Writes each person's DM channel into the store through the product's own storage code (migrating it first), as a
    /// bot that has messaged everyone before has it: the bot then reuses them instead of calling <c>conversations.open</c>.
    /// </summary>
    public async Task RememberDirectChannelsAsync(IEnumerable<(string SlackUserId, string ChannelId)> channels)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings.ToDictionary(kv => kv.Key, kv => (string?)kv.Value)).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddOnCallStorage();
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IStorageMigrator>().MigrateAsync(CancellationToken.None);
        var store = provider.GetRequiredService<IDirectConversationStore>();
        foreach (var (user, channel) in channels)
        {
            await store.RememberAsync("slack", user, channel, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync() => await _cleanup();

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
