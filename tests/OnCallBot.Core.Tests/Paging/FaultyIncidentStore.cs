using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;

namespace OnCallBot.Core.Tests.Paging;

/// <summary>
/// A store that runs <see cref="BeforeNextUpdate"/> once, just before the next incident update reaches the real
/// store: a crash (throw) or someone else's change landing first (a lost race).
/// </summary>
internal sealed class FaultyIncidentStore(IIncidentStore inner) : IIncidentStore
{
    public Func<Task>? BeforeNextUpdate { get; set; }

    public async Task<bool> TryUpdateAsync(Incident updated, IReadOnlyList<IncidentEvent> events, CancellationToken cancellationToken)
    {
        if (BeforeNextUpdate is { } fault)
        {
            // Cleared first: the fault may itself update the incident through this store.
            BeforeNextUpdate = null;
            await fault();
        }
        return await inner.TryUpdateAsync(updated, events, cancellationToken);
    }

    public Task<(Incident Incident, bool Created)> CreateAsync(Incident incident, IReadOnlyList<IncidentEvent> events, CancellationToken cancellationToken) =>
        inner.CreateAsync(incident, events, cancellationToken);

    public Task<Incident?> GetAsync(long number, CancellationToken cancellationToken) => inner.GetAsync(number, cancellationToken);

    public Task AppendEventsAsync(IReadOnlyList<IncidentEvent> events, CancellationToken cancellationToken) => inner.AppendEventsAsync(events, cancellationToken);

    public Task<IReadOnlyList<IncidentEvent>> GetEventsAsync(long number, CancellationToken cancellationToken) => inner.GetEventsAsync(number, cancellationToken);

    public Task<bool> TryClaimNotificationAsync(Notification notification, CancellationToken cancellationToken) =>
        inner.TryClaimNotificationAsync(notification, cancellationToken);

    public Task SetNotificationMessageAsync(long incidentNumber, int step, string userId, string platform, DeliveredMessage message, NodaTime.Instant deliveredAt, CancellationToken cancellationToken) =>
        inner.SetNotificationMessageAsync(incidentNumber, step, userId, platform, message, deliveredAt, cancellationToken);

    public Task SetNotificationFailedAsync(long incidentNumber, int step, string userId, string platform, string failure, CancellationToken cancellationToken) =>
        inner.SetNotificationFailedAsync(incidentNumber, step, userId, platform, failure, cancellationToken);

    public Task<StepLease> TryTakeStepLeaseAsync(long incidentNumber, int step, string holder, NodaTime.Instant now, NodaTime.Duration length, CancellationToken cancellationToken) =>
        inner.TryTakeStepLeaseAsync(incidentNumber, step, holder, now, length, cancellationToken);

    public Task<bool> RenewStepLeaseAsync(long incidentNumber, int step, string holder, NodaTime.Instant until, CancellationToken cancellationToken) =>
        inner.RenewStepLeaseAsync(incidentNumber, step, holder, until, cancellationToken);

    public Task ReleaseStepLeaseAsync(long incidentNumber, int step, string holder, NodaTime.Instant now, CancellationToken cancellationToken) =>
        inner.ReleaseStepLeaseAsync(incidentNumber, step, holder, now, cancellationToken);

    public Task<IReadOnlyList<Notification>> GetNotificationsAsync(long incidentNumber, CancellationToken cancellationToken) =>
        inner.GetNotificationsAsync(incidentNumber, cancellationToken);

    public Task<IReadOnlyList<Incident>> GetTriggeredIncidentsNotifyingAsync(string userId, CancellationToken cancellationToken) =>
        inner.GetTriggeredIncidentsNotifyingAsync(userId, cancellationToken);

    public Task<IReadOnlyList<Incident>> GetPendingEscalationsAsync(CancellationToken cancellationToken) =>
        inner.GetPendingEscalationsAsync(cancellationToken);
}
