using NodaTime;
using OnCallBot.Core.Ports;

namespace OnCallBot.Core.Delivery;

/// <summary>
/// Where the flows put work for the chat platforms: written to the store (so it survives a crash), then the host's
/// outbox worker is woken to carry it out. Enqueuing is a store write and nothing more, so a command that changes
/// an incident answers without waiting for any platform.
/// </summary>
public sealed class Outbox
{
    private readonly IOutboxStore _store;
    private readonly TimeProvider _time;

    public Outbox(IOutboxStore store, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _time = time;
    }

    /// <summary>Raised after work is enqueued in this process.</summary>
    public event EventHandler? Enqueued;

    public async Task EnqueueAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await _store.EnqueueAsync(entry, Instant.FromDateTimeOffset(_time.GetUtcNow()), cancellationToken);
        Enqueued?.Invoke(this, EventArgs.Empty);
    }
}
