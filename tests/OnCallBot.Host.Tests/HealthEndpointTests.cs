using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using OnCallBot.TestKit;

namespace OnCallBot.Host.Tests;

public sealed class HealthEndpointTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly string ExampleConfig = Path.Combine(SharedFixtures.RepositoryRoot, "manifests", "oncall.example.yaml");
    private static readonly IPAddress Remote = IPAddress.Parse("203.0.113.7");

    private WebApplicationFactory<Program> Factory(string? configPath, string? showDetails = null) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            // Settings given to the host before Program runs, as an admin's would be: the scheduler reads the
            // store's settings while services are registered.
            web.UseSetting("Storage:ConnectionString", _temp.SqliteConnectionString)
                .UseSetting("OnCall:ConfigPath", configPath)
                .UseSetting("OnCall:WatchForChanges", "false");
            if (showDetails is not null)
            {
                web.UseSetting("Health:ShowDetails", showDetails);
            }
        });

    [Fact]
    public async Task Healthz_WithExampleConfig_ReportsStoreSchedulerAndConfigHealthy()
    {
        await using var factory = Factory(ExampleConfig);

        var (status, text) = await HealthOnceStartedAsync(factory, IPAddress.Loopback);
        using var body = JsonDocument.Parse(text);

        Assert.True(status == HttpStatusCode.OK, text);
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
    /// that (503, "never started"); ask again until it has, for at most ten seconds. The request is made as if from
    /// <paramref name="remote"/> (the in-memory test server has no address of its own), with <paramref name="headers"/>.
    /// </summary>
    private static async Task<(HttpStatusCode Status, string Body)> HealthOnceStartedAsync(
        WebApplicationFactory<Program> factory, IPAddress remote, params (string Name, string Value)[] headers)
    {
        var answer = await HealthAsync(factory, remote, headers);
        for (var attempt = 0; attempt < 100 && answer.Status == HttpStatusCode.ServiceUnavailable; attempt++)
        {
            await Task.Delay(100);
            answer = await HealthAsync(factory, remote, headers);
        }
        return answer;
    }

    private static async Task<(HttpStatusCode Status, string Body)> HealthAsync(
        WebApplicationFactory<Program> factory, IPAddress remote, (string Name, string Value)[] headers)
    {
        var context = await factory.Server.SendAsync(c =>
        {
            c.Request.Method = HttpMethods.Get;
            c.Request.Path = "/healthz";
            c.Connection.RemoteIpAddress = remote;
            foreach (var (name, value) in headers)
            {
                c.Request.Headers[name] = value;
            }
        });
        using var reader = new StreamReader(context.Response.Body);
        return ((HttpStatusCode)context.Response.StatusCode, await reader.ReadToEndAsync());
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

        var (status, text) = await HealthOnceStartedAsync(factory, IPAddress.Loopback);
        using var body = JsonDocument.Parse(text);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Degraded", body.RootElement.GetProperty("status").GetString());
        Assert.Contains("OnCall:ConfigPath", body.RootElement.GetProperty("checks").GetProperty("oncall-config").GetProperty("description").GetString());
    }

    [Fact]
    public async Task Healthz_ByDefault_GivesEveryoneTheStatusButDetailsOnlyToADirectLoopbackCaller()
    {
        await using var factory = Factory(ExampleConfig);

        var local = await HealthOnceStartedAsync(factory, IPAddress.Loopback);
        var localV6 = await HealthAsync(factory, IPAddress.IPv6Loopback, []);
        var remote = await HealthAsync(factory, Remote, []);
        var proxied = await HealthAsync(factory, IPAddress.Loopback, [("X-Forwarded-For", "198.51.100.20")]);

        Assert.True(local.Status == HttpStatusCode.OK, local.Body);
        Assert.Contains(_temp.File("oncallbot.db"), local.Body);
        Assert.Contains(ExampleConfig, localV6.Body);
        foreach (var hidden in new[] { remote, proxied })
        {
            Assert.Equal(HttpStatusCode.OK, hidden.Status);
            AssertStatusOnly(hidden.Body, "Healthy");
        }
    }

    [Fact]
    public async Task Healthz_ShowDetailsNever_HidesThemFromLoopbackToo()
    {
        await using var factory = Factory(configPath: "", showDetails: "never");

        var (status, text) = await HealthOnceStartedAsync(factory, IPAddress.Loopback);

        Assert.Equal(HttpStatusCode.OK, status);
        AssertStatusOnly(text, "Degraded");
    }

    [Fact]
    public async Task Healthz_ShowDetailsAlways_ShowsThemToARemoteCaller()
    {
        await using var factory = Factory(ExampleConfig, showDetails: "Always");

        var (status, text) = await HealthOnceStartedAsync(factory, Remote);
        using var body = JsonDocument.Parse(text);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("4 services, 2 schedules, 7 users", body.RootElement.GetProperty("checks").GetProperty("oncall-config").GetProperty("description").GetString());
    }

    [Fact]
    public async Task Start_ShowDetailsUnknown_StopsWithTheChoices()
    {
        await using var factory = Factory(ExampleConfig, showDetails: "sometimes");

        var refused = Assert.ThrowsAny<Exception>(() => factory.Server);

        Assert.Contains("Health:ShowDetails must be 'loopback'", refused.ToString());
    }

    private void AssertStatusOnly(string text, string expected)
    {
        using var body = JsonDocument.Parse(text);
        Assert.Equal(expected, body.RootElement.GetProperty("status").GetString());
        Assert.False(body.RootElement.TryGetProperty("checks", out _), text);
        Assert.DoesNotContain(_temp.Path, text);
    }
}
