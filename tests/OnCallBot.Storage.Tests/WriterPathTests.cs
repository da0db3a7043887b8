using Microsoft.Data.Sqlite;
using NodaTime;
using OnCallBot.Core.Paging;
using OnCallBot.Storage.Incidents;
using OnCallBot.Storage.Tests.Infrastructure;

namespace OnCallBot.Storage.Tests;

/// <summary>
/// One writer path: writes of this process take turns through <see cref="IDbConnectionFactory.BeginWriteAsync"/>
/// (on SQLite a gate per file and BEGIN IMMEDIATE, in a WAL file), so a burst of pages queues instead of failing or
/// spinning in SQLite's busy handler.
/// </summary>
public sealed class WriterPathTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly Instant PagedAt = Instant.FromUtc(2026, 3, 29, 2, 0, 0);
    private static readonly Actor Olivia = new("slack", "UOLIVIA", "Olivia", "olivia");

    private static Incident NewIncident(string key) =>
        new(0, "Checkout returns 500s", "checkout", null, IncidentStatus.Triggered, PagedAt, Olivia,
            null, null, null, null, EscalationState.Start(PagedAt), key, Version: 1);

    private static IncidentEvent Created() =>
        new(0, PagedAt, IncidentEventKind.Created, "Olivia", "Olivia paged Checkout (checkout): Checkout returns 500s", []);

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task ConcurrentWriters_FiftyPagesCreatedAndNotifiedAtOnce_AllSucceedAndNoneIsLost(StorageProvider provider)
    {
        await using var store = await MigratedStore.CreateAsync(provider);
        // Two factories on one database, as the bot and the CLI (or two hosts) would be.
        await using var otherFactory = store.Database.CreateConnectionFactory();
        var stores = new[] { new SqlIncidentStore(store.Factory), new SqlIncidentStore(otherFactory) };

        var pages = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            var incidents = stores[i % 2];
            var (incident, created) = await incidents.CreateAsync(NewIncident($"burst-{i}"), [Created()], None);
            var claimed = await incidents.TryClaimNotificationAsync(new Notification(incident.Number, 0, 0, "alice", "slack", PagedAt, null), None);
            await incidents.SetNotificationMessageAsync(incident.Number, 0, "alice", "slack", new DeliveredMessage("slack", "DALICE", $"m{i}"), PagedAt, None);
            var updated = await incidents.TryUpdateAsync(incident with { Summary = $"page {i}", Version = incident.Version + 1 }, [], None);
            return (created, claimed, updated);
        })).ToList();
        var results = await Task.WhenAll(pages).WaitAsync(Bound);

        Assert.All(results, r => Assert.Equal((true, true, true), r));
        Assert.Equal(50, await store.Database.CountAsync("SELECT COUNT(*) FROM incidents"));
        Assert.Equal(50, await store.Database.CountAsync("SELECT COUNT(DISTINCT summary) FROM incidents WHERE version = 2"));
        Assert.Equal(50, await store.Database.CountAsync("SELECT COUNT(*) FROM incident_events"));
        Assert.Equal(50, await store.Database.CountAsync("SELECT COUNT(*) FROM incident_notifications WHERE message_id IS NOT NULL"));
    }

    [Fact]
    public async Task Migrate_SqliteFile_IsInWalModeInTheFileItself()
    {
        await using var store = await MigratedStore.CreateAsync(StorageProvider.Sqlite);

        // A plain connection, not the store's: WAL must be a property of the file, so Quartz's connections have it too.
        await using var plain = new SqliteConnection(store.Database.ConnectionString);
        await plain.OpenAsync();
        await using var command = plain.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";

        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task OpenAsync_Sqlite_SynchronousFullAndABusyTimeout()
    {
        await using var store = await MigratedStore.CreateAsync(StorageProvider.Sqlite);

        Assert.Equal(2L, await store.Database.ScalarAsync("PRAGMA synchronous"));
        Assert.Equal((long)DbConnectionFactory.SqliteBusyTimeoutMilliseconds, await store.Database.ScalarAsync("PRAGMA busy_timeout"));
    }

    [Fact]
    public async Task BeginWriteAsync_Sqlite_HoldsTheFilesWriteLockFromTheStart()
    {
        await using var store = await MigratedStore.CreateAsync(StorageProvider.Sqlite);

        await using var write = await store.Factory.BeginWriteAsync(None);
        // Another process (no gate; the driver gives up retrying after a second) cannot start writing:
        // BEGIN IMMEDIATE took the lock before any statement ran, so this transaction never fails upgrading a read lock.
        await using var outsider = new SqliteConnection(store.Database.ConnectionString + ";Default Timeout=1");
        await outsider.OpenAsync();
        await using var noWait = outsider.CreateCommand();
        noWait.CommandText = "BEGIN IMMEDIATE";
        var busy = await Assert.ThrowsAsync<SqliteException>(() => noWait.ExecuteNonQueryAsync());

        Assert.Equal(5, busy.SqliteErrorCode); // SQLITE_BUSY
    }

    [Fact]
    public async Task BeginWriteAsync_SqliteWhileAnotherWriteOfThisProcessIsOpen_WaitsAtTheGateAndCanBeCancelled()
    {
        await using var store = await MigratedStore.CreateAsync(StorageProvider.Sqlite);
        await using var otherFactory = store.Database.CreateConnectionFactory();
        var first = await store.Factory.BeginWriteAsync(None);
        using var cancel = new CancellationTokenSource();

        // Queued behind the first at the process's gate for this file, not inside SQLite: cancelling frees it at once.
        var second = otherFactory.BeginWriteAsync(cancel.Token);
        Assert.False(second.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second.WaitAsync(Bound));

        // And the next writer gets in once the first is done.
        await first.DisposeAsync();
        await using var third = await otherFactory.BeginWriteAsync(None).WaitAsync(Bound);
        await third.CommitAsync(None);
    }
}
