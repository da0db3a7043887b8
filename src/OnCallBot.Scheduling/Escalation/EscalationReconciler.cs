using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnCallBot.Core.Paging;
using Quartz;

namespace OnCallBot.Scheduling.Escalation;

/// <summary>
/// Once the Quartz scheduler has started, gives it back every escalation step pending in the store
/// (<see cref="PagingService.RescheduleAllPendingAsync"/>): an incident saved just before a crash, without its
/// wake-up, is escalated all the same. Runs after the store's migrations (they run while the host is starting,
/// before any hosted service) and after Quartz has started (it starts once the application has); a failure is
/// retried every <see cref="EscalationOptions.RetryDelay"/> until it succeeds or the host stops. Steps that fall
/// behind later are <see cref="OverdueEscalationSweep"/>'s.
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
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Log.ReconcileFailed(logger, ex, options.Value.RetryDelay);
            }
            await Task.Delay(options.Value.RetryDelay, time, stoppingToken);
        }
    }
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
