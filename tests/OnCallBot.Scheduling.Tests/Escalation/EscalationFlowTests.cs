using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.Storage;
using OnCallBot.Scheduling.Escalation;
using OnCallBot.Storage.Incidents;
using OnCallBot.Storage.Tests.Infrastructure;
using OnCallBot.TestKit;
using Quartz;

namespace OnCallBot.Scheduling.Tests.Escalation;

/// <summary>
/// The paging flow with everything real but the chat platform: PagingService, the SQL incident store and Quartz on
/// the same SQLite file or PostgreSQL database, with a two-second level timeout on the real clock. Tests wait for
/// events (a page sent, a step run) with generous bounds; they never sleep to let time pass.
/// </summary>
public sealed class EscalationFlowTests
{
    // Quartz fires within milliseconds of a trigger being stored; this only bounds a broken run.
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(10);

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task Page_NobodyAcknowledges_LevelOneAtOnceThenLevelTwoAfterTheTimeout(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        var slack = new SignallingChatPlatform(TimeProvider.System);
        await using var host = await EscalationHost.BuildAsync(db, slack);
        await host.StartAsync();

        var incident = await host.PageAsync();
        var alicePagedAt = await slack.FirstPageTo("alice");
        var bobPagedAt = await slack.FirstPageTo("bob");
        await host.StepRanAsync(incident.Number, 1);

        var createdAt = incident.CreatedAt.ToDateTimeOffset();
        Assert.InRange(alicePagedAt, createdAt, createdAt + Prompt);
        Assert.True(bobPagedAt >= createdAt + EscalationModel.LevelTimeout,
            $"Bob was paged {bobPagedAt - createdAt} after the page, before level 1's {EscalationModel.LevelTimeout} timeout ran out.");
        Assert.Equal(["alice", "bob"], slack.PagedUserIds);
        var kinds = (await host.Store.GetEventsAsync(incident.Number, CancellationToken.None)).Select(e => e.Kind).ToList();
        Assert.Equal(
            [IncidentEventKind.Created, IncidentEventKind.Notified, IncidentEventKind.Missed, IncidentEventKind.Escalated, IncidentEventKind.Notified],
            kinds);
        var stored = (await host.Store.GetAsync(incident.Number, CancellationToken.None))!;
        Assert.Equal(2, stored.Escalation.Step);
        Assert.Equal(2, (await host.PendingWakeUpAsync(incident.Number))?.Step);
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task Acknowledge_BeforeTheTimeout_DropsTheWakeUpSoLevelTwoIsNeverPaged(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        var slack = new SignallingChatPlatform(TimeProvider.System);
        await using var host = await EscalationHost.BuildAsync(db, slack);
        await host.StartAsync();
        var incident = await host.PageAsync();
        await slack.FirstPageTo("alice");
        await host.StepRanAsync(incident.Number, 0);
        Assert.Equal(1, (await host.PendingWakeUpAsync(incident.Number))?.Step);

        var outcome = await host.Paging.AcknowledgeAsync(incident.Number, EscalationModel.Alice, CancellationToken.None);

        Assert.IsType<ActionOutcome.Done>(outcome);
        Assert.Null(await host.PendingWakeUpAsync(incident.Number));
        Assert.Empty(await host.Scheduler.GetTriggerKeys(GroupMatcher<TriggerKey>.GroupEquals(EscalationWakeUp.GroupFor(incident.Number)), CancellationToken.None));
        Assert.Null((await host.Store.GetAsync(incident.Number, CancellationToken.None))!.Escalation.NextStepDueAt);
        Assert.Equal(["alice"], slack.PagedUserIds);
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task Restart_StepCameDueWhileNoHostRan_FiresAtOnceAndPagesLevelTwoExactlyOnce(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        var firstSlack = new SignallingChatPlatform(TimeProvider.System);
        long number;
        Instant due;
        await using (var first = await EscalationHost.BuildAsync(db, firstSlack))
        {
            await first.StartAsync();
            number = (await first.PageAsync()).Number;
            await firstSlack.FirstPageTo("alice");
            await first.StepRanAsync(number, 0);
            due = (await first.Store.GetAsync(number, CancellationToken.None))!.Escalation.NextStepDueAt!.Value;
            await first.CrashAsync();
        }

        // The next host comes up ten minutes after the step was due: well past Quartz's one-minute misfire threshold.
        var clock = new FakeTimeProvider(due.ToDateTimeOffset() + TimeSpan.FromMinutes(10));
        var secondSlack = new SignallingChatPlatform(clock);
        await using var second = await EscalationHost.BuildAsync(db, secondSlack, clock);
        var startedAt = DateTimeOffset.UtcNow;
        await second.StartAsync();
        await secondSlack.FirstPageTo("bob");
        await second.WakeUpScheduledAsync(number, 2);
        await second.ReconciledAsync();

        Assert.InRange(DateTimeOffset.UtcNow - startedAt, TimeSpan.Zero, Prompt);
        Assert.Equal(["alice"], firstSlack.PagedUserIds);
        Assert.Equal(["bob"], secondSlack.PagedUserIds);
        var incident = (await second.Store.GetAsync(number, CancellationToken.None))!;
        Assert.Equal(2, incident.Escalation.Step);
        // Level 2's own timeout is next, on the new host's clock; the reconciler did not roll it back to step 1.
        Assert.Equal(new EscalationWakeUp(number, 2, Instant.FromDateTimeOffset(clock.GetUtcNow()) + Duration.FromTimeSpan(EscalationModel.LevelTimeout)),
            await second.PendingWakeUpAsync(number));
        var notifications = await second.Store.GetNotificationsAsync(number, CancellationToken.None);
        Assert.Equal([(0, "alice"), (1, "bob")], notifications.Select(n => (n.Step, n.UserId)));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task Restart_PendingStepHandedOverAgainWhileItSends_OneRecordAndNoFalseMayNotHaveBeenNotified(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        var firstSlack = new SignallingChatPlatform(TimeProvider.System);
        long number;
        await using (var first = await EscalationHost.BuildAsync(db, firstSlack))
        {
            await first.StartAsync();
            number = (await first.PageAsync()).Number;
            await firstSlack.FirstPageTo("alice");
            await first.StepRanAsync(number, 0);
            await first.CrashAsync();
        }

        // The restarted host runs the pending step; Slack holds Bob's page while the step's wake-up is handed over
        // again (what the start-up reconciler does when it reads the step as pending while it runs).
        var secondSlack = new SignallingChatPlatform(TimeProvider.System);
        var bobsPage = secondSlack.HoldNextPageTo("bob");
        await using var second = await EscalationHost.BuildAsync(db, secondSlack);
        await second.StartAsync();
        await bobsPage.Entered;
        await second.ReconciledAsync();
        await second.Paging.RescheduleAllPendingAsync(CancellationToken.None);
        // The extra wake-up has run to its end while the first run still waits for Slack.
        await second.StepRanAsync(number, 1);
        bobsPage.Release();
        await second.WakeUpScheduledAsync(number, 2);
        await second.StepRanAsync(number, 1, run: 2);

        Assert.Equal(["bob"], secondSlack.PagedUserIds);
        var events = await second.Store.GetEventsAsync(number, CancellationToken.None);
        Assert.DoesNotContain(events, e => e.Text.Contains("may not have been notified", StringComparison.Ordinal));
        Assert.Equal(
            [IncidentEventKind.Created, IncidentEventKind.Notified, IncidentEventKind.Missed, IncidentEventKind.Escalated, IncidentEventKind.Notified],
            events.Where(e => e.Kind != IncidentEventKind.DeliveryDelayed).Select(e => e.Kind).Take(5));
        Assert.Single(events, e => e.Kind == IncidentEventKind.Notified && e.UserIds.SequenceEqual(["bob"]));
        Assert.Equal("Notified Bob on slack (level 2)", events.Last(e => e.Kind == IncidentEventKind.Notified).Text);
        // Step 2 (level 2's two-second timeout) may already have run on a busy machine; it is at least as far along.
        Assert.True((await second.Store.GetAsync(number, CancellationToken.None))!.Escalation.Step >= 2);
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task Start_IncidentSavedWithoutItsWakeUp_ReconcilerSchedulesItAndItRuns(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        var slack = new SignallingChatPlatform(TimeProvider.System);
        await using var host = await EscalationHost.BuildAsync(db, slack);
        await host.Services.GetRequiredService<IStorageMigrator>().MigrateAsync(CancellationToken.None);
        // What a crash between saving the incident and scheduling its first step leaves behind.
        var now = Instant.FromDateTimeOffset(TimeProvider.System.GetUtcNow());
        var (incident, _) = await host.Store.CreateAsync(
            new Incident(0, "Saved just before a crash", "checkout", null, IncidentStatus.Triggered, now, EscalationModel.Olivia,
                null, null, null, null, EscalationState.Start(now), "crashed-page", Version: 1),
            [new IncidentEvent(0, now, IncidentEventKind.Created, "Olivia", "Olivia paged Checkout", [])], CancellationToken.None);

        await host.StartAsync();
        await slack.FirstPageTo("alice");
        await host.StepRanAsync(incident.Number, 0);
        await host.ReconciledAsync();

        Assert.Equal(["alice"], slack.PagedUserIds);
        Assert.Equal(1, (await host.Store.GetAsync(incident.Number, CancellationToken.None))!.Escalation.Step);
    }

    [Fact]
    public async Task Step_StoreFailsOnce_IsRetriedAfterTheRetryDelayAndStillPages()
    {
        await using var db = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        var slack = new SignallingChatPlatform(TimeProvider.System);
        FlakyIncidentStore? flaky = null;
        await using var host = await EscalationHost.BuildAsync(db, slack, configure: services =>
            services.AddSingleton<IIncidentStore>(sp => flaky = new FlakyIncidentStore(new SqlIncidentStore(sp.GetRequiredService<IDbConnectionFactory>()))));
        await host.StartAsync();

        var incident = await host.PageAsync();
        var alicePagedAt = await slack.FirstPageTo("alice");
        await host.StepRanAsync(incident.Number, 0, run: 2);

        Assert.NotNull(flaky!.FailedAt);
        // RetryDelay is one second in these tests (Paging:Escalation:RetryDelay).
        Assert.True(alicePagedAt >= flaky.FailedAt.Value + TimeSpan.FromSeconds(1),
            $"Alice was paged {alicePagedAt - flaky.FailedAt.Value} after the failure, sooner than the retry delay.");
        Assert.Equal(["alice"], slack.PagedUserIds);
        Assert.Equal(1, (await host.Store.GetAsync(incident.Number, CancellationToken.None))!.Escalation.Step);
    }

    /// <summary>A store whose first read fails, as a database blip would; everything else goes to the real store.</summary>
    private sealed class FlakyIncidentStore(IIncidentStore inner) : IIncidentStore
    {
        private int _failed;

        public DateTimeOffset? FailedAt { get; private set; }

        public Task<Incident?> GetAsync(long number, CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _failed, 1) == 0)
            {
                FailedAt = DateTimeOffset.UtcNow;
                throw new StoreBlipException();
            }
            return inner.GetAsync(number, cancellationToken);
        }

        public Task<(Incident Incident, bool Created)> CreateAsync(Incident incident, IReadOnlyList<IncidentEvent> events, CancellationToken cancellationToken) =>
            inner.CreateAsync(incident, events, cancellationToken);

        public Task<bool> TryUpdateAsync(Incident updated, IReadOnlyList<IncidentEvent> events, CancellationToken cancellationToken) =>
            inner.TryUpdateAsync(updated, events, cancellationToken);

        public Task AppendEventsAsync(IReadOnlyList<IncidentEvent> events, CancellationToken cancellationToken) => inner.AppendEventsAsync(events, cancellationToken);

        public Task<IReadOnlyList<IncidentEvent>> GetEventsAsync(long number, CancellationToken cancellationToken) => inner.GetEventsAsync(number, cancellationToken);

        public Task<bool> TryClaimNotificationAsync(Notification notification, CancellationToken cancellationToken) =>
            inner.TryClaimNotificationAsync(notification, cancellationToken);

        public Task SetNotificationMessageAsync(long incidentNumber, int step, string userId, string platform, DeliveredMessage message, Instant deliveredAt, CancellationToken cancellationToken) =>
            inner.SetNotificationMessageAsync(incidentNumber, step, userId, platform, message, deliveredAt, cancellationToken);

        public Task SetNotificationFailedAsync(long incidentNumber, int step, string userId, string platform, string failure, CancellationToken cancellationToken) =>
            inner.SetNotificationFailedAsync(incidentNumber, step, userId, platform, failure, cancellationToken);

        public Task<StepLease> TryTakeStepLeaseAsync(long incidentNumber, int step, string holder, Instant now, Duration length, CancellationToken cancellationToken) =>
            inner.TryTakeStepLeaseAsync(incidentNumber, step, holder, now, length, cancellationToken);

        public Task<bool> RenewStepLeaseAsync(long incidentNumber, int step, string holder, Instant until, CancellationToken cancellationToken) =>
            inner.RenewStepLeaseAsync(incidentNumber, step, holder, until, cancellationToken);

        public Task ReleaseStepLeaseAsync(long incidentNumber, int step, string holder, Instant now, CancellationToken cancellationToken) =>
            inner.ReleaseStepLeaseAsync(incidentNumber, step, holder, now, cancellationToken);

        public Task<IReadOnlyList<Notification>> GetNotificationsAsync(long incidentNumber, CancellationToken cancellationToken) =>
            inner.GetNotificationsAsync(incidentNumber, cancellationToken);

        public Task<IReadOnlyList<Incident>> GetTriggeredIncidentsNotifyingAsync(string userId, CancellationToken cancellationToken) =>
            inner.GetTriggeredIncidentsNotifyingAsync(userId, cancellationToken);

        public Task<IReadOnlyList<Incident>> GetPendingEscalationsAsync(CancellationToken cancellationToken) => inner.GetPendingEscalationsAsync(cancellationToken);
    }

    private sealed class StoreBlipException() : DbException("the database is briefly unreachable");
}
