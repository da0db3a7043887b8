using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OnCallBot.Storage;

namespace OnCallBot.Scheduling.Tests;

public sealed class SchedulingRegistrationTests
{
    private static IConfiguration Configuration(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();

    [Fact]
    public void AddOnCallScheduling_UnknownProvider_ThrowsNamingTheAllowedValues()
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<InvalidOperationException>(
            () => services.AddOnCallScheduling(Configuration(("Storage:Provider", "oracle"))));

        Assert.Contains("Storage:Provider is 'oracle'", error.Message);
        Assert.Contains("'sqlite'", error.Message);
        Assert.Contains("'postgres'", error.Message);
    }

    [Fact]
    public void AddOnCallScheduling_PostgresWithoutConnectionString_ThrowsSayingWhichKeyToSet()
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<InvalidOperationException>(
            () => services.AddOnCallScheduling(Configuration(("Storage:Provider", "postgres"))));

        Assert.Contains("Storage:ConnectionString is required", error.Message);
        Assert.Contains("Host=", error.Message);
    }

    [Fact]
    public void AddOnCallScheduling_Sqlite_AlsoAddsTheStoreWithItsMigrationsStartingFirst()
    {
        var services = new ServiceCollection();

        services.AddOnCallScheduling(Configuration(("Storage:ConnectionString", "Data Source=/tmp/not-opened/oncallbot.db")));

        var hosted = services.Where(d => d.ServiceType == typeof(IHostedService)).ToList();
        Assert.True(hosted.Count >= 2);
        Assert.Equal("MigrationHostedService", hosted[0].ImplementationType?.Name);
        Assert.Contains(services, d => d.ServiceType == typeof(IStorageMigrator));
        Assert.Contains(services, d => d.ServiceType == typeof(Quartz.ISchedulerFactory));
    }
}
