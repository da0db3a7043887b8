using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using OnCallBot.TestKit;

namespace OnCallBot.Host.Tests;

public sealed class HealthEndpointTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private WebApplicationFactory<Program> Factory(string? configPath) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web => web.ConfigureAppConfiguration((_, config) =>
            config.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:ConnectionString"] = _temp.SqliteConnectionString,
                ["OnCall:ConfigPath"] = configPath,
                ["OnCall:WatchForChanges"] = "false",
            })));

    [Fact]
    public async Task Healthz_WithExampleConfig_ReportsStoreSchedulerAndConfigHealthy()
    {
        await using var factory = Factory(Path.Combine(SharedFixtures.RepositoryRoot, "manifests", "oncall.example.yaml"));
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/healthz");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        var checks = body.RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("store").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("scheduler").GetProperty("status").GetString());
        Assert.Equal("4 services, 2 schedules, 7 users", checks.GetProperty("oncall-config").GetProperty("description").GetString());
        Assert.True(File.Exists(_temp.File("oncallbot.db")), "the SQLite store is created on first start");
    }

    [Fact]
    public async Task Healthz_WithoutConfig_IsDegradedAndSaysHowToFixIt()
    {
        await using var factory = Factory(configPath: "");
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/healthz");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Degraded", body.RootElement.GetProperty("status").GetString());
        Assert.Contains("OnCall:ConfigPath", body.RootElement.GetProperty("checks").GetProperty("oncall-config").GetProperty("description").GetString());
    }
}
