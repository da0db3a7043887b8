using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace OnCallBot.Host.Hosting;

/// <summary>The results of one run of every health check, and when that run finished.</summary>
internal sealed record HealthSnapshot(HealthReport Report, DateTimeOffset CompletedAt);

/// <summary>
/// Runs the health checks in the background, once the host has started and then every <c>Health:CheckInterval</c>,
/// and keeps the latest results for <c>/healthz</c>. A check that waits on a busy database then delays only the
/// next snapshot, never the endpoint: a load balancer's probe gets an answer at once, with the results' age.
/// </summary>
internal sealed partial class HealthProbe(
    HealthCheckService checks,
    TimeProvider time,
    IOptions<HealthOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<HealthProbe> logger) : BackgroundService
{
    // One run at a time: a run asked for while the timer's run is under way waits for it, then runs afresh.
    private readonly SemaphoreSlim _oneRun = new(1, 1);
    private volatile HealthSnapshot? _latest;

    /// <summary>The latest completed run's results; null until the first run has completed.</summary>
    public HealthSnapshot? Latest => _latest;

    /// <summary>Runs every check now and makes the results the latest.</summary>
    public async Task<HealthSnapshot> ProbeNowAsync(CancellationToken cancellationToken = default)
    {
        await _oneRun.WaitAsync(cancellationToken);
        try
        {
            var report = await checks.CheckHealthAsync(cancellationToken);
            var snapshot = new HealthSnapshot(report, time.GetUtcNow());
            _latest = snapshot;
            return snapshot;
        }
        finally
        {
            _oneRun.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Until the host has started, the scheduler has not either: a first run before then would report it down.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            var healthy = false;
            try
            {
                healthy = (await ProbeNowAsync(stoppingToken)).Report.Status == HealthStatus.Healthy;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // HealthCheckService turns a failing check into an Unhealthy entry; this is anything else. The last
                // results stay, and their growing age makes /healthz report the probe stuck.
                LogProbeFailed(logger, ex);
            }
            // While something is not healthy (the scheduler starting just after the host, a store coming back), look
            // again soon, so /healthz turns healthy within a second of it rather than a whole interval later.
            var interval = options.Value.CheckInterval;
            await Task.Delay(healthy || interval < RecheckWhileUnhealthy ? interval : RecheckWhileUnhealthy, time, stoppingToken);
        }
    }

    /// <summary>How soon the probe runs again after a run that was not healthy.</summary>
    internal static readonly TimeSpan RecheckWhileUnhealthy = TimeSpan.FromSeconds(1);

    public override void Dispose()
    {
        _oneRun.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 9000, Level = LogLevel.Error, Message = "The background health probe failed; /healthz keeps the previous results")]
    private static partial void LogProbeFailed(ILogger logger, Exception exception);
}
