using NodaTime;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;

namespace OnCallBot.TestKit.Paging;

/// <summary>
/// What every <see cref="IIncidentStore"/> must do, as xUnit facts: derive once per store (in-memory, SQLite,
/// PostgreSQL) and return a new, empty store from <see cref="CreateStoreAsync"/>. Instants are whole seconds so a
/// store that keeps milliseconds or microseconds is held to the same answers.
/// </summary>
public abstract class IncidentStoreContractTests
{
    protected static readonly Instant T0 = Instant.FromUtc(2026, 1, 5, 9, 0, 0);

    private static readonly Actor Pager = new("slack", "UOLIVIA", "Olivia", "olivia");
    private static readonly Actor Teams = new("teams", "29:abc", "Ana (Teams)", null);

    /// <summary>A new store with nothing in it.</summary>
    protected abstract Task<IIncidentStore> CreateStoreAsync();

    protected static Incident Draft(string key, string? serviceId = "checkout", string? directUserId = null) =>
        new(0, "Checkout returns 500s", serviceId, directUserId, IncidentStatus.Triggered, T0, Pager,
            null, null, null, null, EscalationState.Start(T0), key, Version: 1);

    protected static IncidentEvent Line(long number, IncidentEventKind kind, string text, int seconds = 0, params string[] userIds) =>
        new(number, T0 + Duration.FromSeconds(seconds), kind, "OnCallBot", text, userIds, Level: userIds.Length > 0 ? 0 : null, Platform: userIds.Length > 0 ? "slack" : null);

    [Fact]
    public async Task CreateAsync_NewKeys_NumbersIncidentsOneTwoThree()
    {
        var store = await CreateStoreAsync();

        var numbers = new List<long>();
        foreach (var key in new[] { "a", "b", "c" })
        {
            var (incident, created) = await store.CreateAsync(Draft(key) with { Number = 99 }, [], CancellationToken.None);
            Assert.True(created);
            numbers.Add(incident.Number);
        }

        Assert.Equal([1L, 2L, 3L], numbers);
    }

    [Fact]
    public async Task CreateAsync_RoundTrip_KeepsEveryField()
    {
        var store = await CreateStoreAsync();
        var draft = Draft("full", serviceId: null, directUserId: "bob") with
        {
            Status = IncidentStatus.Resolved,
            AcknowledgedAt = T0 + Duration.FromMinutes(2),
            AcknowledgedBy = Teams,
            ResolvedAt = T0 + Duration.FromMinutes(9),
            ResolvedBy = new Actor("slack", "UBOB", "Bob", "bob"),
            Escalation = new EscalationState(3, 1, 1, T0 + Duration.FromMinutes(20), Exhausted: true, ManualPending: true),
            Summary = "Ünïcode, 'quotes' and \"double quotes\"; DROP TABLE incidents; --",
        };

        var (created, _) = await store.CreateAsync(draft, [], CancellationToken.None);

        Assert.Equal(draft with { Number = created.Number }, created);
        Assert.Equal(created, await store.GetAsync(created.Number, CancellationToken.None));
    }

    [Fact]
    public async Task CreateAsync_SameIdempotencyKey_ReturnsTheFirstIncidentAndWritesNothing()
    {
        var store = await CreateStoreAsync();
        var (first, _) = await store.CreateAsync(Draft("key-1"), [Line(0, IncidentEventKind.Created, "first")], CancellationToken.None);

        var (again, created) = await store.CreateAsync(Draft("key-1") with { Summary = "retry" }, [Line(0, IncidentEventKind.Created, "second")], CancellationToken.None);

        Assert.False(created);
        Assert.Equal(first, again);
        Assert.Null(await store.GetAsync(2, CancellationToken.None));
        Assert.Equal(["first"], (await store.GetEventsAsync(1, CancellationToken.None)).Select(e => e.Text));
    }

    [Fact]
    public async Task CreateAsync_FirstEvents_AreStampedWithTheAssignedNumber()
    {
        var store = await CreateStoreAsync();
        await store.CreateAsync(Draft("a"), [], CancellationToken.None);

        var (incident, _) = await store.CreateAsync(Draft("b"), [Line(0, IncidentEventKind.Created, "paged")], CancellationToken.None);

        var line = Assert.Single(await store.GetEventsAsync(2, CancellationToken.None));
        Assert.Equal(2, incident.Number);
        Assert.Equal(2, line.IncidentNumber);
        Assert.Empty(await store.GetEventsAsync(1, CancellationToken.None));
    }

    [Fact]
    public async Task GetAsync_UnknownNumber_IsNull()
    {
        var store = await CreateStoreAsync();

        Assert.Null(await store.GetAsync(1, CancellationToken.None));
    }

    [Fact]
    public async Task TryUpdateAsync_NextVersion_SavesTheIncidentAndItsEvents()
    {
        var store = await CreateStoreAsync();
        var (incident, _) = await store.CreateAsync(Draft("a"), [], CancellationToken.None);
        var updated = incident with { Status = IncidentStatus.Acknowledged, AcknowledgedAt = T0 + Duration.FromMinutes(1), AcknowledgedBy = Pager, Version = 2 };

        var saved = await store.TryUpdateAsync(updated, [Line(1, IncidentEventKind.Acknowledged, "acked", 60)], CancellationToken.None);

        Assert.True(saved);
        Assert.Equal(updated, await store.GetAsync(1, CancellationToken.None));
        Assert.Equal(["acked"], (await store.GetEventsAsync(1, CancellationToken.None)).Select(e => e.Text));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task TryUpdateAsync_VersionNotNext_IsFalseAndWritesNothing(long version)
    {
        var store = await CreateStoreAsync();
        var (incident, _) = await store.CreateAsync(Draft("a"), [], CancellationToken.None);

        var saved = await store.TryUpdateAsync(incident with { Status = IncidentStatus.Resolved, Version = version },
            [Line(1, IncidentEventKind.Resolved, "resolved")], CancellationToken.None);

        Assert.False(saved);
        Assert.Equal(incident, await store.GetAsync(1, CancellationToken.None));
        Assert.Empty(await store.GetEventsAsync(1, CancellationToken.None));
    }

    [Fact]
    public async Task TryUpdateAsync_TwoWritersOfTheSameVersion_OnlyTheFirstWins()
    {
        var store = await CreateStoreAsync();
        var (incident, _) = await store.CreateAsync(Draft("a"), [], CancellationToken.None);

        var first = await store.TryUpdateAsync(incident with { Status = IncidentStatus.Acknowledged, Version = 2 }, [], CancellationToken.None);
        var second = await store.TryUpdateAsync(incident with { Status = IncidentStatus.Resolved, Version = 2 }, [], CancellationToken.None);

        Assert.True(first);
        Assert.False(second);
        Assert.Equal(IncidentStatus.Acknowledged, (await store.GetAsync(1, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task TryUpdateAsync_UnknownIncident_IsFalse()
    {
        var store = await CreateStoreAsync();

        Assert.False(await store.TryUpdateAsync(Draft("a") with { Number = 5, Version = 2 }, [], CancellationToken.None));
    }

    [Fact]
    public async Task GetEventsAsync_WrittenByCreateUpdateAndAppend_ComeBackInWriteOrderWithEveryField()
    {
        var store = await CreateStoreAsync();
        var (incident, _) = await store.CreateAsync(Draft("a"), [Line(0, IncidentEventKind.Created, "1 created")], CancellationToken.None);
        await store.AppendEventsAsync([Line(1, IncidentEventKind.Notified, "2 notified", 1, "alice")], CancellationToken.None);
        // Same instant as the line before: order is write order, not time order.
        await store.TryUpdateAsync(incident with { Version = 2 },
            [Line(1, IncidentEventKind.Missed, "3 missed", 1, "alice", "bob"), Line(1, IncidentEventKind.Escalated, "4 escalated", 1)], CancellationToken.None);
        await store.AppendEventsAsync([Line(1, IncidentEventKind.NotificationFailed, "5 failed", 2, "carol")], CancellationToken.None);

        var events = await store.GetEventsAsync(1, CancellationToken.None);

        Assert.Equal(["1 created", "2 notified", "3 missed", "4 escalated", "5 failed"], events.Select(e => e.Text));
        var missed = events[2];
        Assert.Equal((1L, T0 + Duration.FromSeconds(1), IncidentEventKind.Missed, "OnCallBot", 0, "slack"),
            (missed.IncidentNumber, missed.At, missed.Kind, missed.ActorName, missed.Level, missed.Platform));
        Assert.Equal(["alice", "bob"], missed.UserIds);
        Assert.Null(events[3].Level);
        Assert.Null(events[3].Platform);
        Assert.Empty(events[3].UserIds);
    }

    [Fact]
    public async Task TryClaimNotificationAsync_SameStepPersonAndPlatform_OnlyTheFirstClaimWins()
    {
        var store = await CreateStoreAsync();
        await store.CreateAsync(Draft("a"), [], CancellationToken.None);
        var claim = new Notification(1, 0, 0, "alice", "slack", T0, null);

        var first = await store.TryClaimNotificationAsync(claim, CancellationToken.None);
        var again = await store.TryClaimNotificationAsync(claim with { At = T0 + Duration.FromMinutes(1), Level = 1 }, CancellationToken.None);
        var otherPlatform = await store.TryClaimNotificationAsync(claim with { Platform = "teams" }, CancellationToken.None);
        var nextStep = await store.TryClaimNotificationAsync(claim with { Step = 1 }, CancellationToken.None);
        var otherPerson = await store.TryClaimNotificationAsync(claim with { UserId = "bob" }, CancellationToken.None);

        Assert.Equal([true, false, true, true, true], new[] { first, again, otherPlatform, nextStep, otherPerson });
        Assert.Equal(claim, (await store.GetNotificationsAsync(1, CancellationToken.None))[0]);
        Assert.Equal(4, (await store.GetNotificationsAsync(1, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task SetNotificationMessageAsync_ClaimedNotification_IsKeptForLaterUpdates()
    {
        var store = await CreateStoreAsync();
        await store.CreateAsync(Draft("a"), [], CancellationToken.None);
        await store.TryClaimNotificationAsync(new Notification(1, 0, 0, "alice", "slack", T0, null), CancellationToken.None);
        await store.TryClaimNotificationAsync(new Notification(1, 0, 0, "bob", "slack", T0, null), CancellationToken.None);
        var message = new DeliveredMessage("slack", "DUALICE", "1767603600.000100");

        await store.SetNotificationMessageAsync(1, 0, "alice", "slack", message, T0 + Duration.FromSeconds(2), CancellationToken.None);

        var notifications = await store.GetNotificationsAsync(1, CancellationToken.None);
        Assert.Equal(message, notifications.Single(n => n.UserId == "alice").Message);
        Assert.Null(notifications.Single(n => n.UserId == "bob").Message);
    }

    [Fact]
    public async Task GetTriggeredIncidentsNotifyingAsync_MixedIncidents_OnlyTriggeredOnesThatNotifiedThePersonNewestFirst()
    {
        var store = await CreateStoreAsync();
        for (var i = 1; i <= 4; i++)
        {
            await store.CreateAsync(Draft($"k{i}"), [], CancellationToken.None);
        }
        await store.TryClaimNotificationAsync(new Notification(1, 0, 0, "alice", "slack", T0, null), CancellationToken.None);
        await store.TryClaimNotificationAsync(new Notification(2, 0, 0, "bob", "slack", T0, null), CancellationToken.None);
        await store.TryClaimNotificationAsync(new Notification(3, 1, 1, "alice", "slack", T0, null), CancellationToken.None);
        await store.TryClaimNotificationAsync(new Notification(3, 2, 0, "alice", "slack", T0, null), CancellationToken.None);
        await store.TryClaimNotificationAsync(new Notification(4, 0, 0, "alice", "slack", T0, null), CancellationToken.None);
        var four = (await store.GetAsync(4, CancellationToken.None))!;
        await store.TryUpdateAsync(four with { Status = IncidentStatus.Acknowledged, Version = 2 }, [], CancellationToken.None);

        var forAlice = await store.GetTriggeredIncidentsNotifyingAsync("alice", CancellationToken.None);

        Assert.Equal([3L, 1L], forAlice.Select(i => i.Number));
        Assert.Empty(await store.GetTriggeredIncidentsNotifyingAsync("carol", CancellationToken.None));
    }

    [Fact]
    public async Task GetPendingEscalationsAsync_MixedIncidents_OnlyTriggeredOnesWithAStepDue()
    {
        var store = await CreateStoreAsync();
        for (var i = 1; i <= 4; i++)
        {
            await store.CreateAsync(Draft($"k{i}"), [], CancellationToken.None);
        }
        var two = (await store.GetAsync(2, CancellationToken.None))!;
        await store.TryUpdateAsync(two with { Escalation = two.Escalation with { Step = 4, NextStepDueAt = null, Exhausted = true }, Version = 2 }, [], CancellationToken.None);
        var three = (await store.GetAsync(3, CancellationToken.None))!;
        await store.TryUpdateAsync(three with { Status = IncidentStatus.Acknowledged, Escalation = three.Escalation with { NextStepDueAt = null }, Version = 2 }, [], CancellationToken.None);
        var four = (await store.GetAsync(4, CancellationToken.None))!;
        await store.TryUpdateAsync(four with { Escalation = new EscalationState(1, 0, 0, T0 + Duration.FromMinutes(5), false, false), Version = 2 }, [], CancellationToken.None);

        var pending = await store.GetPendingEscalationsAsync(CancellationToken.None);

        Assert.Equal([1L, 4L], pending.Select(i => i.Number).Order());
        Assert.Equal(T0 + Duration.FromMinutes(5), pending.Single(i => i.Number == 4).Escalation.NextStepDueAt);
    }

    [Fact]
    public async Task NotificationOutcomes_DeliveredOrRefused_ComeBackWithTheClaim()
    {
        var store = await CreateStoreAsync();
        await store.CreateAsync(Draft("a"), [], CancellationToken.None);
        await store.TryClaimNotificationAsync(new Notification(1, 0, 0, "alice", "slack", T0, null), CancellationToken.None);
        await store.TryClaimNotificationAsync(new Notification(1, 0, 0, "bob", "slack", T0, null), CancellationToken.None);
        await store.TryClaimNotificationAsync(new Notification(1, 0, 0, "carol", "slack", T0, null), CancellationToken.None);
        var message = new DeliveredMessage("slack", "DALICE", "1767603600.000100");

        await store.SetNotificationMessageAsync(1, 0, "alice", "slack", message, T0 + Duration.FromSeconds(4), CancellationToken.None);
        await store.SetNotificationFailedAsync(1, 0, "bob", "slack", "Slack chat.postMessage failed: user_not_found", CancellationToken.None);

        var notifications = await store.GetNotificationsAsync(1, CancellationToken.None);
        Assert.Equal(new Notification(1, 0, 0, "alice", "slack", T0, message, T0 + Duration.FromSeconds(4)), notifications[0]);
        Assert.Equal(new Notification(1, 0, 0, "bob", "slack", T0, null, null, "Slack chat.postMessage failed: user_not_found"), notifications[1]);
        // No outcome recorded: the run making it stopped while sending.
        Assert.Equal(new Notification(1, 0, 0, "carol", "slack", T0, null), notifications[2]);
    }

    [Fact]
    public async Task SetNotificationFailedAsync_DeliveredOrUnclaimed_ThrowsAndChangesNothing()
    {
        var store = await CreateStoreAsync();
        await store.CreateAsync(Draft("a"), [], CancellationToken.None);
        await store.TryClaimNotificationAsync(new Notification(1, 0, 0, "alice", "slack", T0, null), CancellationToken.None);
        var message = new DeliveredMessage("slack", "DALICE", "1767603600.000100");
        await store.SetNotificationMessageAsync(1, 0, "alice", "slack", message, T0, CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.SetNotificationFailedAsync(1, 0, "alice", "slack", "too late", CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.SetNotificationFailedAsync(1, 0, "bob", "slack", "never claimed", CancellationToken.None));

        Assert.Equal(message, Assert.Single(await store.GetNotificationsAsync(1, CancellationToken.None)).Message);
    }

    [Fact]
    public async Task TryTakeStepLeaseAsync_FirstRun_TakesItUntilNowPlusLength()
    {
        var store = await CreateStoreAsync();
        await store.CreateAsync(Draft("a"), [], CancellationToken.None);

        var lease = await store.TryTakeStepLeaseAsync(1, 0, "host-a/1", T0, Duration.FromSeconds(30), CancellationToken.None);

        Assert.Equal(new StepLease(true, T0 + Duration.FromSeconds(30), EarlierStepRun.None, null), lease);
    }

    [Fact]
    public async Task TryTakeStepLeaseAsync_HeldByAnotherRun_IsNotTakenAndSaysUntilWhen()
    {
        var store = await CreateStoreAsync();
        await store.CreateAsync(Draft("a"), [], CancellationToken.None);
        await store.TryTakeStepLeaseAsync(1, 0, "host-a/1", T0, Duration.FromSeconds(30), CancellationToken.None);

        var second = await store.TryTakeStepLeaseAsync(1, 0, "host-b/2", T0 + Duration.FromSeconds(29), Duration.FromSeconds(30), CancellationToken.None);
        var otherStep = await store.TryTakeStepLeaseAsync(1, 1, "host-b/2", T0 + Duration.FromSeconds(29), Duration.FromSeconds(30), CancellationToken.None);

        Assert.Equal(new StepLease(false, T0 + Duration.FromSeconds(30), EarlierStepRun.None, null), second);
        Assert.True(otherStep.Taken);
        // The holder still has it: renewing works for it and not for the run that was turned away.
        Assert.True(await store.RenewStepLeaseAsync(1, 0, "host-a/1", T0 + Duration.FromSeconds(60), CancellationToken.None));
        Assert.False(await store.RenewStepLeaseAsync(1, 0, "host-b/2", T0 + Duration.FromSeconds(60), CancellationToken.None));
    }

    [Fact]
    public async Task TryTakeStepLeaseAsync_HolderLetItRunOut_IsTakenOverAndSaysTheEarlierRunExpired()
    {
        var store = await CreateStoreAsync();
        await store.CreateAsync(Draft("a"), [], CancellationToken.None);
        await store.TryTakeStepLeaseAsync(1, 0, "host-a/1", T0, Duration.FromSeconds(30), CancellationToken.None);
        Assert.True(await store.RenewStepLeaseAsync(1, 0, "host-a/1", T0 + Duration.FromSeconds(40), CancellationToken.None));

        var early = await store.TryTakeStepLeaseAsync(1, 0, "host-b/2", T0 + Duration.FromSeconds(35), Duration.FromSeconds(30), CancellationToken.None);
        var late = await store.TryTakeStepLeaseAsync(1, 0, "host-b/2", T0 + Duration.FromSeconds(40), Duration.FromSeconds(30), CancellationToken.None);

        Assert.Equal(new StepLease(false, T0 + Duration.FromSeconds(40), EarlierStepRun.None, null), early);
        Assert.Equal(new StepLease(true, T0 + Duration.FromSeconds(70), EarlierStepRun.Expired, T0 + Duration.FromSeconds(40)), late);
        // The dead holder, should it wake up, no longer has it.
        Assert.False(await store.RenewStepLeaseAsync(1, 0, "host-a/1", T0 + Duration.FromSeconds(80), CancellationToken.None));
    }

    [Fact]
    public async Task ReleaseStepLeaseAsync_ByTheHolder_LetsTheNextRunTakeItAtOnce()
    {
        var store = await CreateStoreAsync();
        await store.CreateAsync(Draft("a"), [], CancellationToken.None);
        await store.TryTakeStepLeaseAsync(1, 0, "host-a/1", T0, Duration.FromSeconds(30), CancellationToken.None);

        // Someone else's release changes nothing; the holder's gives it back.
        await store.ReleaseStepLeaseAsync(1, 0, "host-b/2", T0 + Duration.FromSeconds(1), CancellationToken.None);
        var whileHeld = await store.TryTakeStepLeaseAsync(1, 0, "host-b/2", T0 + Duration.FromSeconds(2), Duration.FromSeconds(30), CancellationToken.None);
        await store.ReleaseStepLeaseAsync(1, 0, "host-a/1", T0 + Duration.FromSeconds(3), CancellationToken.None);
        var released = await store.TryTakeStepLeaseAsync(1, 0, "host-b/2", T0 + Duration.FromSeconds(4), Duration.FromSeconds(30), CancellationToken.None);

        Assert.False(whileHeld.Taken);
        Assert.Equal(new StepLease(true, T0 + Duration.FromSeconds(34), EarlierStepRun.Released, T0 + Duration.FromSeconds(3)), released);
        Assert.False(await store.RenewStepLeaseAsync(1, 0, "host-a/1", T0 + Duration.FromSeconds(60), CancellationToken.None));
    }

    [Fact]
    public async Task TryTakeStepLeaseAsync_UnknownIncident_Throws()
    {
        var store = await CreateStoreAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            store.TryTakeStepLeaseAsync(7, 0, "host-a/1", T0, Duration.FromSeconds(30), CancellationToken.None));
    }
}
