using OnCallBot.Core.Coordination;
using OnCallBot.Core.Paging;

namespace OnCallBot.Core.Ports;

/// <summary>Port to where incident rooms (the coordination state) are kept, beside the incidents.</summary>
public interface ICoordinationStore
{
    /// <summary>Saves a new room with its events; false (nothing written) when the incident already has one.</summary>
    Task<bool> TryCreateAsync(IncidentRoom room, IReadOnlyList<IncidentEvent> events, CancellationToken cancellationToken);

    Task<IncidentRoom?> GetAsync(long incidentNumber, CancellationToken cancellationToken);

    /// <summary>The room whose channel on <paramref name="platform"/> is <paramref name="channelId"/>, if any.</summary>
    Task<IncidentRoom?> FindByChannelAsync(string platform, string channelId, CancellationToken cancellationToken);

    /// <summary>The room that <paramref name="linkedIncidentNumber"/> was paged into (<see cref="IncidentRoom.LinkedIncidents"/>), if any.</summary>
    Task<IncidentRoom?> FindByLinkedIncidentAsync(long linkedIncidentNumber, CancellationToken cancellationToken);

    /// <summary>
    /// Saves <paramref name="updated"/> and appends <paramref name="events"/> (to the incident's audit trail)
    /// atomically, only if the stored version is <c>updated.Version - 1</c>; false and nothing written otherwise.
    /// </summary>
    Task<bool> TryUpdateAsync(IncidentRoom updated, IReadOnlyList<IncidentEvent> events, CancellationToken cancellationToken);
}
