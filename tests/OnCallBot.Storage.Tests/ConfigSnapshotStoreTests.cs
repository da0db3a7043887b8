using NodaTime;
using OnCallBot.Core.Ports;
using OnCallBot.Storage.Tests.Infrastructure;

namespace OnCallBot.Storage.Tests;

public sealed class ConfigSnapshotStoreTests
{
    private static readonly Instant LoadedAt = Instant.FromUtc(2026, 1, 5, 9, 0, 0) + Duration.FromTicks(1_234_560); // 0.123456 s: the store keeps microseconds

    private static ConfigSnapshot Snapshot(char hashDigit, string content, Instant loadedAt) =>
        new("/etc/oncallbot/oncall.yaml", content, new string(hashDigit, 64), loadedAt);

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task GetLatestAsync_NothingSaved_ReturnsNull(StorageProvider provider)
    {
        await using var store = await MigratedStore.CreateAsync(provider);

        Assert.Null(await store.Snapshots.GetLatestAsync(CancellationToken.None));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task SaveAsync_ThenGetLatest_ReturnsTheSnapshotAsSaved(StorageProvider provider)
    {
        await using var store = await MigratedStore.CreateAsync(provider);
        var content = "schedules:\n  - id: primary\n    name: \"Primary — ünïcode\"\n";
        var snapshot = Snapshot('a', content, LoadedAt);

        await store.Snapshots.SaveAsync(snapshot, CancellationToken.None);

        Assert.Equal(snapshot, await store.Snapshots.GetLatestAsync(CancellationToken.None));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task SaveAsync_SameHashAsLatest_IsNoOp(StorageProvider provider)
    {
        await using var store = await MigratedStore.CreateAsync(provider);
        var first = Snapshot('a', "v1", LoadedAt);
        await store.Snapshots.SaveAsync(first, CancellationToken.None);

        await store.Snapshots.SaveAsync(first with { LoadedAt = LoadedAt + Duration.FromHours(1) }, CancellationToken.None);

        Assert.Equal(1, await store.Database.CountAsync("SELECT COUNT(*) FROM config_snapshots"));
        Assert.Equal(first, await store.Snapshots.GetLatestAsync(CancellationToken.None));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task SaveAsync_HashDiffersInCaseOnly_IsTheSameHashAndANoOp(StorageProvider provider)
    {
        await using var store = await MigratedStore.CreateAsync(provider);
        await store.Snapshots.SaveAsync(Snapshot('a', "v1", LoadedAt), CancellationToken.None);

        await store.Snapshots.SaveAsync(Snapshot('A', "v1", LoadedAt + Duration.FromHours(1)), CancellationToken.None);

        Assert.Equal(1, await store.Database.CountAsync("SELECT COUNT(*) FROM config_snapshots"));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task SaveAsync_ContentChangedThenChangedBack_KeepsEachAndLatestIsTheLastSaved(StorageProvider provider)
    {
        await using var store = await MigratedStore.CreateAsync(provider);
        var v1 = Snapshot('a', "v1", LoadedAt);
        var v2 = Snapshot('b', "v2", LoadedAt + Duration.FromMinutes(1));
        var v1Again = Snapshot('a', "v1", LoadedAt + Duration.FromMinutes(2));

        await store.Snapshots.SaveAsync(v1, CancellationToken.None);
        await store.Snapshots.SaveAsync(v2, CancellationToken.None);
        Assert.Equal(v2, await store.Snapshots.GetLatestAsync(CancellationToken.None));
        await store.Snapshots.SaveAsync(v1Again, CancellationToken.None);

        Assert.Equal(3, await store.Database.CountAsync("SELECT COUNT(*) FROM config_snapshots"));
        Assert.Equal(v1Again, await store.Snapshots.GetLatestAsync(CancellationToken.None));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task SaveAsync_MalformedHash_ThrowsAndSavesNothing(StorageProvider provider)
    {
        await using var store = await MigratedStore.CreateAsync(provider);

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => store.Snapshots.SaveAsync(new ConfigSnapshot("a.yaml", "x", "not-a-hash", LoadedAt), CancellationToken.None));

        Assert.Contains("64 hexadecimal characters", error.Message);
        Assert.Null(await store.Snapshots.GetLatestAsync(CancellationToken.None));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task GetLatestAsync_SchemaMissing_ThrowsInsteadOfReturningNothing(StorageProvider provider)
    {
        await using var store = await MigratedStore.CreateAsync(provider, migrate: false);

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => store.Snapshots.GetLatestAsync(CancellationToken.None));
    }
}
