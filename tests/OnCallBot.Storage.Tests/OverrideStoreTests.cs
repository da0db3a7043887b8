using NodaTime;
using OnCallBot.Core.Model;
using OnCallBot.Storage.Tests.Infrastructure;

namespace OnCallBot.Storage.Tests;

public sealed class OverrideStoreTests
{
    private static readonly Instant Day = Instant.FromUtc(2026, 3, 29, 0, 0);
    private static readonly Instant CreatedAt = Instant.FromUtc(2026, 3, 1, 12, 0);

    private static Instant At(int hour, int minute = 0) => Day + Duration.FromHours(hour) + Duration.FromMinutes(minute);

    private static ScheduleOverride Override(Instant start, Instant end, Instant? createdAt = null, string scheduleId = "primary", string? reason = null) =>
        new(Guid.NewGuid(), scheduleId, "U-alice", start, end, "U-bob", createdAt ?? CreatedAt, reason);

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task AddAsync_ThenQueryWindow_ReturnsEveryFieldAsAdded(StorageProvider provider)
    {
        await using var store = await MigratedStore.CreateAsync(provider);
        var added = Override(At(9), At(17), reason: "swap for dentist");

        await store.Overrides.AddAsync(added, CancellationToken.None);

        var found = await store.Overrides.GetOverridesAsync("primary", new Interval(Day, Day + Duration.FromDays(1)), CancellationToken.None);
        Assert.Equal([added], found);
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task GetOverridesAsync_Window_ReturnsOnlyOverlappingOnesOrderedByCreatedAt(StorageProvider provider)
    {
        await using var store = await MigratedStore.CreateAsync(provider);
        // Window [10:00, 12:00). Created-at runs against insertion order, so the order asserted is created_at's.
        var touchingBefore = Override(At(8), At(10), CreatedAt + Duration.FromMinutes(9));
        var touchingAfter = Override(At(12), At(14), CreatedAt + Duration.FromMinutes(8));
        var overlapsStart = Override(At(9), At(11), CreatedAt + Duration.FromMinutes(7));
        var overlapsEnd = Override(At(11), At(13), CreatedAt + Duration.FromMinutes(6));
        var covers = Override(At(8), At(14), CreatedAt + Duration.FromMinutes(5));
        var exact = Override(At(10), At(12), CreatedAt + Duration.FromMinutes(4));
        var inside = Override(At(10, 30), At(11), CreatedAt + Duration.FromMinutes(3));
        var oneMicrosecondIn = Override(At(8), At(10) + Duration.FromTicks(10), CreatedAt + Duration.FromMinutes(2));
        var otherSchedule = Override(At(10), At(12), CreatedAt + Duration.FromMinutes(1), scheduleId: "secondary");
        foreach (var o in new[] { touchingBefore, touchingAfter, overlapsStart, overlapsEnd, covers, exact, inside, oneMicrosecondIn, otherSchedule })
        {
            await store.Overrides.AddAsync(o, CancellationToken.None);
        }

        var found = await store.Overrides.GetOverridesAsync("primary", new Interval(At(10), At(12)), CancellationToken.None);

        Assert.Equal(
            new[] { oneMicrosecondIn, inside, exact, covers, overlapsEnd, overlapsStart }.Select(o => o.Id),
            found.Select(o => o.Id));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task GetOverridesAsync_UnboundedWindow_ReturnsEveryOverrideOfTheSchedule(StorageProvider provider)
    {
        await using var store = await MigratedStore.CreateAsync(provider);
        var early = Override(At(1), At(2), CreatedAt);
        var late = Override(At(20), At(22), CreatedAt + Duration.FromMinutes(1));
        await store.Overrides.AddAsync(early, CancellationToken.None);
        await store.Overrides.AddAsync(late, CancellationToken.None);

        var untilNoon = await store.Overrides.GetOverridesAsync("primary", new Interval(null, At(12)), CancellationToken.None);
        var all = await store.Overrides.GetOverridesAsync("primary", new Interval(null, null), CancellationToken.None);

        Assert.Equal([early.Id], untilNoon.Select(o => o.Id));
        Assert.Equal([early.Id, late.Id], all.Select(o => o.Id));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task AddAsync_EndNotAfterStart_ThrowsAndStoresNothing(StorageProvider provider)
    {
        await using var store = await MigratedStore.CreateAsync(provider);
        var invalid = new[]
        {
            Override(At(10), At(10)),
            Override(At(12), At(10)),
            // Apart by less than the stored resolution: equal once stored, so refused rather than silently emptied.
            Override(At(10), At(10) + Duration.FromNanoseconds(500)),
        };

        foreach (var o in invalid)
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(() => store.Overrides.AddAsync(o, CancellationToken.None));
            Assert.Contains("must end after it starts", error.Message);
        }

        Assert.Equal(0, await store.Database.CountAsync("SELECT COUNT(*) FROM schedule_overrides"));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task AddAsync_DuplicateId_ThrowsAndKeepsTheOriginal(StorageProvider provider)
    {
        await using var store = await MigratedStore.CreateAsync(provider);
        var original = Override(At(9), At(17));
        await store.Overrides.AddAsync(original, CancellationToken.None);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => store.Overrides.AddAsync(original with { UserId = "U-mallory" }, CancellationToken.None));

        Assert.Contains(original.Id.ToString(), error.Message);
        var found = await store.Overrides.GetOverridesAsync("primary", new Interval(Day, At(24)), CancellationToken.None);
        Assert.Equal([original], found);
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task RemoveAsync_ExistingOverride_RemovesOnlyItAndReturnsTrue(StorageProvider provider)
    {
        await using var store = await MigratedStore.CreateAsync(provider);
        var removed = Override(At(9), At(17));
        var kept = Override(At(9), At(17), CreatedAt + Duration.FromMinutes(1));
        await store.Overrides.AddAsync(removed, CancellationToken.None);
        await store.Overrides.AddAsync(kept, CancellationToken.None);

        var result = await store.Overrides.RemoveAsync(removed.Id, CancellationToken.None);

        Assert.True(result);
        var found = await store.Overrides.GetOverridesAsync("primary", new Interval(Day, At(24)), CancellationToken.None);
        Assert.Equal([kept.Id], found.Select(o => o.Id));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task RemoveAsync_UnknownId_ReturnsFalse(StorageProvider provider)
    {
        await using var store = await MigratedStore.CreateAsync(provider);
        await store.Overrides.AddAsync(Override(At(9), At(17)), CancellationToken.None);

        Assert.False(await store.Overrides.RemoveAsync(Guid.NewGuid(), CancellationToken.None));
        Assert.Equal(1, await store.Database.CountAsync("SELECT COUNT(*) FROM schedule_overrides"));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task AddAsync_Instants_RoundTripToTheMicrosecondAndTruncateFiner(StorageProvider provider)
    {
        await using var store = await MigratedStore.CreateAsync(provider);
        var microsecondExact = Instant.FromUnixTimeTicks(Instant.FromUtc(2026, 10, 25, 0, 59, 59).ToUnixTimeTicks() + 9_999_990);
        var withNanoseconds = Instant.FromUtc(2099, 12, 31, 23, 59, 59) + Duration.FromNanoseconds(123_456_789);
        var added = new ScheduleOverride(Guid.NewGuid(), "primary", "U-alice", microsecondExact, withNanoseconds, "U-bob", withNanoseconds, null);

        await store.Overrides.AddAsync(added, CancellationToken.None);

        var read = Assert.Single(await store.Overrides.GetOverridesAsync("primary", new Interval(null, null), CancellationToken.None));
        Assert.Equal(microsecondExact, read.Start);
        var truncated = Instant.FromUtc(2099, 12, 31, 23, 59, 59) + Duration.FromNanoseconds(123_456_000);
        Assert.Equal(truncated, read.End);
        Assert.Equal(truncated, read.CreatedAt);
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task GetOverridesAsync_SchemaMissing_ThrowsInsteadOfReturningNothing(StorageProvider provider)
    {
        await using var store = await MigratedStore.CreateAsync(provider, migrate: false);

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(
            () => store.Overrides.GetOverridesAsync("primary", new Interval(Day, At(24)), CancellationToken.None));
    }
}
