using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using OnCallBot.Core.Paging;
using Quartz;

namespace OnCallBot.Scheduling.Escalation;

/// <summary>
/// Once the Quartz scheduler has started, gives it back every escalation step pending in the store
/// (<see cref="PagingService.RescheduleAllPendingAsync"/>): an incident saved just before a crash, without its
/// wake-up, is escalated all the same. Runs after the store's migrations (they run while the host is starting,
/// before any hosted service) and after Quartz has started (it starts once the application has); a failure is
/// retried every <see cref="EscalationOptions.RetryDelay"/> until it succeeds or the host stops. Then, every
/// <see cref="SweepInterval"/>, it hands Quartz the steps overdue by more than <see cref="OverdueAfter"/>.
/// </summary>
internal sealed class EscalationReconciler(
    ISchedulerFactory schedulers,
    PagingService paging,
    IOptions<EscalationOptions> options,
    TimeProvider time,
    ILogger<EscalationReconciler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var scheduler = await schedulers.GetScheduler(stoppingToken);
        var started = new StartedListener();
        scheduler.ListenerManager.AddSchedulerListener(started);
        try
        {
            // Checked after subscribing, so a start in between is not missed.
            if (scheduler.Status == SchedulerStatus.Running)
            {
                started.Signal();
            }
            await started.Started.WaitAsync(stoppingToken);
        }
        finally
        {
            scheduler.ListenerManager.RemoveSchedulerListener(started.Name);
        }

        while (true)
        {
            try
            {
                Log.Reconciled(logger, await paging.RescheduleAllPendingAsync(stoppingToken));
                break;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Log.ReconcileFailed(logger, ex, options.Value.RetryDelay);
            }
            await Task.Delay(options.Value.RetryDelay, time, stoppingToken);
        }

        // A page's first step runs on the host that took the page, without a trigger (PromptStepRunner). A host that dies
        // with such steps queued hands them on at its next start, above; on PostgreSQL other hosts may run for good
        // without it, so every host also looks for steps long overdue and gives them to Quartz, which keeps the ones it
        // already holds.
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(SweepInterval, time, stoppingToken);
            try
            {
                var dueBefore = Instant.FromDateTimeOffset(time.GetUtcNow()) - Duration.FromTimeSpan(OverdueAfter);
                if (await paging.RescheduleOverdueAsync(dueBefore, SweepLimit, stoppingToken) is var count and > 0)
                {
                    Log.OverdueRescheduled(logger, count, OverdueAfter);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Log.SweepFailed(logger, ex, SweepInterval);
            }
        }
    }

    /// <summary>How often each host looks for overdue steps.</summary>
    internal static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How late a step must be to count as overdue: well past a step's lease, so a step that is merely queued or running
    /// is left alone, and short enough that a lost first step still reaches someone within a few minutes.
    /// </summary>
    internal static readonly TimeSpan OverdueAfter = TimeSpan.FromMinutes(1);

    /// <summary>At most this many per sweep, oldest first: a backlog is worked through over several sweeps, not all at once.</summary>
    internal const int SweepLimit = 500;

    private sealed class StartedListener : ISchedulerListener
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name { get; } = "escalation-reconciler-" + Guid.NewGuid().ToString("N");

        public Task Started => _started.Task;

        public void Signal() => _started.TrySetResult();

        public ValueTask SchedulerStarted(IScheduler scheduler, CancellationToken cancellationToken = default)
        {
            Signal();
            return ValueTask.CompletedTask;
        }
    }
}
