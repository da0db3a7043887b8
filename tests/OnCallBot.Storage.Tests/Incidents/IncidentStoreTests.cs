using NodaTime;
using OnCallBot.Core.Paging;
using OnCallBot.Storage.Incidents;
using OnCallBot.Storage.Tests.Infrastructure;

namespace OnCallBot.Storage.Tests.Incidents;

/// <summary>
/// The SQL incident store on a real SQLite file and a real PostgreSQL schema, held to the behaviour of the port (and
/// of TestKit's InMemoryIncidentStore, its reference).
/// </summary>
public sealed class IncidentStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    // Sub-microsecond on purpose: the store keeps microseconds, and what it hands back must equal what it reads later.
    private static readonly Instant PagedAt = Instant.FromUtc(2026, 3, 29, 1, 59, 58) + Duration.FromTicks(1_234_567);
    private static readonly Actor Olivia = new("slack", "UOLIVIA", "Olivia", "olivia");
    private static readonly Actor Alice = new("teams", "29:alice", "Alice", "alice");
    private static readonly Actor Stranger = new("slack", "USTRANGER", "Someone", null);

    private static Incident NewIncident(string? key = null, Instant? at = null) =>
        new(0, "Checkout returns 500s", "checkout", null, IncidentStatus.Triggered, at ?? PagedAt, Olivia,
            null, null, null, null, EscalationState.Start(at ?? PagedAt), key ?? Guid.NewGuid().ToString(), Version: 1);

    private static IncidentEvent Created(Instant? at = null) =>
        new(0, at ?? PagedAt, IncidentEventKind.Created, "Olivia", "Olivia paged Checkout (checkout): Checkout returns 500s", []);

    private static Instant Micro(Instant instant) => Instant.FromUnixTimeTicks(instant.ToUnixTimeTicks() / 10 * 10);

    /// <summary>An event as comparable data: records compare lists by reference.</summary>
    private static (long, Instant, IncidentEventKind, string, string, string, int?, string?) Shape(IncidentEvent e) =>
        (e.IncidentNumber, e.At, e.Kind, e.ActorName, e.Text, string.Join("|", e.UserIds), e.Level, e.Platform);

    private static async Task<(MigratedStore Store, SqlIncidentStore Incidents)> OpenAsync(StorageProvider provider)
    {
        var store = await MigratedStore.CreateAsync(provider);
        return (store, new SqlIncidentStore(store.Factory));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task CreateAsync_EveryFieldSet_GetAsyncReturnsTheSameIncident(StorageProvider provider)
    {
        var (store, incidents) = await OpenAsync(provider);
        await using var _ = store;
        var full = new Incident(999, "Ledger drift ☃ 'quoted'", "ledger", "alice", IncidentStatus.Resolved, PagedAt, Olivia,
            PagedAt + Duration.FromMinutes(3), Alice, PagedAt + Duration.FromHours(2), Stranger,
            new EscalationState(7, 2, 1, PagedAt + Duration.FromMinutes(15), Exhausted: true, ManualPending: true), "key-full", Version: 4);

        var (created, isNew) = await incidents.CreateAsync(full, [], None);
        var read = await incidents.GetAsync(created.Number, None);

        Assert.True(isNew);
        Assert.NotEqual(999, created.Number);
        Assert.Equal(created, read);
        Assert.Equal(full with
        {
            Number = created.Number,
            CreatedAt = Micro(PagedAt),
            AcknowledgedAt = Micro(PagedAt + Duration.FromMinutes(3)),
            ResolvedAt = Micro(PagedAt + Duration.FromHours(2)),
            Escalation = full.Escalation with { NextStepDueAt = Micro(PagedAt + Duration.FromMinutes(15)) },
        }, read);
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task CreateAsync_OptionalFieldsEmpty_GetAsyncReturnsThemEmpty(StorageProvider provider)
    {
        var (store, incidents) = await OpenAsync(provider);
        await using var _ = store;
        var bare = NewIncident() with
        {
            ServiceId = null,
            DirectUserId = "bob",
            CreatedBy = Stranger,
            Escalation = new EscalationState(3, 1, 0, null, Exhausted: false, ManualPending: false),
        };

        var (created, _) = await incidents.CreateAsync(bare, [], None);

        Assert.Equal(created, await incidents.GetAsync(created.Number, None));
        Assert.Null((await incidents.GetAsync(created.Number, None))!.Escalation.NextStepDueAt);
        Assert.Null(await incidents.GetAsync(created.Number + 1, None));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task CreateAsync_SeveralIncidents_NumbersIncreaseAndEventsGetTheirNumber(StorageProvider provider)
    {
        var (store, incidents) = await OpenAsync(provider);
        await using var _ = store;

        var numbers = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            numbers.Add((await incidents.CreateAsync(NewIncident(), [Created()], None)).Incident.Number);
        }

        Assert.Equal([1L, 2L, 3L], numbers);
        foreach (var number in numbers)
        {
            var events = await incidents.GetEventsAsync(number, None);
            Assert.Equal(number, Assert.Single(events).IncidentNumber);
        }
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task CreateAsync_SameKeyTwice_ReturnsTheFirstIncidentAndWritesNothing(StorageProvider provider)
    {
        var (store, incidents) = await OpenAsync(provider);
        await using var _ = store;
        var (first, firstIsNew) = await incidents.CreateAsync(NewIncident("slack:T1:1712.0001"), [Created()], None);

        var retry = NewIncident("slack:T1:1712.0001", PagedAt + Duration.FromSeconds(3)) with { Summary = "a retried delivery" };
        var (second, secondIsNew) = await incidents.CreateAsync(retry, [Created(PagedAt + Duration.FromSeconds(3))], None);

        Assert.True(firstIsNew);
        Assert.False(secondIsNew);
        Assert.Equal(first, second);
        Assert.Equal(1, await store.Database.CountAsync("SELECT COUNT(*) FROM incidents"));
        Assert.Single(await incidents.GetEventsAsync(first.Number, None));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task CreateAsync_SameKeyFromTwoHostsAtOnce_CreatesOneIncident(StorageProvider provider)
    {
        var (store, _) = await OpenAsync(provider);
        await using var __ = store;
        // Two connection factories, as two hosts would have; several keys, so the deliveries really overlap.
        await using var hostA = store.Database.CreateConnectionFactory();
        await using var hostB = store.Database.CreateConnectionFactory();
        var a = new SqlIncidentStore(hostA);
        var b = new SqlIncidentStore(hostB);
        var keys = Enumerable.Range(0, 20).Select(i => $"delivery-{i}").ToList();

        var results = await Task.WhenAll(keys.SelectMany(key => new[] { a, b }.Select(s => Task.Run(async () =>
            (Key: key, Result: await s.CreateAsync(NewIncident(key), [Created()], None))))));

        foreach (var group in results.GroupBy(r => r.Key))
        {
            Assert.Single(group, r => r.Result.Created);
            Assert.Single(group.Select(r => r.Result.Incident.Number).Distinct());
        }
        Assert.Equal(keys.Count, await store.Database.CountAsync("SELECT COUNT(*) FROM incidents"));
        Assert.Equal(keys.Count, await store.Database.CountAsync("SELECT COUNT(*) FROM incident_events"));
        Assert.Equal(keys.Count, results.Select(r => r.Result.Incident.Number).Distinct().Count());
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task CreateAsync_SameKeyBeingInsertedByAnotherHost_WaitsForItAndReturnsItsIncident(StorageProvider provider)
    {
        var (store, incidents) = await OpenAsync(provider);
        await using var _ = store;
        await using var otherHost = store.Database.CreateConnectionFactory();
        await using var connection = await otherHost.OpenAsync(None);
        await using var transaction = await connection.BeginTransactionAsync(None);
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            var (at, no) = provider == StorageProvider.Postgres ? ("now()", "false") : ("'2026-03-29T01:59:58.000000Z'", "0");
            insert.CommandText =
                "INSERT INTO incidents (summary, status, created_at, created_by_platform, created_by_platform_user_id, created_by_display_name, " +
                "step, level, cycle, exhausted, manual_pending, idempotency_key, version) " +
                $"VALUES ('from the other host', 'triggered', {at}, 'slack', 'UOLIVIA', 'Olivia', 0, 0, 0, {no}, {no}, 'contested', 1)";
            await insert.ExecuteNonQueryAsync();
        }

        var create = Task.Run(() => incidents.CreateAsync(NewIncident("contested"), [Created()], None));
        if (provider == StorageProvider.Postgres)
        {
            // Commit only once this create is blocked on the other host's row, so the insert-conflict path is the one taken.
            while (await store.Database.CountAsync(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()") == 0)
            {
                Assert.False(create.IsCompleted, "The create finished while the other host's insert was still uncommitted.");
                await Task.Delay(20);
            }
        }
        await transaction.CommitAsync();
        var (incident, created) = await create.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(created);
        Assert.Equal("from the other host", incident.Summary);
        Assert.Equal(1, await store.Database.CountAsync("SELECT COUNT(*) FROM incidents"));
        Assert.Equal(0, await store.Database.CountAsync("SELECT COUNT(*) FROM incident_events"));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task CreateAsync_BlankIdempotencyKey_ThrowsAndWritesNothing(StorageProvider provider)
    {
        var (store, incidents) = await OpenAsync(provider);
        await using var _ = store;

        await Assert.ThrowsAsync<ArgumentException>(() => incidents.CreateAsync(NewIncident(" "), [Created()], None));

        Assert.Equal(0, await store.Database.CountAsync("SELECT COUNT(*) FROM incidents"));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task TryUpdateAsync_NextVersion_SavesAndAppendsEventsInOrder(StorageProvider provider)
    {
        var (store, incidents) = await OpenAsync(provider);
        await using var _ = store;
        var (incident, _) = await incidents.CreateAsync(NewIncident(), [Created()], None);
        var ackAt = PagedAt + Duration.FromMinutes(2);
        var acknowledged = incident with
        {
            Status = IncidentStatus.Acknowledged,
            AcknowledgedAt = ackAt,
            AcknowledgedBy = Alice,
            Escalation = incident.Escalation with { Step = 1, NextStepDueAt = null },
            Version = 2,
        };
        IncidentEvent[] events =
        [
            new(incident.Number, ackAt, IncidentEventKind.Notified, "OnCallBot", "Notified Alice on teams (level 1)", ["alice"], 0, "teams"),
            new(incident.Number, ackAt, IncidentEventKind.Acknowledged, "Alice", "Alice acknowledged, 2m after the page", ["alice", "bob"]),
        ];

        var saved = await incidents.TryUpdateAsync(acknowledged, events, None);

        Assert.True(saved);
        Assert.Equal(acknowledged with { AcknowledgedAt = Micro(ackAt), CreatedAt = Micro(PagedAt) }, await incidents.GetAsync(incident.Number, None));
        Assert.Equal(
            new[] { Created() with { IncidentNumber = incident.Number, At = Micro(PagedAt) } }.Concat(events.Select(e => e with { At = Micro(e.At) })).Select(Shape),
            (await incidents.GetEventsAsync(incident.Number, None)).Select(Shape));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task TryUpdateAsync_StaleVersion_ReturnsFalseAndWritesNothing(StorageProvider provider)
    {
        var (store, incidents) = await OpenAsync(provider);
        await using var _ = store;
        var (incident, _) = await incidents.CreateAsync(NewIncident(), [Created()], None);
        var first = incident with { Status = IncidentStatus.Acknowledged, AcknowledgedAt = PagedAt, AcknowledgedBy = Alice, Version = 2 };
        Assert.True(await incidents.TryUpdateAsync(first, [], None));
        var stored = await incidents.GetAsync(incident.Number, None);

        // Someone else read version 1 too and tries to resolve it.
        var stale = incident with { Status = IncidentStatus.Resolved, ResolvedAt = PagedAt, ResolvedBy = Olivia, Version = 2 };
        var saved = await incidents.TryUpdateAsync(stale,
            [new IncidentEvent(incident.Number, PagedAt, IncidentEventKind.Resolved, "Olivia", "Olivia resolved it", ["olivia"])], None);
        var tooFar = await incidents.TryUpdateAsync(stale with { Version = 4 }, [], None);

        Assert.False(saved);
        Assert.False(tooFar);
        Assert.Equal(stored, await incidents.GetAsync(incident.Number, None));
        Assert.Single(await incidents.GetEventsAsync(incident.Number, None));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task TryUpdateAsync_UnknownIncident_ReturnsFalse(StorageProvider provider)
    {
        var (store, incidents) = await OpenAsync(provider);
        await using var _ = store;

        Assert.False(await incidents.TryUpdateAsync(NewIncident() with { Number = 41, Version = 2 }, [], None));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task TryUpdateAsync_EventOfAnotherIncidentOrChangedKey_ThrowsAndWritesNothing(StorageProvider provider)
    {
        var (store, incidents) = await OpenAsync(provider);
        await using var _ = store;
        var (incident, _) = await incidents.CreateAsync(NewIncident(), [Created()], None);
        var (other, _) = await incidents.CreateAsync(NewIncident(), [Created()], None);
        var next = incident with { Summary = "changed", Version = 2 };

        await Assert.ThrowsAsync<InvalidOperationException>(() => incidents.TryUpdateAsync(next,
            [new IncidentEvent(other.Number, PagedAt, IncidentEventKind.Escalated, "OnCallBot", "stray", [])], None));
        var keyChange = await Assert.ThrowsAsync<InvalidOperationException>(() => incidents.TryUpdateAsync(next with { IdempotencyKey = "other" }, [], None));

        Assert.Contains("idempotency key", keyChange.Message);
        Assert.Equal(incident, await incidents.GetAsync(incident.Number, None));
        Assert.Single(await incidents.GetEventsAsync(incident.Number, None));
        Assert.Single(await incidents.GetEventsAsync(other.Number, None));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task AppendEventsAsync_EveryKind_ComesBackInOrderWithEveryField(StorageProvider provider)
    {
        var (store, incidents) = await OpenAsync(provider);
        await using var _ = store;
        var (incident, _) = await incidents.CreateAsync(NewIncident(), [Created()], None);
        // Written out of time order on purpose: the trail is in the order lines were written.
        var lines = Enum.GetValues<IncidentEventKind>().Select((kind, i) => new IncidentEvent(
            incident.Number, PagedAt + Duration.FromSeconds(100 - i), kind, i % 2 == 0 ? "OnCallBot" : "Alice", $"line {i}: {kind}",
            Enumerable.Range(0, i % 3).Select(n => $"user-{n}").ToList(), i % 2 == 0 ? i : null, i % 2 == 0 ? "slack" : null)).ToList();

        await incidents.AppendEventsAsync(lines.Take(4).ToList(), None);
        await incidents.AppendEventsAsync(lines.Skip(4).ToList(), None);

        var trail = await incidents.GetEventsAsync(incident.Number, None);
        Assert.Equal(
            new[] { Created() with { IncidentNumber = incident.Number } }.Concat(lines).Select(e => Shape(e with { At = Micro(e.At) })),
            trail.Select(Shape));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task AppendEventsAsync_UnknownIncident_ThrowsAndWritesNothing(StorageProvider provider)
    {
        var (store, incidents) = await OpenAsync(provider);
        await using var _ = store;
        var (incident, _) = await incidents.CreateAsync(NewIncident(), [Created()], None);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => incidents.AppendEventsAsync(
        [
            new IncidentEvent(incident.Number, PagedAt, IncidentEventKind.Notified, "OnCallBot", "fine", []),
            new IncidentEvent(77, PagedAt, IncidentEventKind.Notified, "OnCallBot", "nowhere", []),
        ], None));

        Assert.Contains("INC-77 does not exist", error.Message);
        Assert.Single(await incidents.GetEventsAsync(incident.Number, None));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task TryClaimNotificationAsync_SameStepUserAndPlatform_OnlyTheFirstClaimWins(StorageProvider provider)
    {
        var (store, incidents) = await OpenAsync(provider);
        await using var _ = store;
        var (incident, _) = await incidents.CreateAsync(NewIncident(), [Created()], None);
        var claim = new Notification(incident.Number, 0, 0, "alice", "slack", PagedAt, null);

        var first = await incidents.TryClaimNotificationAsync(claim, None);
        var again = await incidents.TryClaimNotificationAsync(claim with { At = PagedAt + Duration.FromMinutes(1), Level = 1 }, None);
        var otherPlatform = await incidents.TryClaimNotificationAsync(claim with { Platform = "teams" }, None);
        var nextStep = await incidents.TryClaimNotificationAsync(claim with { Step = 1 }, None);

        Assert.True(first);
        Assert.False(again);
        Assert.True(otherPlatform);
        Assert.True(nextStep);
        Assert.Equal(
            [claim with { At = Micro(PagedAt) }, claim with { Platform = "teams", At = Micro(PagedAt) }, claim with { Step = 1, At = Micro(PagedAt) }],
            await incidents.GetNotificationsAsync(incident.Number, None));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task SetNotificationMessageAsync_ClaimedNotification_IsListedWithItsMessage(StorageProvider provider)
    {
        var (store, incidents) = await OpenAsync(provider);
        await using var _ = store;
        var (incident, _) = await incidents.CreateAsync(NewIncident(), [Created()], None);
        var (other, _) = await incidents.CreateAsync(NewIncident(), [Created()], None);
        await incidents.TryClaimNotificationAsync(new Notification(incident.Number, 0, 0, "alice", "slack", PagedAt, null), None);
        await incidents.TryClaimNotificationAsync(new Notification(incident.Number, 1, 1, "bob", "teams", PagedAt, null), None);
        await incidents.TryClaimNotificationAsync(new Notification(other.Number, 0, 0, "alice", "slack", PagedAt, null), None);
        var message = new DeliveredMessage("slack", "DALICE", "1712345678.000100");

        await incidents.SetNotificationMessageAsync(incident.Number, 0, "alice", "slack", message, PagedAt + Duration.FromSeconds(3), None);

        var listed = await incidents.GetNotificationsAsync(incident.Number, None);
        Assert.Equal([message, null], listed.Select(n => n.Message));
        Assert.Equal([Micro(PagedAt + Duration.FromSeconds(3)), null], listed.Select(n => n.DeliveredAt));
        Assert.Null(Assert.Single(await incidents.GetNotificationsAsync(other.Number, None)).Message);
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task NotificationWrites_BadInput_ThrowAndChangeNothing(StorageProvider provider)
    {
        var (store, incidents) = await OpenAsync(provider);
        await using var _ = store;
        var (incident, _) = await incidents.CreateAsync(NewIncident(), [Created()], None);
        await incidents.TryClaimNotificationAsync(new Notification(incident.Number, 0, 0, "alice", "slack", PagedAt, null), None);

        var unclaimed = await Assert.ThrowsAsync<InvalidOperationException>(() => incidents.SetNotificationMessageAsync(
            incident.Number, 0, "bob", "slack", new DeliveredMessage("slack", "DBOB", "1"), PagedAt, None));
        await Assert.ThrowsAsync<ArgumentException>(() => incidents.SetNotificationMessageAsync(
            incident.Number, 0, "alice", "slack", new DeliveredMessage("teams", "a:conv", "1"), PagedAt, None));
        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => incidents.TryClaimNotificationAsync(
            new Notification(incident.Number + 10, 0, 0, "alice", "slack", PagedAt, null), None));

        Assert.Contains("claim before sending", unclaimed.Message);
        Assert.Contains("does not exist", missing.Message);
        Assert.Null(Assert.Single(await incidents.GetNotificationsAsync(incident.Number, None)).Message);
        Assert.Equal(1, await store.Database.CountAsync("SELECT COUNT(*) FROM incident_notifications"));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task GetTriggeredIncidentsNotifyingAsync_ReturnsOnlyTriggeredOnesThatNotifiedTheUserNewestFirst(StorageProvider provider)
    {
        var (store, incidents) = await OpenAsync(provider);
        await using var _ = store;
        async Task<Incident> PagedAsync(string userId, IncidentStatus status = IncidentStatus.Triggered)
        {
            var (incident, _) = await incidents.CreateAsync(NewIncident(), [], None);
            await incidents.TryClaimNotificationAsync(new Notification(incident.Number, 0, 0, userId, "slack", PagedAt, null), None);
            if (status != IncidentStatus.Triggered)
            {
                Assert.True(await incidents.TryUpdateAsync(incident with { Status = status, Version = 2 }, [], None));
            }
            return incident;
        }
        var older = await PagedAsync("alice");
        await PagedAsync("alice", IncidentStatus.Acknowledged);
        await PagedAsync("bob");
        await PagedAsync("alice", IncidentStatus.Resolved);
        var newer = await PagedAsync("alice");
        // Notified twice (two steps, two platforms): listed once.
        await incidents.TryClaimNotificationAsync(new Notification(newer.Number, 1, 0, "alice", "teams", PagedAt, null), None);

        var found = await incidents.GetTriggeredIncidentsNotifyingAsync("alice", None);

        Assert.Equal([newer.Number, older.Number], found.Select(i => i.Number));
        Assert.Empty(await incidents.GetTriggeredIncidentsNotifyingAsync("Alice", None));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task GetPendingEscalationsAsync_ReturnsTriggeredIncidentsWithAStepDueEarliestFirst(StorageProvider provider)
    {
        var (store, incidents) = await OpenAsync(provider);
        await using var _ = store;
        async Task<Incident> WithAsync(Instant? due, IncidentStatus status = IncidentStatus.Triggered)
        {
            var draft = NewIncident() with { Status = status, Escalation = EscalationState.Start(PagedAt) with { NextStepDueAt = due } };
            return (await incidents.CreateAsync(draft, [], None)).Incident;
        }
        var later = await WithAsync(PagedAt + Duration.FromMinutes(10));
        var sooner = await WithAsync(PagedAt + Duration.FromMinutes(5));
        await WithAsync(null);
        await WithAsync(PagedAt, IncidentStatus.Acknowledged);
        await WithAsync(PagedAt, IncidentStatus.Resolved);
        var sameTimeAsLater = await WithAsync(PagedAt + Duration.FromMinutes(10));

        var pending = await incidents.GetPendingEscalationsAsync(None);

        Assert.Equal([sooner, later, sameTimeAsLater], pending);
    }
}
