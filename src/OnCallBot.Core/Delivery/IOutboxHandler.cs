namespace OnCallBot.Core.Delivery;

/// <summary>
/// Carries out outbox work of some kinds (<see cref="Kinds"/>) on the platform each item names. A handler says on
/// the incident's timeline what could not be done; the outbox only decides when to try and when to stop trying.
/// </summary>
public interface IOutboxHandler
{
    /// <summary>The <see cref="OutboxEntry.Kind"/> values this handler carries out.</summary>
    IReadOnlyCollection<string> Kinds { get; }

    /// <summary>
    /// Carries the work out. Throw a <see cref="Ports.ChatDeliveryException"/> marked transient (a rate limit, the
    /// platform unreachable) to have it tried again later; any other refusal is the handler's to record, and is done.
    /// </summary>
    Task DeliverAsync(OutboxClaim claim, CancellationToken cancellationToken);

    /// <summary>The work was tried <see cref="OutboxOptions.MaxAttempts"/> times and is dropped: say so where people look.</summary>
    Task GiveUpAsync(OutboxItem item, string reason, CancellationToken cancellationToken);
}

/// <summary>
/// A platform's rate limits, as the outbox sees them: which bucket an item's first call draws from, and how long until
/// that bucket lets a call go. The outbox starts only work whose bucket is ready, so no worker waits inside a limiter
/// while other work could go, and work for a bucket a higher lane is waiting for is held back for it.
/// </summary>
public interface IDeliveryPacing
{
    /// <summary>The platform's name, as <see cref="Ports.IChatPlatform.Name"/>.</summary>
    string Platform { get; }

    /// <summary>The bucket an entry's first call is paced by (a method's tier, or a method in one conversation).</summary>
    string BucketOf(OutboxEntry entry);

    /// <summary>How long until a call in <paramref name="bucket"/> may go: zero when one may go now.</summary>
    TimeSpan WaitFor(string bucket);
}
