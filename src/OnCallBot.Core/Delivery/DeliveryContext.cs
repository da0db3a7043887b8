namespace OnCallBot.Core.Delivery;

/// <summary>
/// The outbox item being carried out on this async flow, if any. A platform adapter reads it to leave retries to
/// the outbox: a rate-limited call made for queued work gives its item back to wait, instead of holding a worker
/// while it sleeps out <c>Retry-After</c>.
/// </summary>
public static class DeliveryContext
{
    private static readonly AsyncLocal<OutboxItem?> Item = new();

    /// <summary>The item being carried out, or null outside the outbox (a page sent by an escalation step).</summary>
    public static OutboxItem? Current
    {
        get => Item.Value;
        internal set => Item.Value = value;
    }
}
