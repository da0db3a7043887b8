using NodaTime;
using OnCallBot.Core.Delivery;

namespace OnCallBot.Core.Ports;

/// <summary>
/// Port to the durable outbox: work for the chat platforms is written here before it is attempted, so a crash loses
/// none of it. Within a lane, one incident's work is handed out in the order it was enqueued: only the oldest item of
/// each (platform, lane, incident) is ever ready, and it blocks the ones behind it while it is claimed or waiting to be
/// retried.
/// </summary>
public interface IOutboxStore
{
    /// <summary>
    /// Adds <paramref name="entry"/>; when it has a coalesce key and an unclaimed item with that key waits on the same
    /// platform, that item takes the new payload instead (and keeps its place). Returns the item's id.
    /// </summary>
    Task<long> EnqueueAsync(OutboxEntry entry, Instant now, CancellationToken cancellationToken);

    /// <summary>
    /// The items of <paramref name="platform"/> that may be carried out at <paramref name="now"/>: the oldest of each
    /// lane and incident, due (<see cref="OutboxItem.NotBefore"/>) and not claimed (or its claim ran out); by lane,
    /// then oldest first. A store may cap how many of one lane and kind it returns (the SQL store: 64), so that a kind
    /// held back by its rate bucket never hides the other kinds behind it.
    /// </summary>
    Task<IReadOnlyList<OutboxItem>> GetReadyAsync(string platform, Instant now, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Claims an item until <paramref name="until"/> (one attempt more); null when it is gone, someone else holds it, or
    /// it is not due (another host tried it since it was read as ready, and released it for later).
    /// </summary>
    Task<OutboxClaim?> TryClaimAsync(long id, Instant now, Instant until, CancellationToken cancellationToken);

    /// <summary>The item is done (carried out, or given up and said so): it leaves the outbox.</summary>
    Task CompleteAsync(long id, CancellationToken cancellationToken);

    /// <summary>
    /// Gives the claim back, to try again from <paramref name="notBefore"/>. When a newer item with the same coalesce key
    /// waits already, this one is dropped instead: the newer one carries the latest state.
    /// </summary>
    Task ReleaseAsync(long id, Instant notBefore, string error, CancellationToken cancellationToken);

    /// <summary>How many items wait per platform and lane (claimed ones included), and the oldest one's age.</summary>
    Task<IReadOnlyList<OutboxLaneDepth>> GetDepthAsync(CancellationToken cancellationToken);
}
