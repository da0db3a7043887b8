using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using Quartz;

namespace OnCallBot.Scheduling.Escalation;

/// <summary>
/// Runs the escalation step a trigger names (<see cref="PagingService.RunEscalationStepAsync"/>). One shared durable
/// job for every incident, the incident and step riding on each trigger: the per-incident state lives on the trigger,
/// which is what gets replaced and cancelled, and no job rows pile up. Steps of different incidents run in parallel;
/// two wake-ups of one step are serialized by the step's lease in the store: the second waits for the first's lease to
/// end and then finds the step done.
/// </summary>
/// <remarks>
/// A failed step is not left to Quartz (which would drop a one-shot trigger after the failure): it is rescheduled
/// after <see cref="EscalationOptions.RetryDelay"/>, from the incident's state in the store, so an outage of a chat
/// platform or of the store delays escalation instead of ending it. The job asks for recovery, so a step cut short
/// by a crashed host is run again by the host that recovers it.
/// </remarks>
internal sealed class EscalationStepJob(
    PagingService paging,
    IIncidentStore store,
    IEscalationScheduler scheduler,
    IOptions<EscalationOptions> options,
    TimeProvider time,
    ILogger<EscalationStepJob> logger) : IJob
{
    public static JobKey Key { get; } = new("escalation-step", EscalationWakeUp.Group);

    public static IJobDetail Detail { get; } = JobBuilder.Create<EscalationStepJob>()
        .WithIdentity(Key)
        .WithDescription("Runs the escalation step of the incident its trigger names")
        .StoreDurably()
        .RequestRecovery()
        .Build();

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (EscalationWakeUp.FromJobData(context.MergedJobDataMap) is not { } wakeUp)
        {
            // Nothing here says which incident to retry; the reconciler still finds it in the store at the next start.
            Log.WakeUpUnreadable(logger, context.Trigger.Key.ToString());
            return;
        }
        var reference = IncidentReference.Format(wakeUp.IncidentNumber);
        try
        {
            switch (await paging.RunEscalationStepAsync(wakeUp.IncidentNumber, wakeUp.Step, cancellationToken))
            {
                case EscalationStepOutcome.Busy busy:
                    Log.StepBusy(logger, reference, wakeUp.Step, busy.RetryAt.ToDateTimeOffset());
                    break;
                case EscalationStepOutcome.Superseded:
                    Log.StepSuperseded(logger, reference, wakeUp.Step);
                    break;
                case EscalationStepOutcome.NothingToDo:
                    Log.StepAlreadyDone(logger, reference, wakeUp.Step);
                    break;
                default:
                    Log.StepRan(logger, reference, wakeUp.Step, LatenessOf(wakeUp));
                    break;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.StepInterrupted(logger, reference, wakeUp.Step);
            await RetryAsync(wakeUp, TimeSpan.Zero);
        }
#pragma warning disable CA1031 // Whatever failed, the escalation must not be lost: it is logged and retried.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.StepFailed(logger, ex, reference, wakeUp.Step, LatenessOf(wakeUp));
            await RetryAsync(wakeUp, options.Value.RetryDelay);
        }
    }

    private TimeSpan LatenessOf(EscalationWakeUp wakeUp) => time.GetUtcNow() - wakeUp.DueAt.ToDateTimeOffset();

    /// <summary>
    /// Hands the incident's pending step back to the scheduler, as the store has it now: the failed step after
    /// <paramref name="delay"/>, or whatever step the failed run got to before it failed.
    /// </summary>
    private async Task RetryAsync(EscalationWakeUp failed, TimeSpan delay)
    {
        var reference = IncidentReference.Format(failed.IncidentNumber);
        try
        {
            // Not the job's token: on shutdown it is already cancelled, and this is what keeps the step for later.
            var incident = await store.GetAsync(failed.IncidentNumber, CancellationToken.None);
            if (incident is not { Status: IncidentStatus.Triggered, Escalation.NextStepDueAt: { } due })
            {
                Log.NothingToRetry(logger, reference, failed.Step);
                return;
            }
            var step = incident.Escalation.Step;
            var earliest = Instant.FromDateTimeOffset(time.GetUtcNow()) + Duration.FromTimeSpan(delay);
            var retryAt = step == failed.Step && due < earliest ? earliest : due;
            await scheduler.ScheduleStepAsync(failed.IncidentNumber, step, retryAt, CancellationToken.None);
            Log.StepRetryScheduled(logger, reference, step, retryAt.ToDateTimeOffset());
        }
#pragma warning disable CA1031 // Reported as critical; the store still holds the step for the next start's reconciler.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.RetryNotScheduled(logger, ex, reference, failed.Step);
        }
    }
}
