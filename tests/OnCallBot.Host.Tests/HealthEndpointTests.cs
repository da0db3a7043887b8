using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OnCallBot.Host.Hosting;
using Quartz;
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
    /// Quartz starts its scheduler once the host has started, a moment after the server is up; /healthz answers from
    /// the background probe's latest run. So: wait for Quartz's "scheduler started" event, run a probe through the
    /// service, then ask. The request is made as if from <paramref name="remote"/> (the in-memory test server has no
    /// address of its own), with <paramref name="headers"/>.
    /// </summary>
    private static async Task<(HttpStatusCode Status, string Body)> HealthOnceStartedAsync(
        WebApplicationFactory<Program> factory, IPAddress remote, params (string Name, string Value)[] headers)
    {
        _ = factory.Server;
        var scheduler = await factory.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var started = new StartedListener();
        scheduler.ListenerManager.AddSchedulerListener(started);
        // Added before looking, so a start between the two is not missed.
        if (scheduler.Status != SchedulerStatus.Running)
        {
            await started.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        await factory.Services.GetRequiredService<HealthProbe>().ProbeNowAsync();
        return await HealthAsync(factory, remote, headers);
    }

    private sealed class StartedListener : ISchedulerListener
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask SchedulerStarted(IScheduler scheduler, CancellationToken cancellationToken = default)
        {
            Started.TrySetResult();
            return ValueTask.CompletedTask;
        }
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
    public async Task Healthz_BeforeTheFirstProbeCompletes_Answers503StartingAtOnce()
    {
        var hanging = new GatedCheck();
        await using var factory = Factory(ExampleConfig).WithWebHostBuilder(web => web.ConfigureServices(
            services => services.AddHealthChecks().AddCheck("hanging", hanging)));

        _ = factory.Server;
        await hanging.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var starting = await HealthAsync(factory, IPAddress.Loopback, []);
        hanging.Release.TrySetResult();
        var afterwards = await HealthOnceStartedAsync(factory, IPAddress.Loopback);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, starting.Status);
        using var body = JsonDocument.Parse(starting.Body);
        Assert.Equal("Starting", body.RootElement.GetProperty("status").GetString());
        Assert.True(afterwards.Status == HttpStatusCode.OK, afterwards.Body);
    }

    [Fact]
    public async Task Healthz_WhileAProbeHangs_AnswersAtOnceFromTheLastResultsWithTheirAge()
    {
        var hanging = new GatedCheck();
        await using var factory = Factory(ExampleConfig).WithWebHostBuilder(web => web.ConfigureServices(
            services => services.AddHealthChecks().AddCheck("hanging", hanging)));
        _ = factory.Server;
        await hanging.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        hanging.Release.TrySetResult();
        await HealthOnceStartedAsync(factory, Remote);
        hanging.Hang();

        // The next run waits on the hanging check; the endpoint does not.
        var probe = factory.Services.GetRequiredService<HealthProbe>();
        var stuck = probe.ProbeNowAsync();
        await hanging.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var during = await HealthAsync(factory, Remote, []);
        hanging.Release.TrySetResult();
        await stuck;

        Assert.Equal(HttpStatusCode.OK, during.Status);
        using var body = JsonDocument.Parse(during.Body);
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        Assert.True(body.RootElement.GetProperty("age_seconds").GetDouble() >= 0, during.Body);
        Assert.True(DateTimeOffset.TryParse(body.RootElement.GetProperty("checked_at").GetString(), CultureInfo.InvariantCulture, out _), during.Body);
    }

    /// <summary>A check that blocks until the test releases it, and says when a run has reached it.</summary>
    private sealed class GatedCheck : IHealthCheck
    {
        public TaskCompletionSource Entered { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Hang()
        {
            Entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
            Release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var release = Release.Task;
            Entered.TrySetResult();
            await release.WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy("released");
        }
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
