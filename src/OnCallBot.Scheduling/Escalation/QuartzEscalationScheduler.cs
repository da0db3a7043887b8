using Microsoft.Extensions.Logging;
using NodaTime;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using Quartz;

namespace OnCallBot.Scheduling.Escalation;

/// <summary>
/// Escalation wake-ups as Quartz triggers in the persistent store (so they survive restarts and, on PostgreSQL, fire
/// on one host of the cluster): trigger <c>escalation-{number}-step-{step}</c> in group <c>escalation-{number}</c>,
/// at most one pending per incident, for the shared durable <see cref="EscalationStepJob"/>. A wake-up that came due while no host ran fires at once
/// when one starts (misfire instruction FireNow).
/// </summary>
/// <remarks>
/// Scheduling replaces the incident's pending wake-up, except one that is still waiting and already runs a later
/// step, or the same step no later. Steps only move forward, so such a request is stale: the start-up reconciler
/// racing a step that just ran (which would otherwise roll escalation back to a step that then does nothing), or
/// the same step asked for again later. A wake-up that is firing right now never counts as pending, so a step can
/// always schedule its successor or its own retry.
/// <para>A page's first step, due at once, goes to <see cref="PromptStepRunner"/> instead while the scheduler runs
/// (see there why, and why nothing is lost); a scheduler in standby runs nothing, that lane included.</para>
/// </remarks>
internal sealed class QuartzEscalationScheduler(ISchedulerFactory schedulers, PromptStepRunner prompt, TimeProvider time, ILogger<QuartzEscalationScheduler> logger)
    : IEscalationScheduler
{
    public async Task ScheduleStepAsync(long incidentNumber, int step, Instant dueAt, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(incidentNumber);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var reference = IncidentReference.Format(incidentNumber);
        if (step == 0 && dueAt <= Instant.FromDateTimeOffset(time.GetUtcNow())
            && scheduler.Status == SchedulerStatus.Running
            && prompt.TryRun(new EscalationWakeUp(incidentNumber, step, dueAt)))
        {
            Log.StepRunningNow(logger, reference, step);
            return;
        }
        var key = EscalationWakeUp.TriggerKeyFor(incidentNumber, step);
        var others = await scheduler.GetTriggerKeys(GroupMatcher<TriggerKey>.GroupEquals(EscalationWakeUp.GroupFor(incidentNumber)), cancellationToken);

        foreach (var other in others)
        {
            if (await scheduler.GetTrigger(other, cancellationToken) is { } existing
                && existing.NextFireTimeUtc is not null
                && EscalationWakeUp.FromJobData(existing.JobDataMap) is { } pending
                && (pending.Step > step || (pending.Step == step && pending.DueAt <= dueAt)))
            {
                Log.PendingWakeUpKept(logger, reference, pending.Step, pending.DueAt.ToDateTimeOffset(), step, dueAt.ToDateTimeOffset());
                return;
            }
        }

        // A start time already past would wait for Quartz's misfire sweep (up to a minute) once it is older than the
        // misfire threshold; the job reads the real due time from its data to say how late it ran.
        var now = time.GetUtcNow();
        var due = dueAt.ToDateTimeOffset();
        var trigger = TriggerBuilder.Create()
            .WithIdentity(key)
            .ForJob(EscalationStepJob.Key)
            .UsingJobData(new EscalationWakeUp(incidentNumber, step, dueAt).ToJobData())
            .StartAt(due > now ? due : now)
            .WithSimpleSchedule(schedule => schedule.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .AsEscalation()
            .Build();
        // Storing the job with the trigger, in one transaction, keeps this working even where the job was never added.
        await scheduler.ScheduleJob(EscalationStepJob.Detail, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken);
        // Earlier steps' wake-ups are superseded (one that is firing right now finishes; it is no longer pending).
        foreach (var other in others.Where(k => !k.Equals(key)))
        {
            await scheduler.UnscheduleJob(other, cancellationToken);
        }
        Log.StepScheduled(logger, reference, step, due);
    }

    public async Task CancelAsync(long incidentNumber, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(incidentNumber);
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var keys = await scheduler.GetTriggerKeys(GroupMatcher<TriggerKey>.GroupEquals(EscalationWakeUp.GroupFor(incidentNumber)), cancellationToken);
        var removed = false;
        foreach (var key in keys)
        {
            removed |= await scheduler.UnscheduleJob(key, cancellationToken);
        }
        Log.WakeUpCancelled(logger, IncidentReference.Format(incidentNumber), removed);
    }
}
