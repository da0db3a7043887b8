using NodaTime;
using OnCallBot.Core.Paging;
using OnCallBot.Scheduling.Escalation;
using OnCallBot.Storage;
using OnCallBot.Storage.Tests.Infrastructure;
using OnCallBot.TestKit;

namespace OnCallBot.Scheduling.Tests.Escalation;

/// <summary>
/// A page's first step runs on the host that took the page, without a Quartz trigger (the prompt lane), and a first
/// step that no host ran (its host died with it queued) is found by the overdue sweep. Real store, real Quartz.
/// </summary>
public sealed class PromptLaneTests
{
    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task Page_FirstStepRunsAtOnceWithoutATriggerAndLevelTwoIsStillOnQuartz(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        var slack = new SignallingChatPlatform(TimeProvider.System);
        await using var host = await EscalationHost.BuildAsync(db, slack);
        await host.StartAsync();

        var incident = await host.PageAsync();
        await slack.FirstPageTo("alice");
        await host.StepRanAsync(incident.Number, 0);
        await host.WakeUpScheduledAsync(incident.Number, 1);

        Assert.False(host.EverScheduled(incident.Number, 0), "The first step went through a Quartz trigger.");
        Assert.Equal(["alice"], slack.PagedUserIds);
        // The level's timeout still has teeth: the next step is a durable trigger, due when level 1's timeout ends.
        var pending = await host.PendingWakeUpAsync(incident.Number);
        Assert.Equal(1, pending?.Step);
        var stored = (await host.Store.GetAsync(incident.Number, CancellationToken.None))!;
        // The store keeps milliseconds; the trigger's data the full instant.
        Assert.Equal(stored.Escalation.NextStepDueAt!.Value.ToUnixTimeMilliseconds(), pending!.DueAt.ToUnixTimeMilliseconds());
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task Sweep_FirstStepNoHostRan_IsHandedOnOnceOverdueAndPagesLevelOne(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        var clock = new FakeTimeProvider(new DateTimeOffset(2031, 6, 2, 3, 0, 0, TimeSpan.Zero));
        var slack = new SignallingChatPlatform(clock);
        await using var host = await EscalationHost.BuildAsync(db, slack, clock);
        await host.StartAsync();
        await host.ReconciledAsync();
        // What another host leaves when it dies with a page's first step queued: the incident, its step due, no trigger.
        var pagedAt = Instant.FromDateTimeOffset(clock.GetUtcNow()) - Duration.FromSeconds(30);
        var (incident, _) = await host.Store.CreateAsync(
            new Incident(0, "Taken by a host that died", "checkout", null, IncidentStatus.Triggered, pagedAt, EscalationModel.Olivia,
                null, null, null, null, EscalationState.Start(pagedAt), "orphaned-page", Version: 1),
            [new IncidentEvent(0, pagedAt, IncidentEventKind.Created, "Olivia", "Olivia paged Checkout", [])], CancellationToken.None);
        Assert.Empty(slack.PagedUserIds);

        // One sweep interval later the step is a minute and a half overdue.
        clock.Advance(OverdueEscalationSweep.SweepInterval);
        await slack.FirstPageTo("alice");
        await host.StepRanAsync(incident.Number, 0);

        Assert.Equal(["alice"], slack.PagedUserIds);
        Assert.Equal(1, (await host.Store.GetAsync(incident.Number, CancellationToken.None))!.Escalation.Step);
    }
}
