using NodaTime;
using OnCallBot.Core.Ports;

namespace OnCallBot.Core.Delivery;

/// <summary>
/// Hands outbox work to its handlers: higher lanes first, each lane with its own share of concurrent work
/// (<see cref="OutboxOptions.LaneConcurrency"/>), only work whose rate bucket is ready, and never a bucket that a
/// higher lane is waiting for. One incident's work in a lane goes in order (the store hands out only its oldest).
/// </summary>
/// <remarks>
/// <see cref="DispatchAsync"/> is called by one loop (the host's outbox worker, or a test draining the outbox); the
/// work it starts runs concurrently and signals <see cref="Changed"/> when it ends, so the loop looks again.
/// </remarks>
public sealed class OutboxDispatcher
{
    // Ready items read per look; more than the lanes can start, so that work for busy buckets can be skipped over.
    private const int ReadBatch = 256;

    private readonly IOutboxStore _store;
    private readonly Dictionary<string, IOutboxHandler> _handlers;
    private readonly Dictionary<string, IDeliveryPacing> _pacing;
    private readonly TimeProvider _time;
    private readonly OutboxOptions _options;
    private readonly Action<OutboxItem, Exception>? _onFault;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Platform, DeliveryLane Lane), int> _running = [];
    private readonly HashSet<long> _inFlight = [];
    private readonly List<Task> _tasks = [];

    public OutboxDispatcher(
        IOutboxStore store,
        IEnumerable<IOutboxHandler> handlers,
        IEnumerable<IDeliveryPacing> pacing,
        TimeProvider time,
        OutboxOptions options,
        Action<OutboxItem, Exception>? onFault = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(handlers);
        ArgumentNullException.ThrowIfNull(pacing);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _handlers = new Dictionary<string, IOutboxHandler>(StringComparer.Ordinal);
        foreach (var handler in handlers)
        {
            foreach (var kind in handler.Kinds)
            {
                if (!_handlers.TryAdd(kind, handler))
                {
                    throw new InvalidOperationException($"Two outbox handlers carry out '{kind}'.");
                }
            }
        }
        _pacing = pacing.ToDictionary(p => p.Platform, StringComparer.Ordinal);
        _time = time;
        _options = options;
        _onFault = onFault;
    }

    /// <summary>Raised when started work ends (or new work is enqueued through <see cref="Outbox"/>): time to look again.</summary>
    public event EventHandler? Changed;

    /// <summary>The platforms this dispatcher serves (those with pacing).</summary>
    public IReadOnlyCollection<string> Platforms => _pacing.Keys;

    private Instant Now => Instant.FromDateTimeOffset(_time.GetUtcNow());

    /// <summary>
    /// Starts every piece of work that may start now. Returns how long until work held back by a rate bucket may go
    /// (null when nothing is held back), and how many items were started.
    /// </summary>
    public async Task<(TimeSpan? RecheckIn, int Started)> DispatchAsync(CancellationToken cancellationToken)
    {
        TimeSpan? recheck = null;
        var started = 0;
        foreach (var (platform, pacing) in _pacing)
        {
            var now = Now;
            var ready = await _store.GetReadyAsync(platform, now, ReadBatch, cancellationToken);
            // Buckets that work of a higher lane is waiting for: lower lanes leave them alone.
            var wanted = new HashSet<string>(StringComparer.Ordinal);
            foreach (var lane in Enum.GetValues<DeliveryLane>())
            {
                var laneWanted = new List<string>();
                foreach (var item in ready.Where(i => i.Lane == lane))
                {
                    if (FreeSlots(platform, lane) <= 0)
                    {
                        // Every worker of this lane is busy. Lanes keep their own workers, so lower lanes go on; a bucket
                        // with room is not held for this lane (it refills), only one that is out of room (below).
                        break;
                    }
                    lock (_gate)
                    {
                        if (_inFlight.Contains(item.Id))
                        {
                            continue;
                        }
                    }
                    var bucket = pacing.BucketOf(item.Entry);
                    if (wanted.Contains(bucket))
                    {
                        continue;
                    }
                    var wait = pacing.WaitFor(bucket);
                    if (wait > TimeSpan.Zero)
                    {
                        laneWanted.Add(bucket);
                        recheck = recheck is { } r && r < wait ? r : wait;
                        continue;
                    }
                    var claim = await _store.TryClaimAsync(item.Id, now, now + Duration.FromTimeSpan(_options.ClaimLease), cancellationToken);
                    if (claim is null)
                    {
                        continue;
                    }
                    Start(claim);
                    started++;
                }
                wanted.UnionWith(laneWanted);
            }
        }
        return (recheck, started);
    }

    /// <summary>Completes when no started work is still running.</summary>
    public async Task WhenIdleAsync()
    {
        while (true)
        {
            Task[] running;
            lock (_gate)
            {
                _tasks.RemoveAll(t => t.IsCompleted);
                running = [.. _tasks];
            }
            if (running.Length == 0)
            {
                return;
            }
            await Task.WhenAll(running);
        }
    }

    /// <summary>Carries out everything ready, until nothing is left that may go now (tests; a host uses its loop).</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var (_, started) = await DispatchAsync(cancellationToken);
            await WhenIdleAsync();
            if (started == 0)
            {
                return;
            }
        }
    }

    /// <summary>Says that new work is in the store (an enqueue in this process).</summary>
    public void Signal() => Changed?.Invoke(this, EventArgs.Empty);

    private int FreeSlots(string platform, DeliveryLane lane)
    {
        lock (_gate)
        {
            return _options.LaneConcurrency - _running.GetValueOrDefault((platform, lane));
        }
    }

    private void Start(OutboxClaim claim)
    {
        var item = claim.Item;
        lock (_gate)
        {
            _inFlight.Add(item.Id);
            _running[(item.Platform, item.Lane)] = _running.GetValueOrDefault((item.Platform, item.Lane)) + 1;
            _tasks.Add(Task.Run(() => RunAsync(claim)));
        }
    }

    private async Task RunAsync(OutboxClaim claim)
    {
        var item = claim.Item;
        try
        {
            DeliveryContext.Current = item;
            await CarryOutAsync(claim);
        }
#pragma warning disable CA1031 // The work stays in the store; whatever failed is reported and the loop goes on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _onFault?.Invoke(item, ex);
        }
        finally
        {
            lock (_gate)
            {
                _inFlight.Remove(item.Id);
                _running[(item.Platform, item.Lane)]--;
            }
            Signal();
        }
    }

    private async Task CarryOutAsync(OutboxClaim claim)
    {
        var item = claim.Item;
        // Not a caller's token: the work was claimed, and its outcome must be written even while the host stops.
        var cancellationToken = CancellationToken.None;
        if (!_handlers.TryGetValue(item.Kind, out var handler))
        {
            // Written by a newer version of the bot (or an older one that had this kind): keep it for a host that knows it.
            await _store.ReleaseAsync(item.Id, Now + Duration.FromTimeSpan(_options.ClaimLease), $"no handler for '{item.Kind}' in this version", cancellationToken);
            return;
        }
        try
        {
            await handler.DeliverAsync(claim, cancellationToken);
        }
        catch (ChatDeliveryException ex) when (ex.IsTransient)
        {
            // A platform that says when to come back (a rate limit) is waited for as long as it takes: accepted work is
            // never dropped for being throttled. Only failures without that promise use up attempts.
            if (item.Attempts >= _options.MaxAttempts && ex.RetryAfter is null)
            {
                await handler.GiveUpAsync(item, ex.Message, cancellationToken);
                await _store.CompleteAsync(item.Id, cancellationToken);
                return;
            }
            var wait = ex.RetryAfter is { } asked && asked > TimeSpan.Zero ? asked : _options.RetryDelayAfter(item.Attempts);
            await _store.ReleaseAsync(item.Id, Now + Duration.FromTimeSpan(wait), ex.Message, cancellationToken);
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A fault of ours (a bug, the store failing): retried like a transient refusal, and reported.
            _onFault?.Invoke(item, ex);
            if (item.Attempts >= _options.MaxAttempts)
            {
                await handler.GiveUpAsync(item, ex.Message, cancellationToken);
                await _store.CompleteAsync(item.Id, cancellationToken);
                return;
            }
            await _store.ReleaseAsync(item.Id, Now + Duration.FromTimeSpan(_options.RetryDelayAfter(item.Attempts)), ex.Message, cancellationToken);
            return;
        }
        await _store.CompleteAsync(item.Id, cancellationToken);
    }
}
