using Moq;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using OnCallBot.Storage.Migrations;
using OnCallBot.Storage.Tests.Infrastructure;
using OnCallBot.TestKit;

namespace OnCallBot.Storage.Tests;

public sealed class MigrationTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    private static MigrationRunner Runner(IDbConnectionFactory factory, IReadOnlyList<Migration>? migrations = null, TimeProvider? clock = null) =>
        new(factory, clock ?? new FakeTimeProvider(Start), NullLogger<MigrationRunner>.Instance, migrations ?? MigrationCatalog.All);

    private static readonly Migration AddExtraTable = new(
        2, "extra table",
        Sqlite: "CREATE TABLE extra (x INTEGER NOT NULL);",
        Postgres: "CREATE TABLE extra (x INTEGER NOT NULL);");

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task MigrateAsync_EmptyDatabase_CreatesTablesAndRecordsEachVersion(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var factory = db.CreateConnectionFactory();

        var version = await Runner(factory).MigrateAsync(CancellationToken.None);

        Assert.Equal(MigrationCatalog.LatestVersion, version);
        Assert.Equal(MigrationCatalog.All.Count, await db.CountAsync("SELECT COUNT(*) FROM schema_migrations"));
        Assert.Equal("config snapshots and schedule overrides", await db.ScalarAsync("SELECT name FROM schema_migrations WHERE version = 1"));
        Assert.Equal(0, await db.CountAsync("SELECT COUNT(*) FROM config_snapshots"));
        Assert.Equal(0, await db.CountAsync("SELECT COUNT(*) FROM schedule_overrides"));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task MigrateAsync_Restarted_AppliesNothingAgainAndKeepsData(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using (var first = db.CreateConnectionFactory())
        {
            await Runner(first).MigrateAsync(CancellationToken.None);
        }
        await db.ScalarAsync(
            "INSERT INTO config_snapshots (source_path, content, sha256, loaded_at) VALUES ('a.yaml', 'x', 'abc', " +
            (provider == StorageProvider.Postgres ? "now()" : "'2026-01-05T09:00:00.000000Z'") + ")");
        var appliedAt = await db.ScalarAsync("SELECT applied_at FROM schema_migrations WHERE version = 1");

        await using (var second = db.CreateConnectionFactory())
        {
            await Runner(second, clock: new FakeTimeProvider(Start.AddDays(1))).MigrateAsync(CancellationToken.None);
        }

        Assert.Equal(MigrationCatalog.All.Count, await db.CountAsync("SELECT COUNT(*) FROM schema_migrations"));
        Assert.Equal(appliedAt, await db.ScalarAsync("SELECT applied_at FROM schema_migrations WHERE version = 1"));
        Assert.Equal(1, await db.CountAsync("SELECT COUNT(*) FROM config_snapshots"));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task MigrateAsync_NewMigrationAdded_AppliesOnlyTheNewOne(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var factory = db.CreateConnectionFactory();
        await Runner(factory, [MigrationCatalog.All[0]]).MigrateAsync(CancellationToken.None);

        var version = await Runner(factory, [MigrationCatalog.All[0], AddExtraTable], new FakeTimeProvider(Start.AddHours(1)))
            .MigrateAsync(CancellationToken.None);

        Assert.Equal(2, version);
        Assert.Equal(2, await db.CountAsync("SELECT COUNT(*) FROM schema_migrations"));
        Assert.Equal("extra table", await db.ScalarAsync("SELECT name FROM schema_migrations WHERE version = 2"));
        Assert.Equal(0, await db.CountAsync("SELECT COUNT(*) FROM extra"));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task MigrateAsync_MigrationFails_RollsBackThatMigrationAndKeepsEarlierOnes(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var factory = db.CreateConnectionFactory();
        var broken = new Migration(
            2, "half broken",
            Sqlite: "CREATE TABLE extra (x INTEGER NOT NULL); INSERT INTO no_such_table VALUES (1);",
            Postgres: "CREATE TABLE extra (x INTEGER NOT NULL); INSERT INTO no_such_table VALUES (1);");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Runner(factory, [MigrationCatalog.All[0], broken]).MigrateAsync(CancellationToken.None));

        Assert.Contains("Migration 2 (half broken) failed", error.Message);
        Assert.Equal(1, await db.CountAsync("SELECT COUNT(*) FROM schema_migrations"));
        Assert.Equal(1L, Convert.ToInt64(await db.ScalarAsync("SELECT MAX(version) FROM schema_migrations")));
        var extraTables = provider == StorageProvider.Postgres
            ? "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'extra'"
            : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'extra'";
        Assert.Equal(0, await db.CountAsync(extraTables));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task MigrateAsync_DatabaseNewerThanCode_RefusesWithClearMessageAndChangesNothing(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var factory = db.CreateConnectionFactory();
        await Runner(factory, [MigrationCatalog.All[0], AddExtraTable]).MigrateAsync(CancellationToken.None);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Runner(factory, [MigrationCatalog.All[0]]).MigrateAsync(CancellationToken.None));

        Assert.Contains("schema version 2", error.Message);
        Assert.Contains("only knows versions up to 1", error.Message);
        Assert.Equal(2, await db.CountAsync("SELECT COUNT(*) FROM schema_migrations"));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task MigrateAsync_TwoHostsAtOnce_ApplyEachMigrationExactlyOnce(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var factoryA = db.CreateConnectionFactory();
        await using var factoryB = db.CreateConnectionFactory();
        IReadOnlyList<Migration> migrations = [MigrationCatalog.All[0], AddExtraTable];

        var versions = await Task.WhenAll(
            Task.Run(() => Runner(factoryA, migrations).MigrateAsync(CancellationToken.None)),
            Task.Run(() => Runner(factoryB, migrations).MigrateAsync(CancellationToken.None)));

        Assert.Equal([2, 2], versions);
        Assert.Equal(2, await db.CountAsync("SELECT COUNT(*) FROM schema_migrations"));
    }

    [Fact]
    public void MigrationCatalog_Versions_AreNumberedFromOneWithoutGaps()
    {
        Assert.Equal(Enumerable.Range(1, MigrationCatalog.All.Count), MigrationCatalog.All.Select(m => m.Version));
    }

    [Fact]
    public void MigrationCatalog_Tables_NeverUseTheSchedulersPrefix()
    {
        var created = MigrationCatalog.All
            .SelectMany(m => new[] { m.Sqlite, m.Postgres })
            .SelectMany(sql => Regex.Matches(sql, @"CREATE\s+(?:TABLE|INDEX)\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", RegexOptions.IgnoreCase))
            .Select(match => match.Groups[1].Value)
            .ToList();

        Assert.NotEmpty(created);
        Assert.DoesNotContain(created, name => name.StartsWith("qrtz_", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void MigrationRunner_VersionsOutOfOrder_IsRejected()
    {
        var factory = new Mock<IDbConnectionFactory>().Object;

        var error = Assert.Throws<ArgumentException>(() => Runner(factory, [AddExtraTable]));

        Assert.Contains("numbered 1, 2, 3", error.Message);
    }
}
