using NodaTime;
using OnCallBot.Storage.Inbound;
using OnCallBot.Storage.Tests.Infrastructure;

namespace OnCallBot.Storage.Tests.Inbound;

/// <summary>The SQL store of requests received lately, on a real SQLite file and a real PostgreSQL schema.</summary>
public sealed class InboundRequestStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    // Sub-microsecond on purpose: expiry is compared as stored.
    private static readonly Instant T0 = Instant.FromUtc(2026, 1, 5, 9, 0, 0) + Duration.FromTicks(1_234_567);
    private static readonly Duration Window = Duration.FromMinutes(11);

    private static async Task<(MigratedStore Store, SqlInboundRequestStore Requests)> OpenAsync(StorageProvider provider)
    {
        var store = await MigratedStore.CreateAsync(provider);
        return (store, new SqlInboundRequestStore(store.Factory));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task TryClaimAsync_SameKeyAgainWithinItsWindow_FirstClaimsAndTheRestAreRefused(StorageProvider provider)
    {
        var (store, requests) = await OpenAsync(provider);
        await using var _ = store;

        var first = await requests.TryClaimAsync("slack:trigger:1.2.abc", T0, T0 + Window, None);
        var replay = await requests.TryClaimAsync("slack:trigger:1.2.abc", T0 + Duration.FromMinutes(4), T0 + Duration.FromMinutes(4) + Window, None);
        var lastMoment = await requests.TryClaimAsync("slack:trigger:1.2.abc", T0 + Window - Duration.FromMilliseconds(1), T0 + Window + Window, None);
        var other = await requests.TryClaimAsync("slack:trigger:1.2.abd", T0, T0 + Window, None);

        Assert.Equal((true, false, false, true), (first, replay, lastMoment, other));
        Assert.Equal(2, await store.Database.CountAsync("SELECT COUNT(*) FROM inbound_requests"));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task TryClaimAsync_ClaimExpired_ClaimedAgainUntilTheNewExpiry(StorageProvider provider)
    {
        var (store, requests) = await OpenAsync(provider);
        await using var _ = store;
        await requests.TryClaimAsync("slack:event:Ev1", T0, T0 + Window, None);

        var afterExpiry = await requests.TryClaimAsync("slack:event:Ev1", T0 + Window, T0 + Window + Window, None);
        var againSoonAfter = await requests.TryClaimAsync("slack:event:Ev1", T0 + Window + Duration.FromSeconds(1), T0 + Window + Window, None);

        Assert.True(afterExpiry);
        Assert.False(againSoonAfter);
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task TryClaimAsync_NewStoreInstanceOnTheSameDatabase_StillRefusesTheReplay(StorageProvider provider)
    {
        var (store, requests) = await OpenAsync(provider);
        await using var _ = store;
        Assert.True(await requests.TryClaimAsync("slack:signature:9f86d0", T0, T0 + Window, None));

        // A restart (or another host): new connections and a new store, nothing shared in memory.
        await using var restarted = store.Database.CreateConnectionFactory();
        var replay = await new SqlInboundRequestStore(restarted).TryClaimAsync("slack:signature:9f86d0", T0 + Duration.FromMinutes(2), T0 + Duration.FromMinutes(2) + Window, None);

        Assert.False(replay);
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task ReleaseAsync_ClaimedKey_TheRedeliveryClaimsIt(StorageProvider provider)
    {
        var (store, requests) = await OpenAsync(provider);
        await using var _ = store;
        await requests.TryClaimAsync("slack:event:Ev2", T0, T0 + Window, None);

        await requests.ReleaseAsync("slack:event:Ev2", None);
        await requests.ReleaseAsync("slack:event:never-claimed", None);

        Assert.True(await requests.TryClaimAsync("slack:event:Ev2", T0 + Duration.FromSeconds(30), T0 + Window, None));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task TryClaimAsync_ConcurrentClaimsOfOneKeyFromTwoHosts_ExactlyOneWins(StorageProvider provider)
    {
        var (store, a) = await OpenAsync(provider);
        await using var _ = store;
        await using var otherHost = store.Database.CreateConnectionFactory();
        var b = new SqlInboundRequestStore(otherHost);
        var keys = Enumerable.Range(0, 10).Select(i => $"slack:trigger:{i}").ToList();

        var results = await Task.WhenAll(keys.SelectMany(key => new[] { a, b, a, b }.Select(s => Task.Run(async () =>
            (Key: key, Claimed: await s.TryClaimAsync(key, T0, T0 + Window, None))))));

        foreach (var group in results.GroupBy(r => r.Key))
        {
            Assert.Single(group, r => r.Claimed);
        }
        Assert.Equal(keys.Count, await store.Database.CountAsync("SELECT COUNT(*) FROM inbound_requests"));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task TryClaimAsync_AMinuteAfterTheLastPrune_DeletesExpiredRowsOnly(StorageProvider provider)
    {
        var (store, requests) = await OpenAsync(provider);
        await using var _ = store;
        async Task<long> CountAsync(string key) =>
            await store.Database.CountAsync($"SELECT COUNT(*) FROM inbound_requests WHERE request_key = '{key}'");
        await requests.TryClaimAsync("old", T0, T0 + Duration.FromSeconds(30), None);
        await requests.TryClaimAsync("recent", T0 + Duration.FromSeconds(10), T0 + Window, None);

        // "old" has expired, but the last prune (with the first claim) was under a minute ago: it is still there.
        await requests.TryClaimAsync("a", T0 + Duration.FromSeconds(45), T0 + Window, None);
        var beforePrune = await CountAsync("old");
        await requests.TryClaimAsync("b", T0 + SqlInboundRequestStore.PruneInterval, T0 + Window, None);

        Assert.Equal(1, beforePrune);
        Assert.Equal(0, await CountAsync("old"));
        Assert.Equal(3, await store.Database.CountAsync("SELECT COUNT(*) FROM inbound_requests"));
    }

    [Theory]
    [SqliteCase]
    public async Task TryClaimAsync_BadArguments_RefusedAndNothingWritten(StorageProvider provider)
    {
        var (store, requests) = await OpenAsync(provider);
        await using var _ = store;

        await Assert.ThrowsAsync<ArgumentException>(() => requests.TryClaimAsync(" ", T0, T0 + Window, None));
        await Assert.ThrowsAsync<ArgumentException>(() => requests.TryClaimAsync(new string('k', SqlInboundRequestStore.MaxKeyLength + 1), T0, T0 + Window, None));
        await Assert.ThrowsAsync<ArgumentException>(() => requests.TryClaimAsync("k", T0, T0 + Duration.FromTicks(2), None));
        await Assert.ThrowsAsync<ArgumentException>(() => requests.TryClaimAsync("k", T0, T0 - Duration.FromSeconds(1), None));

        Assert.Equal(0, await store.Database.CountAsync("SELECT COUNT(*) FROM inbound_requests"));
    }
}
