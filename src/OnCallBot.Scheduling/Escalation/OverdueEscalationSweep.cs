using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;
using OnCallBot.Core.Paging;

namespace OnCallBot.Scheduling.Escalation;

/// <summary>
/// Every <see cref="SweepInterval"/>, gives Quartz the escalation steps overdue by more than <see cref="OverdueAfter"/>
/// (<see cref="PagingService.RescheduleOverdueAsync"/>). A page's first step runs on the host that took the page,
/// without a trigger (<see cref="PromptStepRunner"/>); a host that dies with such steps queued hands them on at its
/// next start (<see cref="EscalationReconciler"/>), but on PostgreSQL the other hosts may run for good without it.
/// Quartz keeps the wake-ups it already holds, so on a healthy host a sweep only reads.
/// </summary>
internal sealed class OverdueEscalationSweep(PagingService paging, TimeProvider time, ILogger<OverdueEscalationSweep> logger) : BackgroundService
{
    /// <summary>How often each host looks for overdue steps.</summary>
    internal static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How late a step must be to count as overdue: past a step's lease (30 s by default), so a step that is merely
    /// queued or running is normally left alone, and short enough that a lost first step still reaches someone within
    /// about two minutes.
    /// </summary>
    internal static readonly TimeSpan OverdueAfter = TimeSpan.FromMinutes(1);

    /// <summary>At most this many per sweep, oldest first: a backlog is worked through over several sweeps, not all at once.</summary>
    internal const int SweepLimit = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
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
}
