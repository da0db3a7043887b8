using NodaTime;

namespace OnCallBot.Core.Ports;

/// <summary>
/// Port to the durable timer that wakes escalation up (Quartz). One pending wake-up per incident: scheduling
/// again replaces it. A wake-up that came due while the host was down runs as soon as it is back.
/// </summary>
public interface IEscalationScheduler
{
    /// <summary>Wakes <c>PagingService.RunEscalationStepAsync(incidentNumber, step)</c> at <paramref name="dueAt"/>.</summary>
    Task ScheduleStepAsync(long incidentNumber, int step, Instant dueAt, CancellationToken cancellationToken);

    /// <summary>Drops the incident's pending wake-up, if any.</summary>
    Task CancelAsync(long incidentNumber, CancellationToken cancellationToken);
}
