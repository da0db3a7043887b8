using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Paging;
using Quartz;

namespace OnCallBot.Scheduling.Coordination;

/// <summary>
/// Runs one kind of coordination work for the incident its trigger names, through <see cref="CoordinationService"/>.
/// One shared durable job per kind, the incident riding on each trigger, as escalation does. The service's work is
/// safe to run twice (opening skips platforms that have a channel, a reminder not yet due does nothing).
/// </summary>
/// <remarks>
/// A failed run is not left to Quartz (which would drop a one-shot trigger after the failure): the same work is
/// scheduled again after <see cref="CoordinationJobOptions.RetryDelay"/>, unless the run got as far as scheduling its own
/// successor (a reminder that moved the clock on), which is then kept. The job asks for recovery, so work cut short by a
/// crashed host is run again by the host that recovers it.
/// </remarks>
internal abstract class CoordinationJob(
    CoordinationService coordination,
    IOptions<CoordinationJobOptions> options,
    TimeProvider time,
    ILogger logger) : IJob
{
    private static readonly Dictionary<CoordinationWork, IJobDetail> Details = new()
    {
        [CoordinationWork.OpenChannels] = Build<OpenChannelsJob>(CoordinationWork.OpenChannels, "Opens the incident channels of the incident its trigger names"),
        [CoordinationWork.StatusReminder] = Build<StatusReminderJob>(CoordinationWork.StatusReminder, "Reminds who owes the status update of the incident its trigger names"),
        [CoordinationWork.ArchiveChannels] = Build<ArchiveChannelsJob>(CoordinationWork.ArchiveChannels, "Archives the incident channels of the incident its trigger names"),
    };

    public static IJobDetail DetailOf(CoordinationWork work) => Details[work];

    protected abstract CoordinationWork Work { get; }

    protected abstract Task RunAsync(CoordinationService coordination, long incidentNumber, CancellationToken cancellationToken);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var what = CoordinationWakeUp.Name(Work);
        if (CoordinationWakeUp.FromJobData(context.MergedJobDataMap) is not { } wakeUp)
        {
            Log.CoordinationWakeUpUnreadable(logger, what, context.Trigger.Key.ToString());
            return;
        }
        var reference = IncidentReference.Format(wakeUp.IncidentNumber);
        try
        {
            await RunAsync(coordination, wakeUp.IncidentNumber, cancellationToken);
            Log.CoordinationRan(logger, what, reference, LatenessOf(wakeUp));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.CoordinationInterrupted(logger, what, reference);
            await RetryAsync(context.Scheduler, wakeUp, TimeSpan.Zero);
        }
#pragma warning disable CA1031 // Whatever failed, the work must not be lost: it is logged and retried.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.CoordinationFailed(logger, ex, what, reference, LatenessOf(wakeUp));
            await RetryAsync(context.Scheduler, wakeUp, options.Value.RetryDelay);
        }
    }

    private TimeSpan LatenessOf(CoordinationWakeUp wakeUp) => time.GetUtcNow() - wakeUp.DueAt.ToDateTimeOffset();

    private async Task RetryAsync(IScheduler scheduler, CoordinationWakeUp failed, TimeSpan delay)
    {
        var what = CoordinationWakeUp.Name(Work);
        var reference = IncidentReference.Format(failed.IncidentNumber);
        try
        {
            // Not the job's token: on shutdown it is already cancelled, and this is what keeps the work for later.
            var key = CoordinationWakeUp.TriggerKeyFor(Work, failed.IncidentNumber);
            if (await scheduler.GetTrigger(key, CancellationToken.None) is { NextFireTimeUtc: { } pending })
            {
                Log.CoordinationSuccessorKept(logger, what, reference, pending);
                return;
            }
            var now = time.GetUtcNow();
            var retryAt = Instant.FromDateTimeOffset(now + delay);
            // The original due time stays on the retry, so the log says how late the work finally ran.
            await QuartzCoordinationScheduler.ScheduleOnAsync(scheduler, Work, failed, now + delay, CancellationToken.None);
            Log.CoordinationRetryScheduled(logger, what, reference, retryAt.ToDateTimeOffset());
        }
#pragma warning disable CA1031 // Reported as critical: nothing else will bring this work back.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.CoordinationRetryNotScheduled(logger, ex, what, reference);
        }
    }

    private static IJobDetail Build<TJob>(CoordinationWork work, string description)
        where TJob : CoordinationJob =>
        JobBuilder.Create<TJob>()
            .WithIdentity(CoordinationWakeUp.JobKeyFor(work))
            .WithDescription(description)
            .StoreDurably()
            .RequestRecovery()
            .Build();
}

/// <summary>
/// Runs <c>open-channels-{n}</c> triggers stored by versions before the outbox (<see cref="CoordinationService.OpenChannelsAsync"/>
/// queues the opening); a page now queues it in the outbox itself.
/// </summary>
internal sealed class OpenChannelsJob(CoordinationService coordination, IOptions<CoordinationJobOptions> options, TimeProvider time, ILogger<OpenChannelsJob> logger)
    : CoordinationJob(coordination, options, time, logger)
{
    protected override CoordinationWork Work => CoordinationWork.OpenChannels;

    protected override Task RunAsync(CoordinationService coordination, long incidentNumber, CancellationToken cancellationToken) =>
        coordination.OpenChannelsAsync(incidentNumber, cancellationToken);
}

/// <summary>A status update is due (<see cref="CoordinationService.RunStatusReminderAsync"/>).</summary>
internal sealed class StatusReminderJob(CoordinationService coordination, IOptions<CoordinationJobOptions> options, TimeProvider time, ILogger<StatusReminderJob> logger)
    : CoordinationJob(coordination, options, time, logger)
{
    protected override CoordinationWork Work => CoordinationWork.StatusReminder;

    protected override Task RunAsync(CoordinationService coordination, long incidentNumber, CancellationToken cancellationToken) =>
        coordination.RunStatusReminderAsync(incidentNumber, cancellationToken);
}

/// <summary>Archives a resolved incident's channels (<see cref="CoordinationService.ArchiveChannelsAsync"/>).</summary>
internal sealed class ArchiveChannelsJob(CoordinationService coordination, IOptions<CoordinationJobOptions> options, TimeProvider time, ILogger<ArchiveChannelsJob> logger)
    : CoordinationJob(coordination, options, time, logger)
{
    protected override CoordinationWork Work => CoordinationWork.ArchiveChannels;

    protected override Task RunAsync(CoordinationService coordination, long incidentNumber, CancellationToken cancellationToken) =>
        coordination.ArchiveChannelsAsync(incidentNumber, cancellationToken);
}
