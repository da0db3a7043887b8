using Microsoft.Extensions.Logging;
using NodaTime;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using Quartz;

namespace OnCallBot.Scheduling.Coordination;

/// <summary>
/// Coordination's timers as Quartz triggers in the persistent store, so they survive restarts and, on PostgreSQL, fire
/// on one host of the cluster: in group <c>coordination</c>, one trigger per incident and kind
/// (<c>status-reminder-{n}</c>, <c>archive-{n}</c>) for one shared durable job per kind
/// (<see cref="StatusReminderJob"/>, <see cref="ArchiveChannelsJob"/>; <see cref="OpenChannelsJob"/> only runs
/// <c>open-channels-{n}</c> triggers stored by versions before the outbox). Scheduling again
/// replaces the incident's pending trigger of that kind. A trigger that came due while no host ran fires at once when
/// one starts (misfire instruction FireNow).
/// </summary>
internal sealed class QuartzCoordinationScheduler(ISchedulerFactory schedulers, TimeProvider time, ILogger<QuartzCoordinationScheduler> logger)
    : ICoordinationScheduler
{
    public Task ScheduleStatusReminderAsync(long incidentNumber, Instant dueAt, CancellationToken cancellationToken) =>
        ScheduleAsync(CoordinationWork.StatusReminder, incidentNumber, dueAt, cancellationToken);

    public async Task CancelStatusReminderAsync(long incidentNumber, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(incidentNumber);
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var removed = await scheduler.UnscheduleJob(CoordinationWakeUp.TriggerKeyFor(CoordinationWork.StatusReminder, incidentNumber), cancellationToken);
        Log.StatusReminderCancelled(logger, IncidentReference.Format(incidentNumber), removed);
    }

    public Task ScheduleArchiveAsync(long incidentNumber, Instant at, CancellationToken cancellationToken) =>
        ScheduleAsync(CoordinationWork.ArchiveChannels, incidentNumber, at, cancellationToken);

    private async Task ScheduleAsync(CoordinationWork work, long incidentNumber, Instant dueAt, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(incidentNumber);
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await ScheduleOnAsync(scheduler, work, new CoordinationWakeUp(incidentNumber, dueAt), time.GetUtcNow(), cancellationToken);
        Log.CoordinationScheduled(logger, CoordinationWakeUp.Name(work), IncidentReference.Format(incidentNumber), dueAt.ToDateTimeOffset());
    }

    /// <summary>
    /// Stores the wake-up's trigger (replacing the incident's pending one of that kind) together with its job, to fire at
    /// its due time or at <paramref name="notBefore"/>, whichever is later.
    /// </summary>
    internal static async Task ScheduleOnAsync(IScheduler scheduler, CoordinationWork work, CoordinationWakeUp wakeUp, DateTimeOffset notBefore, CancellationToken cancellationToken)
    {
        // A start already past would wait for Quartz's misfire sweep once older than the misfire threshold; the job
        // reads the real due time from its data to say how late it ran.
        var due = wakeUp.DueAt.ToDateTimeOffset();
        var trigger = TriggerBuilder.Create()
            .WithIdentity(CoordinationWakeUp.TriggerKeyFor(work, wakeUp.IncidentNumber))
            .ForJob(CoordinationWakeUp.JobKeyFor(work))
            .UsingJobData(wakeUp.ToJobData())
            .StartAt(due > notBefore ? due : notBefore)
            .WithSimpleSchedule(schedule => schedule.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .AsCoordination()
            .Build();
        // Storing the job with the trigger, in one transaction, keeps this working where the job was never added.
        await scheduler.ScheduleJob(CoordinationJob.DetailOf(work), [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken);
    }
}
