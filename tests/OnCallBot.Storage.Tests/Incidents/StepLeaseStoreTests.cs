using NodaTime;
using OnCallBot.Core.Paging;
using OnCallBot.Storage.Incidents;
using OnCallBot.Storage.Repositories;
using OnCallBot.Storage.Tests.Infrastructure;

namespace OnCallBot.Storage.Tests.Incidents;

/// <summary>
/// Escalation step leases, notification outcomes and remembered direct conversations on a real SQLite file and a real
/// PostgreSQL schema, held to the behaviour of TestKit's in-memory references.
/// </summary>
public sealed class StepLeaseStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    // Sub-microsecond on purpose: what the store hands back must equal what it reads later.
    private static readonly Instant T0 = Instant.FromUtc(2026, 3, 29, 1, 59, 58) + Duration.FromTicks(1_234_567);
    private static readonly Duration Length = Duration.FromSeconds(30);

    private static Instant Micro(Instant instant) => Instant.FromUnixTimeTicks(instant.ToUnixTimeTicks() / 10 * 10);

    private static async Task<(MigratedStore Store, SqlIncidentStore Incidents, long Number)> OpenWithIncidentAsync(StorageProvider provider)
    {
        var store = await MigratedStore.CreateAsync(provider);
        var incidents = new SqlIncidentStore(store.Factory);
        var (incident, _) = await incidents.CreateAsync(
            new Incident(0, "Checkout returns 500s", "checkout", null, IncidentStatus.Triggered, T0, new Actor("slack", "UOLIVIA", "Olivia", "olivia"),
                null, null, null, null, EscalationState.Start(T0), Guid.NewGuid().ToString(), Version: 1),
            [], None);
        return (store, incidents, incident.Number);
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task TryTakeStepLeaseAsync_HeldThenExpired_TurnsAwayThenTakesOver(StorageProvider provider)
    {
        var (store, incidents, number) = await OpenWithIncidentAsync(provider);
        await using var _ = store;

        var first = await incidents.TryTakeStepLeaseAsync(number, 0, "host-a/1", T0, Length, None);
        var whileHeld = await incidents.TryTakeStepLeaseAsync(number, 0, "host-b/2", T0 + Duration.FromSeconds(29), Length, None);
        var otherStep = await incidents.TryTakeStepLeaseAsync(number, 1, "host-b/2", T0, Length, None);
        var renewed = await incidents.RenewStepLeaseAsync(number, 0, "host-a/1", T0 + Duration.FromSeconds(40), None);
        var strangerRenewed = await incidents.RenewStepLeaseAsync(number, 0, "host-b/2", T0 + Duration.FromSeconds(90), None);
        var early = await incidents.TryTakeStepLeaseAsync(number, 0, "host-b/2", T0 + Duration.FromSeconds(39), Length, None);
        var takenOver = await incidents.TryTakeStepLeaseAsync(number, 0, "host-b/2", T0 + Duration.FromSeconds(40), Length, None);

        Assert.Equal(new StepLease(true, Micro(T0 + Length), EarlierStepRun.None, null), first);
        Assert.Equal(new StepLease(false, Micro(T0 + Length), EarlierStepRun.None, null), whileHeld);
        Assert.True(otherStep.Taken);
        Assert.True(renewed);
        Assert.False(strangerRenewed);
        Assert.Equal(new StepLease(false, Micro(T0 + Duration.FromSeconds(40)), EarlierStepRun.None, null), early);
        Assert.Equal(new StepLease(true, Micro(T0 + Duration.FromSeconds(70)), EarlierStepRun.Expired, Micro(T0 + Duration.FromSeconds(40))), takenOver);
        Assert.False(await incidents.RenewStepLeaseAsync(number, 0, "host-a/1", T0 + Duration.FromSeconds(80), None));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task ReleaseStepLeaseAsync_ByTheHolderOnly_LetsTheNextRunTakeItAtOnce(StorageProvider provider)
    {
        var (store, incidents, number) = await OpenWithIncidentAsync(provider);
        await using var _ = store;
        await incidents.TryTakeStepLeaseAsync(number, 2, "host-a/1", T0, Length, None);

        await incidents.ReleaseStepLeaseAsync(number, 2, "host-b/2", T0 + Duration.FromSeconds(1), None);
        var whileHeld = await incidents.TryTakeStepLeaseAsync(number, 2, "host-b/2", T0 + Duration.FromSeconds(2), Length, None);
        await incidents.ReleaseStepLeaseAsync(number, 2, "host-a/1", T0 + Duration.FromSeconds(3), None);
        var next = await incidents.TryTakeStepLeaseAsync(number, 2, "host-b/2", T0 + Duration.FromSeconds(4), Length, None);

        Assert.False(whileHeld.Taken);
        Assert.Equal(new StepLease(true, Micro(T0 + Duration.FromSeconds(34)), EarlierStepRun.Released, Micro(T0 + Duration.FromSeconds(3))), next);
        Assert.False(await incidents.RenewStepLeaseAsync(number, 2, "host-a/1", T0 + Duration.FromSeconds(60), None));
        Assert.True(await incidents.RenewStepLeaseAsync(number, 2, "host-b/2", T0 + Duration.FromSeconds(60), None));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task TryTakeStepLeaseAsync_ManyRunsAtOnce_ExactlyOneTakesIt(StorageProvider provider)
    {
        var (store, incidents, number) = await OpenWithIncidentAsync(provider);
        await using var _ = store;
        // Each on its own store instance and connection, as separate hosts would be.
        var runs = Enumerable.Range(0, 8)
            .Select(i => new SqlIncidentStore(store.Factory).TryTakeStepLeaseAsync(number, 0, $"host-{i}/run", T0, Length, None));

        var leases = await Task.WhenAll(runs);

        Assert.Single(leases, l => l.Taken);
        Assert.All(leases.Where(l => !l.Taken), l => Assert.Equal(Micro(T0 + Length), l.Until));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task TryTakeStepLeaseAsync_UnknownIncident_ThrowsAndWritesNothing(StorageProvider provider)
    {
        var (store, incidents, number) = await OpenWithIncidentAsync(provider);
        await using var _ = store;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => incidents.TryTakeStepLeaseAsync(number + 10, 0, "host-a/1", T0, Length, None));

        Assert.Equal($"INC-{number + 10} does not exist in the store; nothing was written.", error.Message);
        Assert.Equal(0, await store.Database.CountAsync("SELECT COUNT(*) FROM escalation_step_leases"));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task NotificationOutcomes_DeliveredRefusedOrUnknown_ComeBackWithTheClaim(StorageProvider provider)
    {
        var (store, incidents, number) = await OpenWithIncidentAsync(provider);
        await using var _ = store;
        foreach (var user in new[] { "alice", "bob", "carol" })
        {
            await incidents.TryClaimNotificationAsync(new Notification(number, 0, 0, user, "slack", T0, null), None);
        }
        var message = new DeliveredMessage("slack", "DALICE", "1712345678.000100");

        await incidents.SetNotificationMessageAsync(number, 0, "alice", "slack", message, T0 + Duration.FromSeconds(4), None);
        await incidents.SetNotificationFailedAsync(number, 0, "bob", "slack", "Slack chat.postMessage failed: user_not_found", None);
        var tooLate = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            incidents.SetNotificationFailedAsync(number, 0, "alice", "slack", "refused after all?", None));
        var unclaimed = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            incidents.SetNotificationFailedAsync(number, 0, "dave", "slack", "never claimed", None));

        var notifications = await incidents.GetNotificationsAsync(number, None);
        Assert.Equal(
            [
                new Notification(number, 0, 0, "alice", "slack", Micro(T0), message, Micro(T0 + Duration.FromSeconds(4))),
                new Notification(number, 0, 0, "bob", "slack", Micro(T0), null, null, "Slack chat.postMessage failed: user_not_found"),
                new Notification(number, 0, 0, "carol", "slack", Micro(T0), null),
            ],
            notifications);
        Assert.Contains("was delivered; it cannot have failed", tooLate.Message, StringComparison.Ordinal);
        Assert.Contains("no claimed notification of dave", unclaimed.Message, StringComparison.Ordinal);
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task DirectConversations_RememberReplaceAndForget_AsTheReference(StorageProvider provider)
    {
        await using var store = await MigratedStore.CreateAsync(provider);
        var conversations = new SqlDirectConversationStore(store.Factory);

        Assert.Null(await conversations.FindAsync("slack", "U0ALICE", None));
        await conversations.RememberAsync("slack", "U0ALICE", "D0OLD", None);
        await conversations.RememberAsync("slack", "U0ALICE", "D0NEW", None);
        await conversations.RememberAsync("teams", "U0ALICE", "a:1:1", None);
        await conversations.ForgetAsync("slack", "U0ALICE", "D0OLD", None);
        var afterStaleForget = await conversations.FindAsync("slack", "U0ALICE", None);
        await conversations.ForgetAsync("slack", "U0ALICE", "D0NEW", None);

        Assert.Equal("D0NEW", afterStaleForget);
        Assert.Null(await conversations.FindAsync("slack", "U0ALICE", None));
        Assert.Equal("a:1:1", await conversations.FindAsync("teams", "U0ALICE", None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => conversations.RememberAsync("slack", "U0BOB", " ", None));
        Assert.Null(await conversations.FindAsync("slack", "U0BOB", None));
    }
}
