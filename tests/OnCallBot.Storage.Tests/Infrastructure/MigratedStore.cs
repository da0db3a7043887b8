using Microsoft.Extensions.Logging.Abstractions;
using OnCallBot.Storage.Migrations;
using OnCallBot.Storage.Repositories;
using OnCallBot.TestKit;

namespace OnCallBot.Storage.Tests.Infrastructure;

/// <summary>A fresh database, migrated, with the store's repositories over it.</summary>
internal sealed class MigratedStore : IAsyncDisposable
{
    private MigratedStore(TestDatabase database, DbConnectionFactory factory)
    {
        Database = database;
        Factory = factory;
        Snapshots = new SqlConfigSnapshotStore(factory, NullLogger<SqlConfigSnapshotStore>.Instance);
        Overrides = new SqlOverrideStore(factory, NullLogger<SqlOverrideStore>.Instance);
    }

    public TestDatabase Database { get; }

    public DbConnectionFactory Factory { get; }

    public SqlConfigSnapshotStore Snapshots { get; }

    public SqlOverrideStore Overrides { get; }

    public static async Task<MigratedStore> CreateAsync(StorageProvider provider, bool migrate = true)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var factory = database.CreateConnectionFactory();
        if (migrate)
        {
            await new MigrationRunner(factory, new FakeTimeProvider(), NullLogger<MigrationRunner>.Instance)
                .MigrateAsync(CancellationToken.None);
        }
        return new MigratedStore(database, factory);
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Database.DisposeAsync();
    }
}
