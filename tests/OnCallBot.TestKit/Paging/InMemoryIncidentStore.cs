using NodaTime;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;

namespace OnCallBot.TestKit.Paging;

/// <summary>
/// The reference behaviour of <see cref="IIncidentStore"/>, kept in memory: numbers 1, 2, 3... in creation order,
/// one incident per idempotency key, optimistic versions, one claim per (incident, step, user, platform), and each
/// incident's events in the order they were written, and one lease per (incident, step) that a holder keeps until it
/// runs out or is given back. A SQL store must answer the same way; where a database would refuse (a foreign key to a
/// missing incident, an update of a missing claim), this throws.
/// </summary>
public sealed class InMemoryIncidentStore : IIncidentStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, Incident> _incidents = [];
    private readonly Dictionary<string, long> _byIdempotencyKey = new(StringComparer.Ordinal);
    private readonly List<IncidentEvent> _events = [];
    private readonly List<Notification> _notifications = [];
    private readonly Dictionary<(long, int), (string Holder, Instant Until, bool Released)> _leases = [];
    private long _lastNumber;

    public Task<(Incident Incident, bool Created)> CreateAsync(Incident incident, IReadOnlyList<IncidentEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentException.ThrowIfNullOrWhiteSpace(incident.IdempotencyKey);
        lock (_gate)
        {
            if (_byIdempotencyKey.TryGetValue(incident.IdempotencyKey, out var existing))
            {
                return Task.FromResult((_incidents[existing], false));
            }
            var number = ++_lastNumber;
            var created = incident with { Number = number };
            _incidents[number] = created;
            _byIdempotencyKey[incident.IdempotencyKey] = number;
            // The caller cannot know the number yet: the store stamps it on the first events, as a SQL insert would.
            _events.AddRange(events.Select(e => e with { IncidentNumber = number }));
            return Task.FromResult((created, true));
        }
    }

    public Task<Incident?> GetAsync(long number, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_incidents.GetValueOrDefault(number));
        }
    }

    public Task<bool> TryUpdateAsync(Incident updated, IReadOnlyList<IncidentEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentNullException.ThrowIfNull(events);
        lock (_gate)
        {
            EnsureEventsBelongTo(updated.Number, events);
            if (!_incidents.TryGetValue(updated.Number, out var stored) || stored.Version != updated.Version - 1)
            {
                return Task.FromResult(false);
            }
            if (!string.Equals(stored.IdempotencyKey, updated.IdempotencyKey, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{updated.Reference}: the idempotency key of an incident never changes.");
            }
            _incidents[updated.Number] = updated;
            _events.AddRange(events);
            return Task.FromResult(true);
        }
    }

    public Task AppendEventsAsync(IReadOnlyList<IncidentEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        lock (_gate)
        {
            foreach (var evt in events)
            {
                EnsureExists(evt.IncidentNumber);
            }
            _events.AddRange(events);
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<IncidentEvent>> GetEventsAsync(long number, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<IncidentEvent>>(_events.Where(e => e.IncidentNumber == number).ToList());
        }
    }

    public Task<bool> TryClaimNotificationAsync(Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        lock (_gate)
        {
            EnsureExists(notification.IncidentNumber);
            if (IndexOf(notification.IncidentNumber, notification.Step, notification.UserId, notification.Platform) >= 0)
            {
                return Task.FromResult(false);
            }
            _notifications.Add(notification);
            return Task.FromResult(true);
        }
    }

    public Task SetNotificationMessageAsync(long incidentNumber, int step, string userId, string platform, DeliveredMessage message, Instant deliveredAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_gate)
        {
            var index = ClaimedIndex(incidentNumber, step, userId, platform);
            _notifications[index] = _notifications[index] with { Message = message, DeliveredAt = deliveredAt, Failure = null };
        }
        return Task.CompletedTask;
    }

    public Task SetNotificationFailedAsync(long incidentNumber, int step, string userId, string platform, string failure, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(failure);
        lock (_gate)
        {
            var index = ClaimedIndex(incidentNumber, step, userId, platform);
            if (_notifications[index].Message is not null)
            {
                throw new InvalidOperationException(
                    $"{IncidentReference.Format(incidentNumber)}: the notification of {userId} on {platform} for step {step} was delivered; it cannot have failed.");
            }
            _notifications[index] = _notifications[index] with { Failure = failure };
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Notification>> GetNotificationsAsync(long incidentNumber, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<Notification>>(_notifications.Where(n => n.IncidentNumber == incidentNumber).ToList());
        }
    }

    /// <summary>Any claim counts as "notified": the store cannot tell a send that failed from one lost in a crash.</summary>
    public Task<IReadOnlyList<Incident>> GetTriggeredIncidentsNotifyingAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userId);
        lock (_gate)
        {
            var numbers = _notifications.Where(n => string.Equals(n.UserId, userId, StringComparison.Ordinal)).Select(n => n.IncidentNumber).ToHashSet();
            return Task.FromResult<IReadOnlyList<Incident>>(_incidents.Values
                .Where(i => i.Status == IncidentStatus.Triggered && numbers.Contains(i.Number))
                .OrderByDescending(i => i.Number)
                .ToList());
        }
    }

    public Task<IReadOnlyList<Incident>> GetPendingEscalationsAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<Incident>>(_incidents.Values
                .Where(i => i.Status == IncidentStatus.Triggered && i.Escalation.NextStepDueAt is not null)
                .OrderBy(i => i.Escalation.NextStepDueAt)
                .ThenBy(i => i.Number)
                .ToList());
        }
    }

    public Task<StepLease> TryTakeStepLeaseAsync(long incidentNumber, int step, string holder, Instant now, Duration length, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (length <= Duration.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "A lease must last a positive time.");
        }
        lock (_gate)
        {
            EnsureExists(incidentNumber);
            var until = now + length;
            if (!_leases.TryGetValue((incidentNumber, step), out var earlier))
            {
                _leases[(incidentNumber, step)] = (holder, until, false);
                return Task.FromResult(new StepLease(true, until, EarlierStepRun.None, null));
            }
            if (!earlier.Released && earlier.Until > now)
            {
                return Task.FromResult(new StepLease(false, earlier.Until, EarlierStepRun.None, null));
            }
            _leases[(incidentNumber, step)] = (holder, until, false);
            return Task.FromResult(new StepLease(true, until, earlier.Released ? EarlierStepRun.Released : EarlierStepRun.Expired, earlier.Until));
        }
    }

    public Task<bool> RenewStepLeaseAsync(long incidentNumber, int step, string holder, Instant until, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        lock (_gate)
        {
            if (!_leases.TryGetValue((incidentNumber, step), out var lease) || lease.Holder != holder || lease.Released)
            {
                return Task.FromResult(false);
            }
            _leases[(incidentNumber, step)] = lease with { Until = until };
            return Task.FromResult(true);
        }
    }

    public Task ReleaseStepLeaseAsync(long incidentNumber, int step, string holder, Instant now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        lock (_gate)
        {
            if (_leases.TryGetValue((incidentNumber, step), out var lease) && lease.Holder == holder && !lease.Released)
            {
                _leases[(incidentNumber, step)] = lease with { Until = now, Released = true };
            }
        }
        return Task.CompletedTask;
    }

    private int ClaimedIndex(long incidentNumber, int step, string userId, string platform)
    {
        var index = IndexOf(incidentNumber, step, userId, platform);
        return index >= 0
            ? index
            : throw new InvalidOperationException(
                $"{IncidentReference.Format(incidentNumber)}: no claimed notification of {userId} on {platform} for step {step}; claim before sending.");
    }

    private int IndexOf(long incidentNumber, int step, string userId, string platform) =>
        _notifications.FindIndex(n => n.IncidentNumber == incidentNumber && n.Step == step
            && string.Equals(n.UserId, userId, StringComparison.Ordinal) && string.Equals(n.Platform, platform, StringComparison.Ordinal));

    private void EnsureExists(long incidentNumber)
    {
        if (!_incidents.ContainsKey(incidentNumber))
        {
            throw new InvalidOperationException($"{IncidentReference.Format(incidentNumber)} does not exist in the store.");
        }
    }

    private static void EnsureEventsBelongTo(long incidentNumber, IReadOnlyList<IncidentEvent> events)
    {
        if (events.FirstOrDefault(e => e.IncidentNumber != incidentNumber) is { } stray)
        {
            throw new InvalidOperationException(
                $"An event of {IncidentReference.Format(stray.IncidentNumber)} was written with an update of {IncidentReference.Format(incidentNumber)}.");
        }
    }
}
