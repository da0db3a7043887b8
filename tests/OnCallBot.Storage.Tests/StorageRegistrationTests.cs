using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Moq;
using NodaTime;
using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;
using OnCallBot.Core.Ports;
using OnCallBot.Storage.Migrations;
using OnCallBot.Storage.Tests.Infrastructure;

namespace OnCallBot.Storage.Tests;

public sealed class StorageRegistrationTests
{
    private static IHost BuildHost(IDictionary<string, string?> configuration, Action<IServiceCollection>? before = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(configuration);
        before?.Invoke(builder.Services);
        builder.Services.AddOnCallStorage();
        return builder.Build();
    }

    [Fact]
    public async Task AddOnCallStorage_UnknownProvider_StopsStartNamingTheAllowedValues()
    {
        using var host = BuildHost(new Dictionary<string, string?> { ["Storage:Provider"] = "mysql" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Storage:Provider is 'mysql'", error.Message);
        Assert.Contains("'sqlite'", error.Message);
        Assert.Contains("'postgres'", error.Message);
    }

    [Fact]
    public async Task AddOnCallStorage_PostgresWithoutConnectionString_StopsStartSayingWhichKeyToSet()
    {
        using var host = BuildHost(new Dictionary<string, string?> { ["Storage:Provider"] = "postgres" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Storage:ConnectionString is required when Storage:Provider is 'postgres'", error.Message);
        Assert.Contains("Host=", error.Message);
    }

    [Fact]
    public async Task AddOnCallStorage_MalformedConnectionString_StopsStartWithoutEchoingIt()
    {
        using var host = BuildHost(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            ["Storage:ConnectionString"] = "Host=db;Password=hunter2;Colour=blue",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("not a valid PostgreSQL connection string", error.Message);
        Assert.DoesNotContain("hunter2", error.Message);
    }

    [Theory]
    [InlineData("Host=db.internal;Database=oncall;Username=bot;Password=x", 20)]
    [InlineData("Host=db.internal;Database=oncall;Username=bot;Password=x;Maximum Pool Size=7", 7)]
    [InlineData("Host=db.internal;Database=oncall;Username=bot;Password=x;MaxPoolSize=50", 50)]
    public void StorageSettings_Postgres_PoolCappedUnlessTheConnectionStringSays(string connectionString, int expected)
    {
        // Two pools per host (store and scheduler) at Npgsql's default 100 ran a stock server out of connections in a storm.
        var settings = StorageSettings.Resolve(new StorageOptions { Provider = "Postgres", ConnectionString = connectionString });

        Assert.Equal(expected, new Npgsql.NpgsqlConnectionStringBuilder(settings.ConnectionString).MaxPoolSize);
    }

    [Fact]
    public void StorageSettings_Postgres_DescriptionNamesHostAndDatabaseButNotThePassword()
    {
        var settings = StorageSettings.Resolve(new StorageOptions
        {
            Provider = "Postgres",
            ConnectionString = "Host=db.internal;Port=6543;Database=oncall;Username=bot;Password=hunter2",
        });

        Assert.Equal(StorageProvider.Postgres, settings.Provider);
        Assert.Equal("postgres db.internal:6543/oncall", settings.Description);
        Assert.DoesNotContain("hunter2", settings.Description);
    }

    [Fact]
    public void StorageSettings_NoSettings_DefaultsToSqliteFileUnderDataInTheCurrentDirectory()
    {
        var settings = StorageSettings.Resolve(new StorageOptions());

        Assert.Equal(StorageProvider.Sqlite, settings.Provider);
        Assert.Equal(Path.GetFullPath(Path.Combine("data", "oncallbot.db")), settings.SqliteFilePath);
    }

    [Fact]
    public void StorageSettings_InMemorySqlite_IsRefused()
    {
        var error = Assert.Throws<InvalidOperationException>(
            () => StorageSettings.Resolve(new StorageOptions { ConnectionString = "Data Source=:memory:" }));

        Assert.Contains("in-memory", error.Message);
    }

    [Fact]
    public async Task AddOnCallStorage_Sqlite_MigratesWhileStartingCreatesTheDirectoryAndReportsHealthy()
    {
        await using var db = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        using var host = BuildHost(db.Configuration);

        await host.StartAsync();
        try
        {
            var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

            var store = report.Entries["store"];
            Assert.Equal(HealthStatus.Healthy, store.Status);
            Assert.Equal("sqlite", store.Data["provider"]);
            Assert.Equal(MigrationCatalog.LatestVersion, store.Data["schema_version"]);
            Assert.Equal(MigrationCatalog.LatestVersion, await db.CountAsync("SELECT MAX(version) FROM schema_migrations"));
            Assert.Equal("wal", await db.ScalarAsync("PRAGMA journal_mode"));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task StoreHealthCheck_SchemaNotMigrated_ReportsUnhealthyWithTheVersions()
    {
        await using var db = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        using var host = BuildHost(db.Configuration);

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var store = report.Entries["store"];
        Assert.Equal(HealthStatus.Unhealthy, store.Status);
        Assert.Contains("schema is at version 0", store.Description);
    }

    [Fact]
    public async Task StoreHealthCheck_DatabaseUnreachable_ReportsUnhealthy()
    {
        using var host = BuildHost(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            // Port 1 on loopback: nothing listens, so the connection is refused at once.
            ["Storage:ConnectionString"] = "Host=127.0.0.1;Port=1;Database=x;Username=x;Password=x;Timeout=2",
        });

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var store = report.Entries["store"];
        Assert.Equal(HealthStatus.Unhealthy, store.Status);
        Assert.Contains("cannot be reached", store.Description);
        Assert.Equal("postgres", store.Data["provider"]);
    }

    [Fact]
    public void AddOnCallStorage_CalledTwice_RegistersOneMigrationServiceFirstAndOneHealthCheck()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IHostedService, OtherHostedService>();

        services.AddOnCallStorage();
        services.AddOnCallStorage();

        var hosted = services.Where(d => d.ServiceType == typeof(IHostedService)).ToList();
        Assert.Equal(typeof(MigrationHostedService), hosted[0].ImplementationType);
        Assert.Single(hosted, d => d.ImplementationType == typeof(MigrationHostedService));
        using var provider = services.AddLogging().BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value;
        Assert.Single(options.Registrations, r => r.Name == "store");
    }

    [Fact]
    public void AddOnCallStorage_PartRegisteredBefore_KeepsIt()
    {
        var replacement = new Mock<IOverrideStore>().Object;
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton(replacement);

        services.AddOnCallStorage();

        using var provider = services.BuildServiceProvider();
        Assert.Same(replacement, provider.GetRequiredService<IOverrideStore>());
        Assert.Same(replacement, provider.GetRequiredService<IOverrideSource>());
    }

    [Fact]
    public async Task AddOnCallStorage_StoresResolvedFromTheContainer_ShareOneDatabase()
    {
        await using var db = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        using var host = BuildHost(db.Configuration);
        await host.StartAsync();
        try
        {
            var store = host.Services.GetRequiredService<IOverrideStore>();
            var start = Instant.FromUtc(2026, 1, 5, 9, 0);
            var added = new ScheduleOverride(Guid.NewGuid(), "primary", "U1", start, start + Duration.FromHours(8), "U2", start, null);

            await store.AddAsync(added, CancellationToken.None);

            var source = host.Services.GetRequiredService<IOverrideSource>();
            Assert.Equal([added], await source.GetOverridesAsync("primary", new Interval(start, start + Duration.FromDays(1)), CancellationToken.None));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task AddOnCallStorage_InboundRequestStore_ResolvedAndMigratedAtStart()
    {
        await using var db = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        using var host = BuildHost(db.Configuration);
        await host.StartAsync();
        try
        {
            var requests = host.Services.GetRequiredService<IInboundRequestStore>();
            var now = Instant.FromUtc(2026, 1, 5, 9, 0);

            Assert.True(await requests.TryClaimAsync("slack:trigger:1", now, now + Duration.FromMinutes(11), CancellationToken.None));
            Assert.False(await requests.TryClaimAsync("slack:trigger:1", now, now + Duration.FromMinutes(11), CancellationToken.None));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private sealed class OtherHostedService : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
