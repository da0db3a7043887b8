using System.Collections.Concurrent;
using System.Threading.Channels;
using NodaTime;
using OnCallBot.Core.Delivery;
using OnCallBot.Core.Ports;
using OnCallBot.Storage.Delivery;
using OnCallBot.Storage.Tests.Infrastructure;
using OnCallBot.TestKit;

namespace OnCallBot.Storage.Tests.Delivery;

/// <summary>
/// The outbox dispatcher over the real SQL outbox on a SQLite file, with fake handlers and a fake platform pacing
/// on a fake clock: which work starts, in which order, and what happens to work the platform refuses.
/// </summary>
public sealed class OutboxDispatcherTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly FakeTimeProvider _time = new();
    private readonly List<(OutboxItem Item, Exception Error)> _faults = [];
    private MigratedStore _database = null!;
    private SqlOutboxStore _store = null!;
    private FakePacing _pacing = null!;

    private Instant Now => Instant.FromDateTimeOffset(_time.GetUtcNow());

    public async Task InitializeAsync()
    {
        _database = await MigratedStore.CreateAsync(StorageProvider.Sqlite);
        _store = new SqlOutboxStore(_database.Factory);
        _pacing = new FakePacing(_time);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private OutboxDispatcher Dispatcher(OutboxOptions options, params IOutboxHandler[] handlers) =>
        new(_store, handlers, [_pacing], _time, options, (item, error) =>
        {
            lock (_faults)
            {
                _faults.Add((item, error));
            }
        });

    private Task<long> EnqueueAsync(long incident, DeliveryLane lane, string kind = "work", string? bucket = null, string payload = "", string platform = "slack") =>
        _store.EnqueueAsync(new OutboxEntry(platform, lane, incident, kind, bucket, null, payload), Now, None);

    private async Task<long[]> ReadyIdsAsync(Instant at) => [.. (await _store.GetReadyAsync("slack", at, 1000, None)).Select(i => i.Id)];

    private async Task<int> WaitingAsync() => (await _store.GetDepthAsync(None)).Sum(d => d.Waiting);

    private static ChatDeliveryException RateLimited(TimeSpan? retryAfter = null) =>
        new("ratelimited") { IsTransient = true, RetryAfter = retryAfter };

    [Fact]
    public async Task DispatchAsync_EveryLaneBusy_EachKeepsItsOwnShareOfSlots()
    {
        var handler = new FakeHandler("work") { Hold = true };
        var dispatcher = Dispatcher(new OutboxOptions { LaneConcurrency = 2 }, handler);
        var cosmetic = new List<long>();
        for (var incident = 1; incident <= 4; incident++)
        {
            cosmetic.Add(await EnqueueAsync(incident, DeliveryLane.Cosmetic));
        }

        // The cosmetic lane fills its own two slots...
        Assert.Equal(2, (await dispatcher.DispatchAsync(None)).Started);
        Assert.Equal(cosmetic[..2], (await handler.StartedAsync(2)).Select(c => c.Item.Id).Order());

        // ...and that takes nothing from urgent work arriving after it, which gets its own two at once.
        var urgent = new List<long>();
        for (var incident = 11; incident <= 13; incident++)
        {
            urgent.Add(await EnqueueAsync(incident, DeliveryLane.Urgent));
        }
        Assert.Equal(2, (await dispatcher.DispatchAsync(None)).Started);
        Assert.Equal(urgent[..2], (await handler.StartedAsync(2)).Select(c => c.Item.Id).Order());
        Assert.Equal(0, (await dispatcher.DispatchAsync(None)).Started);

        // A cosmetic slot that comes free goes to cosmetic work, not to the third urgent item waiting for an urgent slot.
        handler.Finish(cosmetic[0]);
        Assert.Equal(1, await DispatchOnceSomethingStartsAsync(dispatcher));
        Assert.Equal(cosmetic[2], Assert.Single(await handler.StartedAsync(1)).Item.Id);

        handler.FinishAll();
        await dispatcher.WhenIdleAsync();
        await dispatcher.DrainAsync(None);
        Assert.Equal(0, await WaitingAsync());
        Assert.Empty(_faults);
    }

    // A finished delivery gives its slot back when its run ends, on the thread pool: look again each time the
    // dispatcher says something changed (as the host's loop does) until something starts.
    private static async Task<int> DispatchOnceSomethingStartsAsync(OutboxDispatcher dispatcher)
    {
        using var changed = new SemaphoreSlim(0);
        void OnChanged(object? sender, EventArgs e) => changed.Release();
        dispatcher.Changed += OnChanged;
        try
        {
            while (true)
            {
                var (_, started) = await dispatcher.DispatchAsync(None);
                if (started > 0)
                {
                    return started;
                }
                // A guard against a hang, not a timing assertion.
                Assert.True(await changed.WaitAsync(TimeSpan.FromSeconds(30)), "nothing ended, so nothing could start");
            }
        }
        finally
        {
            dispatcher.Changed -= OnChanged;
        }
    }

    [Fact]
    public async Task DispatchAsync_OneIncidentsWorkInALane_StartsOneAtATimeInOrder()
    {
        var handler = new FakeHandler("work") { Hold = true };
        var dispatcher = Dispatcher(new OutboxOptions { LaneConcurrency = 4 }, handler);
        var ids = new[]
        {
            await EnqueueAsync(7, DeliveryLane.Cosmetic, payload: "open"),
            await EnqueueAsync(7, DeliveryLane.Cosmetic, payload: "invite"),
            await EnqueueAsync(7, DeliveryLane.Cosmetic, payload: "topic"),
        };

        foreach (var id in ids)
        {
            Assert.Equal(1, (await dispatcher.DispatchAsync(None)).Started);
            Assert.Equal(id, Assert.Single(await handler.StartedAsync(1)).Item.Id);
            Assert.Equal(0, (await dispatcher.DispatchAsync(None)).Started);
            handler.Finish(id);
            await dispatcher.WhenIdleAsync();
        }

        Assert.Equal(["open", "invite", "topic"], handler.Delivered.Select(c => c.Item.Entry.Payload));
        Assert.Equal(0, await WaitingAsync());
    }

    [Fact]
    public async Task DispatchAsync_BucketNotReady_SkipsThatWorkAndStartsTheNextReadyOne()
    {
        var handler = new FakeHandler("work");
        var dispatcher = Dispatcher(new OutboxOptions(), handler);
        var held = await EnqueueAsync(1, DeliveryLane.Urgent, bucket: "chat.postMessage:D0ALICE");
        var free = await EnqueueAsync(2, DeliveryLane.Urgent, bucket: "chat.postMessage:D0BOB");
        _pacing.BusyFor("chat.postMessage:D0ALICE", TimeSpan.FromSeconds(3));

        var (recheck, started) = await dispatcher.DispatchAsync(None);
        await dispatcher.WhenIdleAsync();

        Assert.Equal((TimeSpan.FromSeconds(3), 1), (recheck, started));
        Assert.Equal([free], handler.Delivered.Select(c => c.Item.Id));
        Assert.Equal([held], await ReadyIdsAsync(Now));

        _time.Advance(TimeSpan.FromSeconds(3));
        await dispatcher.DrainAsync(None);

        Assert.Equal([free, held], handler.Delivered.Select(c => c.Item.Id));
        Assert.Equal(0, await WaitingAsync());
    }

    [Fact]
    public async Task DispatchAsync_BucketAHigherLaneWaitsFor_IsNotTakenByALowerLane()
    {
        var handler = new FakeHandler("work");
        var dispatcher = Dispatcher(new OutboxOptions(), handler);
        var urgent = await EnqueueAsync(1, DeliveryLane.Urgent, bucket: "conversations.open");
        var cosmetic = await EnqueueAsync(2, DeliveryLane.Cosmetic, bucket: "conversations.open");
        // The bucket comes free a millisecond from now, and each look at a limiter takes a millisecond: by the time
        // the cosmetic item is looked at, the bucket the urgent item was told to wait for is free.
        _pacing.BusyFor("conversations.open", TimeSpan.FromMilliseconds(1));
        _pacing.LookTakes = TimeSpan.FromMilliseconds(1);

        var (recheck, started) = await dispatcher.DispatchAsync(None);
        await dispatcher.WhenIdleAsync();

        Assert.Equal((TimeSpan.FromMilliseconds(1), 0), (recheck, started));
        Assert.Empty(handler.Delivered);
        Assert.Equal([urgent, cosmetic], await ReadyIdsAsync(Now));

        await dispatcher.DrainAsync(None);
        Assert.Equal([urgent, cosmetic], handler.Delivered.Select(c => c.Item.Id).Order());
        Assert.Equal(0, await WaitingAsync());
    }

    [Fact]
    public async Task DispatchAsync_StormOfOneKindHeldBackByItsBucket_OtherKindsStillGo()
    {
        var handler = new FakeHandler("channel.open", "channel.topic");
        var dispatcher = Dispatcher(new OutboxOptions(), handler);
        for (var incident = 1; incident <= 300; incident++)
        {
            await EnqueueAsync(incident, DeliveryLane.Cosmetic, "channel.open", bucket: "conversations.create");
        }
        var topic = await EnqueueAsync(301, DeliveryLane.Cosmetic, "channel.topic", bucket: "conversations.setTopic");
        _pacing.BusyFor("conversations.create", TimeSpan.FromSeconds(3));

        await dispatcher.DrainAsync(None);

        Assert.Equal([topic], handler.Delivered.Select(c => c.Item.Id));
        Assert.Equal(300, await WaitingAsync());
    }

    [Fact]
    public async Task CarryOut_TransientRefusalWithRetryAfter_TriedAgainOnlyOnceThatHasPassed()
    {
        var handler = new FakeHandler("work") { Fail = claim => claim.Item.Attempts == 1 ? RateLimited(TimeSpan.FromSeconds(20)) : null };
        var dispatcher = Dispatcher(new OutboxOptions { RetryDelay = TimeSpan.FromSeconds(5) }, handler);
        var id = await EnqueueAsync(1, DeliveryLane.Urgent);
        var start = Now;

        await dispatcher.DrainAsync(None);

        Assert.Single(handler.Delivered);
        Assert.Empty(await ReadyIdsAsync(start + Duration.FromSeconds(19)));
        var waiting = Assert.Single(await _store.GetReadyAsync("slack", start + Duration.FromSeconds(20), 10, None));
        Assert.Equal((id, 1, "ratelimited"), (waiting.Id, waiting.Attempts, waiting.LastError));

        _time.Advance(TimeSpan.FromSeconds(19));
        await dispatcher.DrainAsync(None);
        Assert.Single(handler.Delivered);

        _time.Advance(TimeSpan.FromSeconds(1));
        await dispatcher.DrainAsync(None);
        Assert.Equal([1, 2], handler.Delivered.Select(c => c.Item.Attempts));
        Assert.Equal(0, await WaitingAsync());
        Assert.Empty(handler.GivenUp);
        Assert.Empty(_faults);
    }

    [Fact]
    public async Task CarryOut_TransientRefusalWithoutRetryAfter_WaitsTheGrowingRetryDelay()
    {
        var handler = new FakeHandler("work") { Fail = claim => claim.Item.Attempts <= 2 ? RateLimited() : null };
        var dispatcher = Dispatcher(new OutboxOptions { RetryDelay = TimeSpan.FromSeconds(5) }, handler);
        await EnqueueAsync(1, DeliveryLane.Update);

        await dispatcher.DrainAsync(None);
        Assert.Equal(Now + Duration.FromSeconds(5), (await _store.GetReadyAsync("slack", Now + Duration.FromSeconds(5), 10, None)).Single().NotBefore);
        _time.Advance(TimeSpan.FromSeconds(5));
        await dispatcher.DrainAsync(None);
        Assert.Equal(Now + Duration.FromSeconds(10), (await _store.GetReadyAsync("slack", Now + Duration.FromSeconds(10), 10, None)).Single().NotBefore);
        _time.Advance(TimeSpan.FromSeconds(10));
        await dispatcher.DrainAsync(None);

        Assert.Equal(3, handler.Delivered.Count);
        Assert.Equal(0, await WaitingAsync());
    }

    [Fact]
    public async Task CarryOut_UnreachableEveryTime_GivenUpAfterMaxAttemptsAndDone()
    {
        var handler = new FakeHandler("work") { Fail = _ => RateLimited(retryAfter: null) };
        var dispatcher = Dispatcher(new OutboxOptions { MaxAttempts = 3, RetryDelay = TimeSpan.FromSeconds(1) }, handler);
        var id = await EnqueueAsync(1, DeliveryLane.Urgent);

        for (var round = 0; round < 8; round++)
        {
            await dispatcher.DrainAsync(None);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal([1, 2, 3], handler.Delivered.Select(c => c.Item.Attempts));
        var (item, reason) = Assert.Single(handler.GivenUp);
        Assert.Equal((id, 3, "ratelimited"), (item.Id, item.Attempts, reason));
        Assert.Equal(0, await WaitingAsync());
        Assert.Empty(_faults);
    }

    [Fact]
    public async Task CarryOut_RateLimitedWithRetryAfterEveryTime_NeverGivenUpAndStillWaiting()
    {
        var handler = new FakeHandler("work") { Fail = _ => RateLimited(TimeSpan.FromSeconds(1)) };
        var dispatcher = Dispatcher(new OutboxOptions { MaxAttempts = 3 }, handler);
        await EnqueueAsync(1, DeliveryLane.Urgent);

        for (var round = 0; round < 6; round++)
        {
            await dispatcher.DrainAsync(None);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        // Slack said when to come back every time: the work is kept for as long as it takes, never dropped.
        Assert.Equal([1, 2, 3, 4, 5, 6], handler.Delivered.Select(c => c.Item.Attempts));
        Assert.Empty(handler.GivenUp);
        Assert.Equal(1, await WaitingAsync());
    }

    [Fact]
    public async Task CarryOut_HandlerFails_ReportedThroughOnFaultAndTriedAgain()
    {
        var bug = new InvalidOperationException("payload could not be read");
        var handler = new FakeHandler("work") { Fail = claim => claim.Item.Attempts == 1 ? bug : null };
        var dispatcher = Dispatcher(new OutboxOptions { RetryDelay = TimeSpan.FromSeconds(5) }, handler);
        var id = await EnqueueAsync(1, DeliveryLane.Cosmetic);

        await dispatcher.DrainAsync(None);

        var (item, error) = Assert.Single(_faults);
        Assert.Equal((id, bug), (item.Id, error));
        Assert.Equal("payload could not be read", (await _store.GetReadyAsync("slack", Now + Duration.FromSeconds(5), 10, None)).Single().LastError);

        _time.Advance(TimeSpan.FromSeconds(5));
        await dispatcher.DrainAsync(None);
        Assert.Equal(2, handler.Delivered.Count);
        Assert.Equal(0, await WaitingAsync());
        Assert.Empty(handler.GivenUp);
    }

    [Fact]
    public async Task CarryOut_RefusalThatIsNotTransientEscapesTheHandler_ReportedAsAFaultThenGivenUp()
    {
        // Handlers record refusals themselves; one that lets a refusal escape is treated like any other failure.
        var refusal = new ChatDeliveryException("channel_not_found") { IsTransient = false };
        var handler = new FakeHandler("work") { Fail = _ => refusal };
        var dispatcher = Dispatcher(new OutboxOptions { MaxAttempts = 2, RetryDelay = TimeSpan.FromSeconds(5) }, handler);
        var id = await EnqueueAsync(1, DeliveryLane.Cosmetic);

        await dispatcher.DrainAsync(None);
        Assert.Equal(1, await WaitingAsync());
        _time.Advance(TimeSpan.FromSeconds(5));
        await dispatcher.DrainAsync(None);

        Assert.Equal([refusal, refusal], _faults.Select(f => f.Error));
        var (item, reason) = Assert.Single(handler.GivenUp);
        Assert.Equal((id, 2, "channel_not_found"), (item.Id, item.Attempts, reason));
        Assert.Equal(0, await WaitingAsync());
    }

    [Fact]
    public async Task DispatchAsync_KindWithoutHandler_KeptForAHostThatKnowsIt()
    {
        var dispatcher = Dispatcher(new OutboxOptions { ClaimLease = TimeSpan.FromMinutes(2) }, new FakeHandler("work"));
        var id = await EnqueueAsync(1, DeliveryLane.Cosmetic, kind: "from.a.newer.version");

        await dispatcher.DrainAsync(None);

        Assert.Equal(1, await WaitingAsync());
        Assert.Empty(await ReadyIdsAsync(Now + Duration.FromSeconds(119)));
        var kept = Assert.Single(await _store.GetReadyAsync("slack", Now + Duration.FromMinutes(2), 10, None));
        Assert.Equal(id, kept.Id);
        Assert.Contains("no handler for 'from.a.newer.version'", kept.LastError, StringComparison.Ordinal);
        Assert.Empty(_faults);
    }

    [Fact]
    public async Task DispatchAsync_ClaimRanOutWhileStillRunning_NotStartedAgain()
    {
        var handler = new FakeHandler("work") { Hold = true };
        var dispatcher = Dispatcher(new OutboxOptions { ClaimLease = TimeSpan.FromMinutes(1) }, handler);
        var id = await EnqueueAsync(1, DeliveryLane.Urgent);
        Assert.Equal(1, (await dispatcher.DispatchAsync(None)).Started);
        await handler.StartedAsync(1);

        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal([id], await ReadyIdsAsync(Now));
        Assert.Equal(0, (await dispatcher.DispatchAsync(None)).Started);
        handler.FinishAll();
        await dispatcher.WhenIdleAsync();
        Assert.Single(handler.Delivered);
        Assert.Equal(0, await WaitingAsync());
    }

    [Fact]
    public async Task DispatchAsync_EarlierClaimRanOut_HandlerIsToldItWasInterrupted()
    {
        var handler = new FakeHandler("work");
        var dispatcher = Dispatcher(new OutboxOptions(), handler);
        var id = await EnqueueAsync(1, DeliveryLane.Urgent);
        // A host claimed it and died while sending.
        await _store.TryClaimAsync(id, Now, Now + Duration.FromMinutes(2), None);
        _time.Advance(TimeSpan.FromMinutes(2));

        await dispatcher.DrainAsync(None);

        var claim = Assert.Single(handler.Delivered);
        Assert.Equal((id, true, 2), (claim.Item.Id, claim.Interrupted, claim.Item.Attempts));
        Assert.Equal(0, await WaitingAsync());
    }

    [Fact]
    public async Task DrainAsync_MixedWork_CarriesOutEverythingReadyInOrderPerIncidentAndLane()
    {
        var handler = new FakeHandler("work");
        var dispatcher = Dispatcher(new OutboxOptions { LaneConcurrency = 3 }, handler);
        foreach (var step in Enumerable.Range(1, 3))
        {
            foreach (var incident in Enumerable.Range(1, 4))
            {
                foreach (var lane in Enum.GetValues<DeliveryLane>())
                {
                    await EnqueueAsync(incident, lane, payload: $"{incident}/{lane}/{step}");
                }
            }
        }
        var teams = await EnqueueAsync(1, DeliveryLane.Urgent, platform: "teams");

        await dispatcher.DrainAsync(None);

        Assert.Equal(36, handler.Delivered.Count);
        foreach (var group in handler.Delivered.GroupBy(c => (c.Item.IncidentNumber, c.Item.Lane)))
        {
            Assert.Equal(
                [.. Enumerable.Range(1, 3).Select(step => $"{group.Key.IncidentNumber}/{group.Key.Lane}/{step}")],
                group.Select(c => c.Item.Entry.Payload));
        }
        // A platform this dispatcher has no pacing for is not its to serve.
        Assert.Equal([new OutboxLaneDepth("teams", DeliveryLane.Urgent, 1, Now)], await _store.GetDepthAsync(None));
        Assert.DoesNotContain(handler.Delivered, c => c.Item.Id == teams);
        Assert.Empty(_faults);
    }

    [Fact]
    public void Constructor_TwoHandlersForOneKind_Throws()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Dispatcher(new OutboxOptions(), new FakeHandler("a", "b"), new FakeHandler("b")));

        Assert.Contains("'b'", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Rate buckets on the fake clock: a bucket is busy until a given time. <see cref="LookTakes"/> moves the clock on
    /// with each look, as time passes while the dispatcher works through a batch.
    /// </summary>
    private sealed class FakePacing(FakeTimeProvider time) : IDeliveryPacing
    {
        private readonly ConcurrentDictionary<string, DateTimeOffset> _freeAt = new(StringComparer.Ordinal);

        public string Platform => "slack";

        public TimeSpan LookTakes { get; set; }

        public void BusyFor(string bucket, TimeSpan wait) => _freeAt[bucket] = time.GetUtcNow() + wait;

        public string BucketOf(OutboxEntry entry) => entry.Conversation ?? entry.Kind;

        public TimeSpan WaitFor(string bucket)
        {
            var now = time.GetUtcNow();
            var wait = _freeAt.TryGetValue(bucket, out var freeAt) && freeAt > now ? freeAt - now : TimeSpan.Zero;
            if (LookTakes > TimeSpan.Zero)
            {
                time.Advance(LookTakes);
            }
            return wait;
        }
    }

    /// <summary>
    /// Records what it is given. With <see cref="Hold"/>, each delivery waits until the test finishes it, so the test
    /// sees which work holds a slot; <see cref="Fail"/> says what an attempt throws.
    /// </summary>
    private sealed class FakeHandler(params string[] kinds) : IOutboxHandler
    {
        private readonly Channel<OutboxClaim> _started = Channel.CreateUnbounded<OutboxClaim>();
        private readonly ConcurrentDictionary<long, TaskCompletionSource> _holds = new();
        private readonly ConcurrentQueue<OutboxClaim> _delivered = new();
        private readonly ConcurrentQueue<(OutboxItem, string)> _givenUp = new();
        private volatile bool _released;

        public IReadOnlyCollection<string> Kinds => kinds;

        public bool Hold { get; init; }

        public Func<OutboxClaim, Exception?> Fail { get; init; } = _ => null;

        public IReadOnlyList<OutboxClaim> Delivered => [.. _delivered];

        public IReadOnlyList<(OutboxItem Item, string Reason)> GivenUp => [.. _givenUp];

        public async Task DeliverAsync(OutboxClaim claim, CancellationToken cancellationToken)
        {
            _delivered.Enqueue(claim);
            _started.Writer.TryWrite(claim);
            if (Hold)
            {
                var hold = HoldFor(claim.Item.Id);
                if (_released)
                {
                    hold.TrySetResult();
                }
                await hold.Task;
            }
            if (Fail(claim) is { } error)
            {
                throw error;
            }
        }

        public Task GiveUpAsync(OutboxItem item, string reason, CancellationToken cancellationToken)
        {
            _givenUp.Enqueue((item, reason));
            return Task.CompletedTask;
        }

        /// <summary>The next <paramref name="count"/> deliveries to start (waiting for them: they run on the thread pool).</summary>
        public async Task<OutboxClaim[]> StartedAsync(int count)
        {
            var claims = new OutboxClaim[count];
            for (var i = 0; i < count; i++)
            {
                // A guard against a hang, not a timing assertion.
                claims[i] = await _started.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            }
            return claims;
        }

        public void Finish(long id) => HoldFor(id).TrySetResult();

        public void FinishAll()
        {
            _released = true;
            foreach (var hold in _holds.Values)
            {
                hold.TrySetResult();
            }
        }

        private TaskCompletionSource HoldFor(long id) => _holds.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
