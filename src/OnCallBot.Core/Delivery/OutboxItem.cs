using NodaTime;

namespace OnCallBot.Core.Delivery;

/// <summary>
/// Work for a chat platform, as it is put in the outbox. <see cref="Kind"/> names the handler that carries it out;
/// <see cref="Payload"/> is whatever that handler needs (often nothing: a card or a topic is rendered from the store
/// when it is sent, so it always shows the latest state).
/// </summary>
/// <param name="Platform">The chat platform the work is for (<see cref="Ports.IChatPlatform.Name"/>).</param>
/// <param name="Lane">How urgent it is.</param>
/// <param name="IncidentNumber">The incident it belongs to: its work in a lane goes out in order.</param>
/// <param name="Kind">What to do, naming the <see cref="IOutboxHandler"/> that does it.</param>
/// <param name="Conversation">The platform conversation the work is sent to, when known (paced per conversation).</param>
/// <param name="CoalesceKey">
/// Work with the same key on the same platform is one piece of work while it waits: enqueuing it again changes the
/// waiting item's payload instead of adding another, so a card changed five times in a second is rewritten once.
/// </param>
/// <param name="Payload">What the handler needs beyond the incident (a message's text, the people to invite).</param>
public sealed record OutboxEntry(
    string Platform,
    DeliveryLane Lane,
    long IncidentNumber,
    string Kind,
    string? Conversation = null,
    string? CoalesceKey = null,
    string Payload = "");

/// <summary>An entry as stored: its id (the order within a lane), when it was enqueued, and its attempts so far.</summary>
public sealed record OutboxItem(long Id, OutboxEntry Entry, Instant EnqueuedAt, Instant NotBefore, int Attempts, string? LastError)
{
    public string Platform => Entry.Platform;

    public DeliveryLane Lane => Entry.Lane;

    public long IncidentNumber => Entry.IncidentNumber;

    public string Kind => Entry.Kind;
}

/// <summary>
/// A claimed item, to carry out now. <see cref="Interrupted"/>: an earlier claim ran out without an outcome (its host
/// died while sending), so the work may already have reached the platform.
/// </summary>
public sealed record OutboxClaim(OutboxItem Item, bool Interrupted);

/// <summary>How much is waiting in one lane of one platform, and since when (for the health endpoint).</summary>
public sealed record OutboxLaneDepth(string Platform, DeliveryLane Lane, int Waiting, Instant? OldestEnqueuedAt);
