using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OnCallBot.Host.Hosting;
using OnCallBot.TestKit;

namespace OnCallBot.Host.Tests;

public sealed class HealthProbeTests
{
    private static readonly HealthOptions Options = new() { CheckInterval = TimeSpan.FromSeconds(5) };

    private sealed class CountingCheck : IHealthCheck
    {
        private int _runs;

        public HealthStatus Status { get; set; } = HealthStatus.Healthy;

        public System.Threading.Channels.Channel<int> Runs { get; } = System.Threading.Channels.Channel.CreateUnbounded<int>();

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            Runs.Writer.TryWrite(Interlocked.Increment(ref _runs));
            return Task.FromResult(new HealthCheckResult(Status, "counted"));
        }
    }

    private sealed class StartedLifetime : IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _started = new();

        public void Start() => _started.Cancel();

        public CancellationToken ApplicationStarted => _started.Token;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }

    private static (HealthProbe Probe, CountingCheck Check, ServiceProvider Services) Probe(FakeTimeProvider time, StartedLifetime lifetime)
    {
        var check = new CountingCheck();
        var services = new ServiceCollection().AddLogging();
        services.AddHealthChecks().AddCheck("counted", check);
        var provider = services.BuildServiceProvider();
        var probe = new HealthProbe(
            provider.GetRequiredService<HealthCheckService>(),
            time,
            Microsoft.Extensions.Options.Options.Create(Options),
            lifetime,
            NullLogger<HealthProbe>.Instance);
        return (probe, check, provider);
    }

    private static async Task<int> NextRunAsync(CountingCheck check) =>
        await check.Runs.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    [Fact]
    public async Task Probe_AfterTheHostStarted_RunsAtOnceAndThenEveryInterval()
    {
        var time = new FakeTimeProvider();
        var lifetime = new StartedLifetime();
        var (probe, check, services) = Probe(time, lifetime);
        await using var _ = services;

        await probe.StartAsync(CancellationToken.None);
        Assert.Null(probe.Latest);
        lifetime.Start();
        Assert.Equal(1, await NextRunAsync(check));
        var firstAt = time.GetUtcNow();

        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(check.Runs.Reader.TryPeek(out var early), $"run {early} came before the interval");
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, await NextRunAsync(check));
        await probe.StopAsync(CancellationToken.None);

        Assert.NotNull(probe.Latest);
        Assert.True(probe.Latest.CompletedAt >= firstAt);
    }

    [Fact]
    public async Task Probe_AfterARunThatWasNotHealthy_LooksAgainWithinASecondUntilHealthy()
    {
        var time = new FakeTimeProvider();
        var lifetime = new StartedLifetime();
        var (probe, check, services) = Probe(time, lifetime);
        await using var _ = services;
        check.Status = HealthStatus.Unhealthy;

        await probe.StartAsync(CancellationToken.None);
        lifetime.Start();
        Assert.Equal(1, await NextRunAsync(check));
        check.Status = HealthStatus.Healthy;
        time.Advance(HealthProbe.RecheckWhileUnhealthy);
        Assert.Equal(2, await NextRunAsync(check));
        Assert.Equal(HealthStatus.Healthy, probe.Latest!.Report.Status);

        // Healthy again: back to the full interval.
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(check.Runs.Reader.TryPeek(out var early), $"run {early} came before the interval");
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(3, await NextRunAsync(check));
        await probe.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void Answer_BeforeTheFirstRun_Is503Starting()
    {
        var (status, body) = HealthEndpoints.Answer(null, DateTimeOffset.UnixEpoch, Options, showDetails: true);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, status);
        Assert.Equal("Starting", Json(body).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public void Answer_RecentResults_GivesTheirStatusAndAge()
    {
        var completed = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
        var snapshot = new HealthSnapshot(Report(HealthStatus.Degraded), completed);

        var (status, body) = HealthEndpoints.Answer(snapshot, completed.AddSeconds(3.5), Options, showDetails: false);

        using var json = Json(body);
        Assert.Equal(StatusCodes.Status200OK, status);
        Assert.Equal("Degraded", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(3.5, json.RootElement.GetProperty("age_seconds").GetDouble());
        Assert.Equal("2026-01-05T09:00:00.0000000+00:00", json.RootElement.GetProperty("checked_at").GetString());
        Assert.False(json.RootElement.TryGetProperty("checks", out _));
    }

    [Fact]
    public void Answer_ResultsOlderThanThreeIntervals_Is503UnhealthySayingAProbeHangs()
    {
        var completed = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
        var snapshot = new HealthSnapshot(Report(HealthStatus.Healthy), completed);

        var (fresh, _) = HealthEndpoints.Answer(snapshot, completed.AddSeconds(15), Options, showDetails: false);
        var (stale, body) = HealthEndpoints.Answer(snapshot, completed.AddSeconds(16), Options, showDetails: false);

        using var json = Json(body);
        Assert.Equal(StatusCodes.Status200OK, fresh);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, stale);
        Assert.Equal("Unhealthy", json.RootElement.GetProperty("status").GetString());
        Assert.Contains("hanging", json.RootElement.GetProperty("description").GetString());
    }

    [Theory]
    [InlineData("00:00:00.5", false)]
    [InlineData("00:00:01", true)]
    [InlineData("00:10:00", true)]
    [InlineData("00:10:01", false)]
    public void IsValidCheckInterval_FollowsTheRange(string interval, bool expected)
    {
        Assert.Equal(expected, HealthOptions.IsValidCheckInterval(TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static HealthReport Report(HealthStatus status) =>
        new(new Dictionary<string, HealthReportEntry>
        {
            ["store"] = new(status, "the store", TimeSpan.Zero, null, null),
        }, TimeSpan.Zero);

    private static JsonDocument Json(object body) => JsonDocument.Parse(JsonSerializer.Serialize(body));
}
