using Microsoft.Extensions.Logging;
using OnCallBot.Core.Paging;
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
/// The run itself, and its retry after a failure, is <see cref="EscalationStepRunner"/>'s. The job asks for recovery,
/// so a step cut short by a crashed host is run again by the host that recovers it.
/// </remarks>
internal sealed class EscalationStepJob(EscalationStepRunner runner, ILogger<EscalationStepJob> logger) : IJob
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
        await runner.RunAsync(wakeUp, cancellationToken);
    }
}
