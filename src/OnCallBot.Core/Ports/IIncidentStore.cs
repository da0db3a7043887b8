using OnCallBot.Core.Paging;

namespace OnCallBot.Core.Ports;

/// <summary>Port to where incidents, their audit trail and their page messages are kept.</summary>
public interface IIncidentStore
{
    /// <summary>
    /// Saves a new incident (its <see cref="Incident.Number"/> is ignored and assigned by the store) with its first
    /// events, atomically. When an incident with the same <see cref="Incident.IdempotencyKey"/> exists, nothing is
    /// written and that incident comes back with <c>Created = false</c>: a retried request never pages twice.
    /// </summary>
    Task<(Incident Incident, bool Created)> CreateAsync(Incident incident, IReadOnlyList<IncidentEvent> events, CancellationToken cancellationToken);

    Task<Incident?> GetAsync(long number, CancellationToken cancellationToken);

    /// <summary>
    /// Saves <paramref name="updated"/> and appends <paramref name="events"/> atomically, only if the stored version
    /// is <c>updated.Version - 1</c>; returns false (and writes nothing) when someone else changed it first.
    /// </summary>
    Task<bool> TryUpdateAsync(Incident updated, IReadOnlyList<IncidentEvent> events, CancellationToken cancellationToken);

    /// <summary>Appends events that record something without changing the incident (a notification sent, say).</summary>
    Task AppendEventsAsync(IReadOnlyList<IncidentEvent> events, CancellationToken cancellationToken);

    /// <summary>The audit trail of an incident, oldest first.</summary>
    Task<IReadOnlyList<IncidentEvent>> GetEventsAsync(long number, CancellationToken cancellationToken);

    /// <summary>
    /// Claims the right to notify one person on one platform for one escalation step. Returns false when that
    /// notification was already claimed (before a crash, say): the caller must not send it again.
    /// </summary>
    Task<bool> TryClaimNotificationAsync(Notification notification, CancellationToken cancellationToken);

    /// <summary>Records where a claimed notification's message was delivered, so it can be updated later.</summary>
    Task SetNotificationMessageAsync(long incidentNumber, int step, string userId, string platform, DeliveredMessage message, CancellationToken cancellationToken);

    Task<IReadOnlyList<Notification>> GetNotificationsAsync(long incidentNumber, CancellationToken cancellationToken);

    /// <summary>Incidents still paging (triggered) that notified <paramref name="userId"/>, newest first.</summary>
    Task<IReadOnlyList<Incident>> GetTriggeredIncidentsNotifyingAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Triggered incidents with an escalation step still to run: what the scheduler must hold after a restart.</summary>
    Task<IReadOnlyList<Incident>> GetPendingEscalationsAsync(CancellationToken cancellationToken);
}
