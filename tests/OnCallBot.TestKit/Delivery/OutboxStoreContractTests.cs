using NodaTime;
using OnCallBot.Core.Delivery;
using OnCallBot.Core.Ports;

namespace OnCallBot.TestKit.Delivery;

/// <summary>
/// What every <see cref="IOutboxStore"/> must do: derive once per store (in memory, SQLite, PostgreSQL) and return a
/// new, empty store from <see cref="CreateStoreAsync"/>. Instants are whole seconds, so a store that keeps
/// microseconds is held to the same answers.
/// </summary>
public abstract class OutboxStoreContractTests
{
    protected static readonly Instant T0 = Instant.FromUtc(2026, 1, 5, 9, 0, 0);
    protected static readonly CancellationToken None = CancellationToken.None;
    protected static readonly Duration Lease = Duration.FromMinutes(2);

    /// <summary>A new store with nothing in it.</summary>
    protected abstract Task<IOutboxStore> CreateStoreAsync();

    protected static OutboxEntry Entry(long incident, DeliveryLane lane = DeliveryLane.Cosmetic, string kind = "channel.post",
        string? key = null, string payload = "", string platform = "slack", string? conversation = null) =>
        new(platform, lane, incident, kind, conversation, key, payload);

    protected static Instant At(int seconds) => T0 + Duration.FromSeconds(seconds);

    private static async Task<long[]> ReadyIdsAsync(IOutboxStore store, Instant now, string platform = "slack", int limit = 100) =>
        [.. (await store.GetReadyAsync(platform, now, limit, None)).Select(i => i.Id)];

    [ContractFact]
    public async Task GetReadyAsync_EverythingEnqueued_ReturnsEachEntryAsItWasEnqueued()
    {
        var store = await CreateStoreAsync();
        var entry = new OutboxEntry("slack", DeliveryLane.Update, 42, "page.update", "D0ALICE", "page.update:42:slack:D0ALICE:1.2",
            "{\"text\":\"Ünïcode, 'quotes'; DROP TABLE outbox; --\"}");

        var id = await store.EnqueueAsync(entry, At(1), None);
        var bare = await store.EnqueueAsync(Entry(43), At(2), None);
        var ready = await store.GetReadyAsync("slack", At(2), 10, None);

        Assert.Equal([new OutboxItem(id, entry, At(1), At(1), 0, null), new OutboxItem(bare, Entry(43), At(2), At(2), 0, null)], ready);
    }

    [ContractFact]
    public async Task GetReadyAsync_SeveralItemsOfOneIncidentInALane_OnlyTheOldestIsReady()
    {
        var store = await CreateStoreAsync();
        var first = await store.EnqueueAsync(Entry(1, kind: "channel.open"), T0, None);
        await store.EnqueueAsync(Entry(1, kind: "channel.invite"), T0, None);
        var other = await store.EnqueueAsync(Entry(2, kind: "channel.open"), T0, None);
        await store.EnqueueAsync(Entry(1, kind: "channel.topic"), T0, None);

        Assert.Equal([first, other], await ReadyIdsAsync(store, T0));
    }

    [ContractFact]
    public async Task GetReadyAsync_OldestOfAnIncidentClaimed_TheNextWaitsUntilItIsDone()
    {
        var store = await CreateStoreAsync();
        var first = await store.EnqueueAsync(Entry(1, kind: "channel.open"), T0, None);
        var second = await store.EnqueueAsync(Entry(1, kind: "channel.invite"), T0, None);
        var other = await store.EnqueueAsync(Entry(2), T0, None);

        Assert.NotNull(await store.TryClaimAsync(first, T0, T0 + Lease, None));
        Assert.Equal([other], await ReadyIdsAsync(store, At(1)));

        await store.CompleteAsync(first, None);
        Assert.Equal([second, other], await ReadyIdsAsync(store, At(1)));
    }

    [ContractFact]
    public async Task GetReadyAsync_OldestOfAnIncidentWaitingForRetry_HoldsBackTheNextUntilItIsDue()
    {
        var store = await CreateStoreAsync();
        var first = await store.EnqueueAsync(Entry(1, kind: "channel.open"), T0, None);
        var second = await store.EnqueueAsync(Entry(1, kind: "channel.invite"), T0, None);
        var other = await store.EnqueueAsync(Entry(2), T0, None);
        await store.TryClaimAsync(first, T0, T0 + Lease, None);

        await store.ReleaseAsync(first, At(30), "ratelimited", None);

        Assert.Equal([other], await ReadyIdsAsync(store, At(29)));
        Assert.Equal([first, other], await ReadyIdsAsync(store, At(30)));
        Assert.DoesNotContain(second, await ReadyIdsAsync(store, At(3600)));
    }

    [ContractFact]
    public async Task GetReadyAsync_SameIncidentInAnotherLane_IsNotHeldBack()
    {
        var store = await CreateStoreAsync();
        var cosmetic = await store.EnqueueAsync(Entry(1, DeliveryLane.Cosmetic, "channel.open"), T0, None);
        var update = await store.EnqueueAsync(Entry(1, DeliveryLane.Update, "page.update"), T0, None);
        await store.TryClaimAsync(cosmetic, T0, T0 + Lease, None);

        Assert.Equal([update], await ReadyIdsAsync(store, T0));
    }

    [ContractFact]
    public async Task GetReadyAsync_SeveralLanes_ByLaneThenOldestFirst()
    {
        var store = await CreateStoreAsync();
        var cosmetic1 = await store.EnqueueAsync(Entry(1, DeliveryLane.Cosmetic), T0, None);
        var update2 = await store.EnqueueAsync(Entry(2, DeliveryLane.Update), T0, None);
        var urgent3 = await store.EnqueueAsync(Entry(3, DeliveryLane.Urgent), T0, None);
        var cosmetic4 = await store.EnqueueAsync(Entry(4, DeliveryLane.Cosmetic), T0, None);
        var urgent5 = await store.EnqueueAsync(Entry(5, DeliveryLane.Urgent), T0, None);

        Assert.Equal([urgent3, urgent5, update2, cosmetic1, cosmetic4], await ReadyIdsAsync(store, T0));
        Assert.Equal([urgent3, urgent5], await ReadyIdsAsync(store, T0, limit: 2));
    }

    [ContractFact]
    public async Task GetReadyAsync_OtherPlatform_IsNeitherReturnedNorHoldingBack()
    {
        var store = await CreateStoreAsync();
        var teams = await store.EnqueueAsync(Entry(1, platform: "teams"), T0, None);
        var slack = await store.EnqueueAsync(Entry(1, platform: "slack"), T0, None);

        Assert.Equal([slack], await ReadyIdsAsync(store, T0, "slack"));
        Assert.Equal([teams], await ReadyIdsAsync(store, T0, "teams"));
    }

    [ContractFact]
    public async Task GetReadyAsync_ManyReadyOfOneKind_DoNotHideTheOtherKindsBehindThem()
    {
        var store = await CreateStoreAsync();
        // A storm of channel creations held back by their rate bucket must leave room for a topic and an invite.
        for (var incident = 1; incident <= 150; incident++)
        {
            await store.EnqueueAsync(Entry(incident, kind: "channel.open"), T0, None);
        }
        var topic = await store.EnqueueAsync(Entry(151, kind: "channel.topic"), T0, None);
        var invite = await store.EnqueueAsync(Entry(152, kind: "channel.invite"), T0, None);

        var ready = await store.GetReadyAsync("slack", T0, 100, None);

        Assert.Contains(topic, ready.Select(i => i.Id));
        Assert.Contains(invite, ready.Select(i => i.Id));
        Assert.True(ready.Count <= 100);
        Assert.Equal(ready.Select(i => i.Id).Order(), ready.Select(i => i.Id));
    }

    [ContractFact]
    public async Task GetReadyAsync_BadArguments_Throw()
    {
        var store = await CreateStoreAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetReadyAsync(" ", T0, 10, None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetReadyAsync("slack", T0, 0, None));
    }

    [ContractFact]
    public async Task EnqueueAsync_BlankPlatformOrKind_ThrowsAndAddsNothing()
    {
        var store = await CreateStoreAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.EnqueueAsync(Entry(1, platform: ""), T0, None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.EnqueueAsync(Entry(1, kind: " "), T0, None));

        Assert.Empty(await store.GetDepthAsync(None));
    }

    [ContractFact]
    public async Task EnqueueAsync_AfterTheNewestIsDone_IdsStillGrow()
    {
        var store = await CreateStoreAsync();
        await store.EnqueueAsync(Entry(1), T0, None);
        var newest = await store.EnqueueAsync(Entry(2), T0, None);
        await store.CompleteAsync(newest, None);

        var next = await store.EnqueueAsync(Entry(3), T0, None);

        Assert.True(next > newest, $"id {next} after {newest}: ids are the order work goes out in, and must not be reused");
    }

    [ContractFact]
    public async Task EnqueueAsync_SameKeyWaiting_ReplacesThePayloadAndKeepsThePlace()
    {
        var store = await CreateStoreAsync();
        var card = await store.EnqueueAsync(Entry(1, kind: "channel.card.update", key: "card:1", payload: "v1"), At(0), None);
        var other = await store.EnqueueAsync(Entry(2), At(1), None);

        var again = await store.EnqueueAsync(Entry(1, kind: "channel.card.update", key: "card:1", payload: "v2"), At(2), None);
        var ready = await store.GetReadyAsync("slack", At(2), 10, None);

        Assert.Equal(card, again);
        Assert.Equal([card, other], ready.Select(i => i.Id));
        Assert.Equal("v2", ready[0].Entry.Payload);
        Assert.Equal(At(0), ready[0].EnqueuedAt);
        Assert.Equal(2, (await store.GetDepthAsync(None)).Single().Waiting);
    }

    [ContractFact]
    public async Task EnqueueAsync_SameKeyWaitingForRetry_ReplacesThePayloadAndKeepsTheRetryTime()
    {
        var store = await CreateStoreAsync();
        var card = await store.EnqueueAsync(Entry(1, key: "card:1", payload: "v1"), T0, None);
        await store.TryClaimAsync(card, T0, T0 + Lease, None);
        await store.ReleaseAsync(card, At(30), "ratelimited", None);

        Assert.Equal(card, await store.EnqueueAsync(Entry(1, key: "card:1", payload: "v2"), At(1), None));

        Assert.Empty(await store.GetReadyAsync("slack", At(29), 10, None));
        var ready = Assert.Single(await store.GetReadyAsync("slack", At(30), 10, None));
        Assert.Equal(("v2", 1), (ready.Entry.Payload, ready.Attempts));
    }

    [ContractFact]
    public async Task EnqueueAsync_SameKeyClaimed_AddsANewItemThatGoesAfterIt()
    {
        var store = await CreateStoreAsync();
        var sending = await store.EnqueueAsync(Entry(1, key: "card:1", payload: "v1"), T0, None);
        var claim = await store.TryClaimAsync(sending, T0, T0 + Lease, None);

        // The claimed one may be on its way already: the change must be sent after it, not folded into it.
        var newer = await store.EnqueueAsync(Entry(1, key: "card:1", payload: "v2"), At(1), None);

        Assert.NotEqual(sending, newer);
        Assert.Equal("v1", claim!.Item.Entry.Payload);
        Assert.Empty(await store.GetReadyAsync("slack", At(1), 10, None));
        await store.CompleteAsync(sending, None);
        var next = Assert.Single(await store.GetReadyAsync("slack", At(1), 10, None));
        Assert.Equal((newer, "v2"), (next.Id, next.Entry.Payload));
    }

    [ContractFact]
    public async Task EnqueueAsync_SameKeyClaimRanOut_AddsANewItem()
    {
        var store = await CreateStoreAsync();
        var stale = await store.EnqueueAsync(Entry(1, key: "card:1", payload: "v1"), T0, None);
        await store.TryClaimAsync(stale, T0, At(10), None);

        // A claim that ran out may belong to a host that is still sending: its item is not rewritten under it.
        var newer = await store.EnqueueAsync(Entry(1, key: "card:1", payload: "v2"), At(20), None);

        Assert.NotEqual(stale, newer);
        Assert.Equal(2, (await store.GetDepthAsync(None)).Single().Waiting);
    }

    [ContractFact]
    public async Task EnqueueAsync_SameKeyOnAnotherPlatform_IsNotCoalesced()
    {
        var store = await CreateStoreAsync();
        var slack = await store.EnqueueAsync(Entry(1, key: "card:1", payload: "slack", platform: "slack"), T0, None);

        var teams = await store.EnqueueAsync(Entry(1, key: "card:1", payload: "teams", platform: "teams"), T0, None);

        Assert.NotEqual(slack, teams);
        Assert.Equal("slack", Assert.Single(await store.GetReadyAsync("slack", T0, 10, None)).Entry.Payload);
        Assert.Equal("teams", Assert.Single(await store.GetReadyAsync("teams", T0, 10, None)).Entry.Payload);
    }

    [ContractFact]
    public async Task TryClaimAsync_Ready_CountsAnAttemptAndHoldsOthersOff()
    {
        var store = await CreateStoreAsync();
        var id = await store.EnqueueAsync(Entry(1), T0, None);

        var claim = await store.TryClaimAsync(id, T0, T0 + Lease, None);
        var second = await store.TryClaimAsync(id, At(1), At(1) + Lease, None);

        Assert.NotNull(claim);
        Assert.Equal((id, 1, false), (claim.Item.Id, claim.Item.Attempts, claim.Interrupted));
        Assert.Null(second);
        Assert.Empty(await store.GetReadyAsync("slack", At(1), 10, None));
    }

    [ContractFact]
    public async Task TryClaimAsync_ManyAtOnce_ExactlyOneWins()
    {
        var store = await CreateStoreAsync();
        var id = await store.EnqueueAsync(Entry(1), T0, None);

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => store.TryClaimAsync(id, T0, T0 + Lease, None))));

        Assert.Single(claims, c => c is not null);
    }

    [ContractFact]
    public async Task TryClaimAsync_GoneOrNeverThere_IsNull()
    {
        var store = await CreateStoreAsync();
        var id = await store.EnqueueAsync(Entry(1), T0, None);
        await store.CompleteAsync(id, None);

        Assert.Null(await store.TryClaimAsync(id, T0, T0 + Lease, None));
        Assert.Null(await store.TryClaimAsync(id + 1000, T0, T0 + Lease, None));
    }

    [ContractFact]
    public async Task TryClaimAsync_EarlierClaimRanOut_ReadyAgainInterruptedAndCounted()
    {
        var store = await CreateStoreAsync();
        var id = await store.EnqueueAsync(Entry(1), T0, None);
        await store.TryClaimAsync(id, T0, T0 + Lease, None);

        Assert.Empty(await store.GetReadyAsync("slack", T0 + Lease - Duration.FromSeconds(1), 10, None));
        Assert.Equal([id], await ReadyIdsAsync(store, T0 + Lease));
        var again = await store.TryClaimAsync(id, T0 + Lease, T0 + Lease + Lease, None);

        Assert.NotNull(again);
        Assert.Equal((2, true), (again.Item.Attempts, again.Interrupted));
    }

    [ContractFact]
    public async Task TryClaimAsync_AfterARelease_IsNotInterrupted()
    {
        var store = await CreateStoreAsync();
        var id = await store.EnqueueAsync(Entry(1), T0, None);
        await store.TryClaimAsync(id, T0, T0 + Lease, None);
        await store.ReleaseAsync(id, At(5), "ratelimited", None);

        var again = await store.TryClaimAsync(id, At(5), At(5) + Lease, None);

        Assert.NotNull(again);
        Assert.Equal((2, false, "ratelimited"), (again.Item.Attempts, again.Interrupted, again.Item.LastError));
    }

    [ContractFact]
    public async Task TryClaimAsync_ReleasedForLater_IsNullUntilItIsDue()
    {
        var store = await CreateStoreAsync();
        var id = await store.EnqueueAsync(Entry(1), T0, None);
        await store.TryClaimAsync(id, T0, T0 + Lease, None);
        // Another host read this item as ready before it was tried and released for later (the platform said wait):
        // its claim must not send it before the platform's wait is over.
        await store.ReleaseAsync(id, At(30), "ratelimited; retry after 30 s", None);

        Assert.Null(await store.TryClaimAsync(id, At(1), At(1) + Lease, None));
        Assert.NotNull(await store.TryClaimAsync(id, At(30), At(30) + Lease, None));
    }

    [ContractFact]
    public async Task ReleaseAsync_WithNotBefore_ReadyAgainFromThenWithTheError()
    {
        var store = await CreateStoreAsync();
        var id = await store.EnqueueAsync(Entry(1, key: "card:1"), T0, None);
        await store.TryClaimAsync(id, T0, T0 + Lease, None);

        await store.ReleaseAsync(id, At(30), "ratelimited", None);

        Assert.Empty(await store.GetReadyAsync("slack", At(29), 10, None));
        var item = Assert.Single(await store.GetReadyAsync("slack", At(30), 10, None));
        Assert.Equal((id, At(30), 1, "ratelimited"), (item.Id, item.NotBefore, item.Attempts, item.LastError));
    }

    [ContractFact]
    public async Task ReleaseAsync_NewerItemWithTheSameKeyWaits_DropsTheReleasedOne()
    {
        var store = await CreateStoreAsync();
        var older = await store.EnqueueAsync(Entry(1, key: "card:1", payload: "v1"), T0, None);
        await store.TryClaimAsync(older, T0, T0 + Lease, None);
        var newer = await store.EnqueueAsync(Entry(1, key: "card:1", payload: "v2"), At(1), None);

        await store.ReleaseAsync(older, At(1), "ratelimited", None);

        var left = Assert.Single(await store.GetReadyAsync("slack", At(1), 10, None));
        Assert.Equal((newer, "v2", 0), (left.Id, left.Entry.Payload, left.Attempts));
        Assert.Equal(1, (await store.GetDepthAsync(None)).Single().Waiting);
        Assert.Null(await store.TryClaimAsync(older, At(1), At(1) + Lease, None));
    }

    [ContractFact]
    public async Task ReleaseAsync_OnlyAnOlderItemWithTheSameKeyWaits_KeepsTheReleasedOne()
    {
        var store = await CreateStoreAsync();
        var older = await store.EnqueueAsync(Entry(1, key: "shared", payload: "v1"), T0, None);
        await store.TryClaimAsync(older, T0, T0 + Lease, None);
        var newer = await store.EnqueueAsync(Entry(2, key: "shared", payload: "v2"), At(1), None);
        await store.TryClaimAsync(newer, At(1), At(1) + Lease, None);
        await store.ReleaseAsync(older, At(2), "ratelimited", None);

        // The released one carries the later state: the older one waiting does not replace it.
        await store.ReleaseAsync(newer, At(2), "ratelimited", None);

        var ready = await store.GetReadyAsync("slack", At(2), 10, None);
        Assert.Contains((newer, "v2"), ready.Select(i => (i.Id, i.Entry.Payload)));
    }

    [ContractFact]
    public async Task ReleaseAsync_SameKeyOnlyOnAnotherPlatform_KeepsTheReleasedOne()
    {
        var store = await CreateStoreAsync();
        var slack = await store.EnqueueAsync(Entry(1, key: "card:1", platform: "slack"), T0, None);
        await store.TryClaimAsync(slack, T0, T0 + Lease, None);
        await store.EnqueueAsync(Entry(1, key: "card:1", platform: "teams"), T0, None);

        await store.ReleaseAsync(slack, At(1), "ratelimited", None);

        Assert.Equal([slack], await ReadyIdsAsync(store, At(1), "slack"));
    }

    [ContractFact]
    public async Task CompleteAsync_Item_LeavesTheOutbox()
    {
        var store = await CreateStoreAsync();
        var done = await store.EnqueueAsync(Entry(1), T0, None);
        var kept = await store.EnqueueAsync(Entry(2), T0, None);
        await store.TryClaimAsync(done, T0, T0 + Lease, None);

        await store.CompleteAsync(done, None);
        await store.CompleteAsync(done, None);

        Assert.Equal([kept], await ReadyIdsAsync(store, At(3600)));
        Assert.Equal(1, (await store.GetDepthAsync(None)).Single().Waiting);
    }

    [ContractFact]
    public async Task GetDepthAsync_PerPlatformAndLane_CountsClaimedOnesAndNamesTheOldest()
    {
        var store = await CreateStoreAsync();
        Assert.Empty(await store.GetDepthAsync(None));
        var claimed = await store.EnqueueAsync(Entry(1, DeliveryLane.Cosmetic), At(1), None);
        await store.EnqueueAsync(Entry(1, DeliveryLane.Cosmetic), At(2), None);
        await store.EnqueueAsync(Entry(2, DeliveryLane.Cosmetic, key: "card:2"), At(3), None);
        await store.EnqueueAsync(Entry(2, DeliveryLane.Cosmetic, key: "card:2"), At(4), None);
        await store.EnqueueAsync(Entry(3, DeliveryLane.Urgent), At(5), None);
        await store.EnqueueAsync(Entry(3, DeliveryLane.Urgent, platform: "teams"), At(6), None);
        await store.TryClaimAsync(claimed, At(7), At(7) + Lease, None);

        var depths = await store.GetDepthAsync(None);

        Assert.Equal(
            [
                new OutboxLaneDepth("slack", DeliveryLane.Urgent, 1, At(5)),
                new OutboxLaneDepth("slack", DeliveryLane.Cosmetic, 3, At(1)),
                new OutboxLaneDepth("teams", DeliveryLane.Urgent, 1, At(6)),
            ],
            depths);
    }
}
