using System.Threading.RateLimiting;

namespace OnCallBot.Core.Delivery;

/// <summary>
/// A token bucket on the injected <see cref="TimeProvider"/>: <c>burst</c> permits at most, one more every
/// <c>interval</c>. Callers that find it empty wait in line (oldest first) and are never turned away.
/// </summary>
/// <remarks>
/// The bucket in System.Threading.RateLimiting replenishes from <c>Stopwatch</c> and its own timer, so it cannot
/// follow a fake clock in tests; this one does, behind the same <see cref="RateLimiter"/> contract.
/// </remarks>
public sealed class PacedRateLimiter : RateLimiter
{
    // Refill arithmetic is in doubles; a due time computed from it may land a hair early.
    private const double Epsilon = 1e-9;

    private readonly Lock _gate = new();
    private readonly LinkedList<Waiter> _queue = new();
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _interval;
    private readonly int _burst;
    private double _tokens;
    private DateTimeOffset _lastRefill;
    private DateTimeOffset _lastAcquired;
    private ITimer? _timer;
    private long _successful;
    private bool _disposed;

    // Until when the platform asked for no calls at all (HTTP 429 Retry-After); the bucket is empty until then.
    private DateTimeOffset _pausedUntil = DateTimeOffset.MinValue;

    // The call Slack asked to wait for goes as soon as the pause ends, not one interval after it.
    private bool _resumeWithOne;

    public PacedRateLimiter(TimeProvider timeProvider, TimeSpan interval, int burst)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _timeProvider = timeProvider;
        _interval = interval;
        _burst = burst;
        _tokens = burst;
        _lastRefill = _lastAcquired = timeProvider.GetUtcNow();
    }

    public TimeSpan Interval => _interval;

    public int Burst => _burst;

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_gate)
            {
                var now = _timeProvider.GetUtcNow();
                Refill(now);
                return _queue.Count == 0 && _tokens >= _burst - Epsilon ? now - _lastAcquired : null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_gate)
        {
            Refill(_timeProvider.GetUtcNow());
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = (long)Math.Floor(_tokens + Epsilon),
                CurrentQueuedCount = _queue.Sum(w => (long)w.Permits),
                TotalSuccessfulLeases = _successful,
                TotalFailedLeases = 0,
            };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        CheckPermitCount(permitCount);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = _timeProvider.GetUtcNow();
            Refill(now);
            if (_queue.Count == 0 && TryTake(permitCount, now))
            {
                return Lease.Acquired;
            }
            var wait = TimeSpan.FromTicks((long)Math.Ceiling((permitCount - _tokens) * _interval.Ticks));
            return new Lease(false, wait);
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        CheckPermitCount(permitCount);
        cancellationToken.ThrowIfCancellationRequested();
        Waiter waiter;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = _timeProvider.GetUtcNow();
            Refill(now);
            if (_queue.Count == 0 && TryTake(permitCount, now))
            {
                return ValueTask.FromResult<RateLimitLease>(Lease.Acquired);
            }
            waiter = new Waiter(permitCount);
            waiter.Node = _queue.AddLast(waiter);
            ScheduleLocked();
        }
        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.Register(() => Cancel(waiter, cancellationToken));
        }
        return new ValueTask<RateLimitLease>(waiter.Completion.Task);
    }

    protected override void Dispose(bool disposing)
    {
        List<Waiter> abandoned;
        lock (_gate)
        {
            if (_disposed)
            {
                base.Dispose(disposing);
                return;
            }
            _disposed = true;
            _timer?.Dispose();
            abandoned = [.. _queue];
            _queue.Clear();
        }
        foreach (var waiter in abandoned)
        {
            waiter.Registration.Dispose();
            waiter.Completion.TrySetResult(new Lease(false, null));
        }
        base.Dispose(disposing);
    }

    private void CheckPermitCount(int permitCount) =>
        ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, _burst);

    private void Cancel(Waiter waiter, CancellationToken cancellationToken)
    {
        List<Waiter> ready;
        lock (_gate)
        {
            if (waiter.Node?.List is null)
            {
                return;
            }
            _queue.Remove(waiter.Node);
            // The cancelled waiter may have been holding up others behind it.
            ready = DrainLocked();
        }
        waiter.Completion.TrySetCanceled(cancellationToken);
        Grant(ready);
    }

    private void OnTimer(object? state)
    {
        List<Waiter> ready;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            ready = DrainLocked();
        }
        Grant(ready);
    }

    private static void Grant(List<Waiter> ready)
    {
        foreach (var waiter in ready)
        {
            waiter.Registration.Dispose();
            waiter.Completion.TrySetResult(Lease.Acquired);
        }
    }

    private List<Waiter> DrainLocked()
    {
        var now = _timeProvider.GetUtcNow();
        Refill(now);
        var ready = new List<Waiter>();
        while (_queue.First is { } head && TryTake(head.Value.Permits, now))
        {
            _queue.RemoveFirst();
            ready.Add(head.Value);
        }
        ScheduleLocked();
        return ready;
    }

    private void ScheduleLocked()
    {
        if (_queue.First is not { } head)
        {
            _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }
        var now = _timeProvider.GetUtcNow();
        var paused = _pausedUntil > now ? (_pausedUntil - now).Ticks : 0;
        var missing = Math.Max(0, head.Value.Permits - (paused > 0 && _resumeWithOne ? 1 : _tokens));
        var due = TimeSpan.FromTicks(Math.Max(1, paused + (long)Math.Ceiling(missing * _interval.Ticks)));
        _timer ??= _timeProvider.CreateTimer(OnTimer, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private bool TryTake(int permits, DateTimeOffset now)
    {
        if (_tokens + Epsilon < permits)
        {
            return false;
        }
        _tokens = Math.Max(0, _tokens - permits);
        _lastAcquired = now;
        _successful++;
        return true;
    }

    /// <summary>
    /// How long until one more call may go, behind those already waiting: zero when it may go now. Takes nothing.
    /// </summary>
    public TimeSpan TimeUntilAvailable()
    {
        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow();
            Refill(now);
            var paused = _pausedUntil > now ? _pausedUntil - now : TimeSpan.Zero;
            var missing = _queue.Sum(w => (double)w.Permits) + 1 - (paused > TimeSpan.Zero && _resumeWithOne ? 1 : _tokens);
            if (missing <= Epsilon && paused == TimeSpan.Zero)
            {
                return TimeSpan.Zero;
            }
            return paused + TimeSpan.FromTicks((long)Math.Ceiling(Math.Max(0, missing) * _interval.Ticks));
        }
    }

    /// <summary>
    /// Lets no call go before <paramref name="until"/> (the platform answered 429 with <c>Retry-After</c>); the bucket
    /// refills from then on. Waiting callers wait for it too.
    /// </summary>
    public void PauseUntil(DateTimeOffset until)
    {
        lock (_gate)
        {
            if (_disposed || until <= _pausedUntil)
            {
                return;
            }
            _pausedUntil = until;
            _resumeWithOne = true;
            _tokens = 0;
            _lastRefill = until;
            ScheduleLocked();
        }
    }

    private void Refill(DateTimeOffset now)
    {
        if (now < _pausedUntil)
        {
            _tokens = 0;
            _lastRefill = _pausedUntil;
            return;
        }
        if (_resumeWithOne)
        {
            _resumeWithOne = false;
            _tokens = Math.Min(_burst, 1 + ((now - _pausedUntil).Ticks / (double)_interval.Ticks));
            _lastRefill = now;
            return;
        }
        var elapsed = now - _lastRefill;
        _lastRefill = now;
        if (elapsed > TimeSpan.Zero)
        {
            _tokens = Math.Min(_burst, _tokens + (elapsed.Ticks / (double)_interval.Ticks));
        }
    }

    private sealed class Waiter(int permits)
    {
        public int Permits { get; } = permits;

        public TaskCompletionSource<RateLimitLease> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static Lease Acquired { get; } = new(true, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames =>
            retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is { } wait && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = wait;
                return true;
            }
            metadata = null;
            return false;
        }
    }
}
