using OnCallBot.Core.Coordination;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.TestKit.Paging;

namespace OnCallBot.TestKit.Coordination;

/// <summary>
/// The reference behaviour of <see cref="ICoordinationStore"/>, kept in memory beside an
/// <see cref="InMemoryIncidentStore"/>: one room per incident, optimistic versions, and the events of every write
/// appended to that store's audit trail, so coordination lines and paging lines read as one timeline. Where a
/// database would refuse (a room for an incident that does not exist, an event of another incident), this throws.
/// </summary>
public sealed class InMemoryCoordinationStore : ICoordinationStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, IncidentRoom> _rooms = [];
    private readonly InMemoryIncidentStore _incidents;

    public InMemoryCoordinationStore(InMemoryIncidentStore incidents)
    {
        ArgumentNullException.ThrowIfNull(incidents);
        _incidents = incidents;
    }

    /// <summary>Every room kept, by incident number.</summary>
    public IReadOnlyDictionary<long, IncidentRoom> Rooms
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<long, IncidentRoom>(_rooms);
            }
        }
    }

    public async Task<bool> TryCreateAsync(IncidentRoom room, IReadOnlyList<IncidentEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(events);
        EnsureEventsBelongTo(room.IncidentNumber, events);
        // The room refers to its incident, as a foreign key would.
        if (await _incidents.GetAsync(room.IncidentNumber, cancellationToken) is null)
        {
            throw new InvalidOperationException($"{room.Reference} does not exist in the incident store; a room needs its incident.");
        }
        lock (_gate)
        {
            if (_rooms.ContainsKey(room.IncidentNumber))
            {
                return false;
            }
            // Appended under this store's lock, before the room is visible: both land or neither does.
            _incidents.AppendEventsAsync(events, cancellationToken).GetAwaiter().GetResult();
            _rooms[room.IncidentNumber] = room;
            return true;
        }
    }

    public Task<IncidentRoom?> GetAsync(long incidentNumber, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_rooms.GetValueOrDefault(incidentNumber));
        }
    }

    public Task<IncidentRoom?> FindByChannelAsync(string platform, string channelId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(channelId);
        lock (_gate)
        {
            return Task.FromResult(_rooms.Values.FirstOrDefault(r =>
                r.Channels.Any(c => string.Equals(c.Platform, platform, StringComparison.Ordinal)
                    && string.Equals(c.ChannelId, channelId, StringComparison.Ordinal))));
        }
    }

    public Task<IncidentRoom?> FindByLinkedIncidentAsync(long linkedIncidentNumber, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_rooms.Values.FirstOrDefault(r => r.LinkedIncidents.Contains(linkedIncidentNumber)));
        }
    }

    public Task<bool> TryUpdateAsync(IncidentRoom updated, IReadOnlyList<IncidentEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentNullException.ThrowIfNull(events);
        EnsureEventsBelongTo(updated.IncidentNumber, events);
        lock (_gate)
        {
            if (!_rooms.TryGetValue(updated.IncidentNumber, out var stored) || stored.Version != updated.Version - 1)
            {
                return Task.FromResult(false);
            }
            // The in-memory incident store completes synchronously; appending first means a refused append leaves the room as it was.
            _incidents.AppendEventsAsync(events, cancellationToken).GetAwaiter().GetResult();
            _rooms[updated.IncidentNumber] = updated;
            return Task.FromResult(true);
        }
    }

    private static void EnsureEventsBelongTo(long incidentNumber, IReadOnlyList<IncidentEvent> events)
    {
        if (events.FirstOrDefault(e => e.IncidentNumber != incidentNumber) is { } stray)
        {
            throw new InvalidOperationException(
                $"An event of {IncidentReference.Format(stray.IncidentNumber)} was written with the room of {IncidentReference.Format(incidentNumber)}.");
        }
    }
}
