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

    /// <summary>
    /// Records where a claimed notification's message was delivered, so it can be updated later, and when the platform
    /// accepted it (the level's time to acknowledge counts from then).
    /// </summary>
    Task SetNotificationMessageAsync(long incidentNumber, int step, string userId, string platform, DeliveredMessage message, NodaTime.Instant deliveredAt, CancellationToken cancellationToken);

    /// <summary>Records that the platform refused a claimed notification, with its one-line reason, so a later run of the step can say so.</summary>
    Task SetNotificationFailedAsync(long incidentNumber, int step, string userId, string platform, string failure, CancellationToken cancellationToken);

    Task<IReadOnlyList<Notification>> GetNotificationsAsync(long incidentNumber, CancellationToken cancellationToken);

    /// <summary>Incidents still paging (triggered) that notified <paramref name="userId"/>, newest first.</summary>
    Task<IReadOnlyList<Incident>> GetTriggeredIncidentsNotifyingAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Triggered incidents with an escalation step still to run: what the scheduler must hold after a restart.</summary>
    Task<IReadOnlyList<Incident>> GetPendingEscalationsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Takes the lease on running escalation step <paramref name="step"/> of an incident for <paramref name="holder"/>,
    /// until <paramref name="now"/> + <paramref name="length"/>, atomically: at most one run of a step holds it at a
    /// time, on any host. Not taken while another holder's lease has not run out; taken over once it has (its host
    /// died), and the answer says how the earlier run ended.
    /// </summary>
    Task<StepLease> TryTakeStepLeaseAsync(long incidentNumber, int step, string holder, NodaTime.Instant now, NodaTime.Duration length, CancellationToken cancellationToken);

    /// <summary>Extends <paramref name="holder"/>'s lease to <paramref name="until"/>; false when it no longer holds it (it was given back or taken over).</summary>
    Task<bool> RenewStepLeaseAsync(long incidentNumber, int step, string holder, NodaTime.Instant until, CancellationToken cancellationToken);

    /// <summary>Gives the lease back at <paramref name="now"/>, so the next run need not wait for it to run out; does nothing when <paramref name="holder"/> no longer holds it.</summary>
    Task ReleaseStepLeaseAsync(long incidentNumber, int step, string holder, NodaTime.Instant now, CancellationToken cancellationToken);
}
