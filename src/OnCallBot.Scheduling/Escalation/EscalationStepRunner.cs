using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;

namespace OnCallBot.Scheduling.Escalation;

/// <summary>
/// Runs one escalation wake-up (<see cref="PagingService.RunEscalationStepAsync"/>) and never lets it be lost: the
/// outcome is logged, and a step that failed or was cut short by shutdown is handed back to the Quartz scheduler from
/// the incident's state in the store. Shared by the Quartz job and by <see cref="PromptStepRunner"/>, so a step runs
/// the same way whichever woke it.
/// </summary>
/// <remarks>
/// A failed step is not left to Quartz (which would drop a one-shot trigger after the failure): it is rescheduled
/// after <see cref="EscalationOptions.RetryDelay"/>, so an outage of a chat platform or of the store delays escalation
/// instead of ending it.
/// </remarks>
internal sealed class EscalationStepRunner(
    PagingService paging,
    IIncidentStore store,
    IEscalationScheduler scheduler,
    IOptions<EscalationOptions> options,
    TimeProvider time,
    ILogger<EscalationStepRunner> logger)
{
    public async Task RunAsync(EscalationWakeUp wakeUp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wakeUp);
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
            // Not the caller's token: on shutdown it is already cancelled, and this is what keeps the step for later.
            var incident = await store.GetAsync(failed.IncidentNumber, CancellationToken.None);
            if (incident is not { Status: IncidentStatus.Triggered, Escalation.NextStepDueAt: { } due })
            {
                Log.NothingToRetry(logger, reference, failed.Step);
                return;
            }
            var step = incident.Escalation.Step;
            var earliest = Instant.FromDateTimeOffset(time.GetUtcNow()) + Duration.FromTimeSpan(delay);
            var retryAt = step == failed.Step && due < earliest ? earliest : due;
            // Always a Quartz trigger, never this host's prompt lane: the retry must outlive this process.
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
