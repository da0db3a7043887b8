using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NodaTime;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.Scheduling.Escalation;
using OnCallBot.Storage;
using OnCallBot.Storage.Tests.Infrastructure;
using OnCallBot.TestKit;
using Quartz;

namespace OnCallBot.Scheduling.Tests.Escalation;

public sealed class QuartzEscalationSchedulerTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>A host whose scheduler is never started, so wake-ups are stored but nothing fires.</summary>
    private static async Task<(EscalationHost Host, IEscalationScheduler Wakeups, FakeTimeProvider Clock)> StandbyHostAsync(TestDatabase db)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2031, 6, 1, 9, 0, 0, TimeSpan.Zero));
        var host = await EscalationHost.BuildAsync(db, new SignallingChatPlatform(clock), clock);
        await host.Services.GetRequiredService<IStorageMigrator>().MigrateAsync(None);
        return (host, host.Services.GetRequiredService<IEscalationScheduler>(), clock);
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task ScheduleStepAsync_StoresOneFireNowTriggerPerStepForTheSharedJob(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        var (host, wakeups, clock) = await StandbyHostAsync(db);
        await using var _ = host;
        var due = Instant.FromDateTimeOffset(clock.GetUtcNow()) + Duration.FromMinutes(5);

        await wakeups.ScheduleStepAsync(42, 3, due, None);

        var trigger = await host.Scheduler.GetTrigger(new TriggerKey("escalation-42-step-3", "escalation-42"), None);
        Assert.NotNull(trigger);
        Assert.Equal(EscalationStepJob.Key, trigger.JobKey);
        Assert.Equal((int)SimpleTriggerMisfireInstruction.FireNow, trigger.MisfireInstructionCode);
        Assert.Equal(due.ToDateTimeOffset(), trigger.NextFireTimeUtc);
        Assert.Equal(new EscalationWakeUp(42, 3, due), EscalationWakeUp.FromJobData(trigger.JobDataMap));
        // Its lane, as stored: first among triggers due at the same instant, outside coordination's thread limit.
        Assert.Equal(TriggerLanes.EscalationPriority, trigger.Priority);
        Assert.Null(trigger.ExecutionGroup);
        Assert.Equal(TriggerLanes.LateFiringWindow, trigger.MisfireThreshold);
        var job = await host.Scheduler.GetJobDetail(EscalationStepJob.Key, None);
        Assert.True(job!.Durable);
        Assert.True(job.RequestsRecovery);
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task ScheduleStepAsync_Again_ReplacesUnlessThePendingOneIsLaterInEscalationOrSooner(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        var (host, wakeups, clock) = await StandbyHostAsync(db);
        await using var _ = host;
        var now = Instant.FromDateTimeOffset(clock.GetUtcNow());
        await wakeups.ScheduleStepAsync(7, 2, now + Duration.FromMinutes(10), None);

        // A stale request (the reconciler racing a step that just ran) must not roll escalation back...
        await wakeups.ScheduleStepAsync(7, 1, now + Duration.FromMinutes(1), None);
        var afterStale = await host.PendingWakeUpAsync(7);
        // ...nor postpone the same step.
        await wakeups.ScheduleStepAsync(7, 2, now + Duration.FromMinutes(20), None);
        var afterLater = await host.PendingWakeUpAsync(7);
        // Escalate-now brings the same step forward.
        await wakeups.ScheduleStepAsync(7, 2, now, None);
        var afterSooner = await host.PendingWakeUpAsync(7);
        await wakeups.ScheduleStepAsync(7, 3, now + Duration.FromMinutes(30), None);
        var afterNext = await host.PendingWakeUpAsync(7);

        Assert.Equal(new EscalationWakeUp(7, 2, now + Duration.FromMinutes(10)), afterStale);
        Assert.Equal(new EscalationWakeUp(7, 2, now + Duration.FromMinutes(10)), afterLater);
        Assert.Equal(new EscalationWakeUp(7, 2, now), afterSooner);
        Assert.Equal(new EscalationWakeUp(7, 3, now + Duration.FromMinutes(30)), afterNext);
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task ScheduleStepAsync_DueInThePast_StartsNowAndKeepsTheRealDueTime(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        var (host, wakeups, clock) = await StandbyHostAsync(db);
        await using var _ = host;
        var due = Instant.FromDateTimeOffset(clock.GetUtcNow()) - Duration.FromMinutes(10);

        await wakeups.ScheduleStepAsync(8, 0, due, None);

        var trigger = await host.Scheduler.GetTrigger(EscalationWakeUp.TriggerKeyFor(8, 0), None);
        Assert.Equal(clock.GetUtcNow(), trigger!.NextFireTimeUtc);
        Assert.Equal(due, EscalationWakeUp.FromJobData(trigger.JobDataMap)!.DueAt);
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task CancelAsync_DropsOnlyThatIncidentsWakeUpAndToleratesNone(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        var (host, wakeups, clock) = await StandbyHostAsync(db);
        await using var _ = host;
        var due = Instant.FromDateTimeOffset(clock.GetUtcNow()) + Duration.FromMinutes(5);
        await wakeups.ScheduleStepAsync(1, 1, due, None);
        await wakeups.ScheduleStepAsync(2, 1, due, None);

        await wakeups.CancelAsync(1, None);
        await wakeups.CancelAsync(1, None);

        Assert.Null(await host.PendingWakeUpAsync(1));
        Assert.NotNull(await host.PendingWakeUpAsync(2));
    }

    [Fact]
    public async Task ScheduleStepAsync_BadIncidentOrStep_ThrowsAndStoresNothing()
    {
        await using var db = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        var (host, wakeups, clock) = await StandbyHostAsync(db);
        await using var _ = host;
        var due = Instant.FromDateTimeOffset(clock.GetUtcNow());

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => wakeups.ScheduleStepAsync(0, 0, due, None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => wakeups.ScheduleStepAsync(5, -1, due, None));

        Assert.Empty(await host.Scheduler.GetTriggerKeys(GroupMatcher<TriggerKey>.GroupStartsWith(EscalationWakeUp.Group), None));
    }
}

public sealed class PagingRegistrationTests
{
    private static IConfiguration Configuration(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void AddOnCallPaging_WithScheduling_AddsQuartzOnceAndResolvesTheFlow()
    {
        var configuration = Configuration(("Storage:ConnectionString", "Data Source=/tmp/not-opened/oncallbot.db"), ("Paging:DirectPageRepeat", "4"),
            ("Paging:MaxDeliveryDelay", "00:00:10"));
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(configuration);
        services.AddSingleton(EscalationModel.Provider());

        services.AddOnCallScheduling(configuration).AddOnCallPaging(configuration).AddOnCallPaging(configuration);

        Assert.Single(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "QuartzHostedService");
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(EscalationReconciler));
        using var provider = services.BuildServiceProvider();
        Assert.IsType<QuartzEscalationScheduler>(provider.GetRequiredService<IEscalationScheduler>());
        Assert.Same(provider.GetRequiredService<PagingService>(), provider.GetRequiredService<PagingService>());
        Assert.Equal(4, provider.GetRequiredService<IOptions<PagingOptions>>().Value.DirectPageRepeat);
        Assert.Equal(TimeSpan.FromSeconds(10), provider.GetRequiredService<IOptions<PagingOptions>>().Value.MaxDeliveryDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), provider.GetRequiredService<IOptions<PagingOptions>>().Value.StepLease);
        Assert.Equal(TimeSpan.FromSeconds(30), provider.GetRequiredService<IOptions<EscalationOptions>>().Value.RetryDelay);
    }

    [Theory]
    [InlineData("Paging:Escalation:RetryDelay", "00:00:00", "Paging:Escalation:RetryDelay is")]
    [InlineData("Paging:DirectPageTimeout", "-00:01:00", "Paging:DirectPageTimeout is")]
    [InlineData("Paging:DirectPageRepeat", "-1", "Paging:DirectPageRepeat is -1")]
    [InlineData("Paging:MaxDeliveryDelay", "-00:00:01", "Paging:MaxDeliveryDelay is")]
    [InlineData("Paging:MaxDeliveryDelay", "02:00:00", "Paging:MaxDeliveryDelay is 02:00:00")]
    [InlineData("Paging:StepLease", "00:00:01", "Paging:StepLease is 00:00:01")]
    public async Task Start_BadPagingSetting_StopsTheHostNamingTheKey(string key, string value, string expected)
    {
        await using var db = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(db.Configuration);
        builder.Configuration.AddInMemoryCollection([new KeyValuePair<string, string?>(key, value)]);
        builder.Services.AddSingleton(EscalationModel.Provider());
        builder.Services.AddOnCallPaging(builder.Configuration);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, error.Message);
    }
}
