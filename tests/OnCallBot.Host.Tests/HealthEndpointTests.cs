using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using OnCallBot.TestKit;

namespace OnCallBot.Host.Tests;

public sealed class HealthEndpointTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private WebApplicationFactory<Program> Factory(string? configPath) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            // Settings given to the host before Program runs, as an admin's would be: the scheduler reads the
            // store's settings while services are registered.
            .UseSetting("Storage:ConnectionString", _temp.SqliteConnectionString)
            .UseSetting("OnCall:ConfigPath", configPath)
            .UseSetting("OnCall:WatchForChanges", "false"));

    [Fact]
    public async Task Healthz_WithExampleConfig_ReportsStoreSchedulerAndConfigHealthy()
    {
        await using var factory = Factory(Path.Combine(SharedFixtures.RepositoryRoot, "manifests", "oncall.example.yaml"));
        using var client = factory.CreateClient();

        using var response = await HealthOnceStartedAsync(client);
        var text = await response.Content.ReadAsStringAsync();
        using var body = JsonDocument.Parse(text);

        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        var checks = body.RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("store").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("scheduler").GetProperty("status").GetString());
        Assert.Equal("4 services, 2 schedules, 7 users", checks.GetProperty("oncall-config").GetProperty("description").GetString());
        Assert.True(File.Exists(_temp.File("oncallbot.db")), "the SQLite store is created on first start");
        Assert.Contains(_temp.File("oncallbot.db"), checks.GetProperty("store").GetProperty("description").GetString());
        Assert.True(QuartzTableCount() > 0, "Quartz keeps its job store in the same database file");
    }

    /// <summary>
    /// Quartz starts its scheduler once the host has started, so the very first answer can come a moment before
    /// that (503, "never started"); ask again until it has, for at most ten seconds.
    /// </summary>
    private static async Task<HttpResponseMessage> HealthOnceStartedAsync(HttpClient client)
    {
        var response = await client.GetAsync("/healthz");
        for (var attempt = 0; attempt < 100 && response.StatusCode == HttpStatusCode.ServiceUnavailable; attempt++)
        {
            response.Dispose();
            await Task.Delay(100);
            response = await client.GetAsync("/healthz");
        }
        return response;
    }

    private long QuartzTableCount()
    {
        using var connection = new SqliteConnection(_temp.SqliteConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'qrtz_%'";
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task Healthz_WithoutConfig_IsDegradedAndSaysHowToFixIt()
    {
        await using var factory = Factory(configPath: "");
        using var client = factory.CreateClient();

        using var response = await HealthOnceStartedAsync(client);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Degraded", body.RootElement.GetProperty("status").GetString());
        Assert.Contains("OnCall:ConfigPath", body.RootElement.GetProperty("checks").GetProperty("oncall-config").GetProperty("description").GetString());
    }
}
