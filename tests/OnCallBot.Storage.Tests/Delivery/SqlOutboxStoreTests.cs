using OnCallBot.Core.Delivery;
using OnCallBot.Core.Ports;
using OnCallBot.Storage.Delivery;
using OnCallBot.Storage.Migrations;
using OnCallBot.Storage.Tests.Infrastructure;
using OnCallBot.TestKit;
using OnCallBot.TestKit.Delivery;

namespace OnCallBot.Storage.Tests.Delivery;

/// <summary>The SQL outbox on a real SQLite file, held to the port's contract (and InMemoryOutboxStore, its reference).</summary>
public sealed class SqliteOutboxStoreTests : OutboxStoreContractTests, IAsyncLifetime
{
    private readonly List<MigratedStore> _stores = [];

    protected override async Task<IOutboxStore> CreateStoreAsync()
    {
        var store = await MigratedStore.CreateAsync(StorageProvider.Sqlite);
        _stores.Add(store);
        return new SqlOutboxStore(store.Factory);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }
}

/// <summary>The SQL outbox on a real PostgreSQL schema (ONCALLBOT_TEST_POSTGRES), held to the port's contract.</summary>
[PostgresContract]
public sealed class PostgresOutboxStoreTests : OutboxStoreContractTests, IAsyncLifetime
{
    private readonly List<MigratedStore> _stores = [];

    protected override async Task<IOutboxStore> CreateStoreAsync()
    {
        var store = await MigratedStore.CreateAsync(StorageProvider.Postgres);
        _stores.Add(store);
        return new SqlOutboxStore(store.Factory);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }
}

/// <summary>What only the SQL outbox has: its table, made by migration 6.</summary>
public sealed class SqlOutboxMigrationTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task MigrateAsync_FreshStore_CreatesTheOutboxReadyForWork(StorageProvider provider)
    {
        await using var store = await MigratedStore.CreateAsync(provider);
        var outbox = new SqlOutboxStore(store.Factory);
        var now = NodaTime.Instant.FromUtc(2026, 1, 5, 9, 0, 0);

        var id = await outbox.EnqueueAsync(new OutboxEntry("slack", DeliveryLane.Urgent, 1, "page.update", Payload: "{}"), now, None);
        var claim = await outbox.TryClaimAsync(id, now, now + NodaTime.Duration.FromMinutes(2), None);

        Assert.Contains(MigrationCatalog.All, m => m.Version == 6);
        Assert.True(MigrationCatalog.LatestVersion >= 6);
        Assert.Equal(1, await store.Database.CountAsync("SELECT COUNT(*) FROM outbox"));
        Assert.Equal((id, 1), (claim!.Item.Id, claim.Item.Attempts));
    }
}

/// <summary>Skips a class's contract facts, with the reason and how to fix it, when ONCALLBOT_TEST_POSTGRES is not set.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class PostgresContractAttribute : ContractSkipAttribute
{
    public override string? Reason => PostgresTestServer.ConnectionString is null ? PostgresTestServer.SkipReason : null;
}
