using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NodaTime;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.Scheduling.Coordination;
using OnCallBot.Scheduling.Tests.Escalation;
using OnCallBot.Storage;
using OnCallBot.Storage.Coordination;
using OnCallBot.Storage.Tests.Infrastructure;
using OnCallBot.TestKit;
using Quartz;

namespace OnCallBot.Scheduling.Tests.Coordination;

public sealed class QuartzCoordinationSchedulerTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset Start = new(2031, 6, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A host whose scheduler is never started, so timers are stored but nothing fires.</summary>
    private static async Task<(CoordinationHost Host, ICoordinationScheduler Timers)> StandbyHostAsync(TestDatabase db)
    {
        var host = await CoordinationHost.BuildAsync(db, new FakeTimeProvider(Start));
        await host.StandbyAsync();
        return (host, host.Services.GetRequiredService<ICoordinationScheduler>());
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task Schedule_EachKind_StoresOneFireNowTriggerPerIncidentForItsSharedRecoverableJob(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        var (host, timers) = await StandbyHostAsync(db);
        await using var _ = host;
        var remindAt = Instant.FromDateTimeOffset(Start + TimeSpan.FromMinutes(30));
        var archiveAt = Instant.FromDateTimeOffset(Start + TimeSpan.FromDays(7));

        await timers.ScheduleStatusReminderAsync(42, remindAt, None);
        await timers.ScheduleArchiveAsync(42, archiveAt, None);

        foreach (var (name, jobName, at) in new[]
        {
            ("status-reminder-42", "status-reminder", remindAt.ToDateTimeOffset()),
            ("archive-42", "archive-channels", archiveAt.ToDateTimeOffset()),
        })
        {
            var trigger = await host.Scheduler.GetTrigger(new TriggerKey(name, "coordination"), None);
            Assert.NotNull(trigger);
            Assert.Equal(new JobKey(jobName, "coordination"), trigger.JobKey);
            Assert.Equal(at, trigger.NextFireTimeUtc);
            Assert.Equal((int)SimpleTriggerMisfireInstruction.FireNow, trigger.MisfireInstructionCode);
            Assert.Equal(new CoordinationWakeUp(42, Instant.FromDateTimeOffset(at)), CoordinationWakeUp.FromJobData(trigger.JobDataMap));
            // Its lane, as stored: below escalation, within coordination's thread limit.
            Assert.Equal(TriggerLanes.CoordinationPriority, trigger.Priority);
            Assert.Equal(TriggerLanes.CoordinationExecutionGroup, trigger.ExecutionGroup);
            Assert.Equal(TriggerLanes.LateFiringWindow, trigger.MisfireThreshold);
            var job = await host.Scheduler.GetJobDetail(trigger.JobKey, None);
            Assert.True(job!.Durable);
            Assert.True(job.RequestsRecovery);
        }
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task ScheduleStatusReminderAsync_Again_ReplacesThePendingOneAndCancelDropsOnlyThatIncidents(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        var (host, timers) = await StandbyHostAsync(db);
        await using var _ = host;
        var now = Instant.FromDateTimeOffset(Start);
        await timers.ScheduleStatusReminderAsync(7, now + Duration.FromMinutes(30), None);
        await timers.ScheduleStatusReminderAsync(8, now + Duration.FromMinutes(30), None);

        await timers.ScheduleStatusReminderAsync(7, now + Duration.FromMinutes(5), None);
        var sooner = await host.TriggerAsync(CoordinationWork.StatusReminder, 7);
        await timers.ScheduleStatusReminderAsync(7, now + Duration.FromHours(1), None);
        var later = await host.TriggerAsync(CoordinationWork.StatusReminder, 7);
        await timers.CancelStatusReminderAsync(7, None);
        await timers.CancelStatusReminderAsync(7, None);

        Assert.Equal((now + Duration.FromMinutes(5)).ToDateTimeOffset(), sooner?.NextFireTimeUtc);
        Assert.Equal((now + Duration.FromHours(1)).ToDateTimeOffset(), later?.NextFireTimeUtc);
        Assert.Null(await host.TriggerAsync(CoordinationWork.StatusReminder, 7));
        Assert.NotNull(await host.TriggerAsync(CoordinationWork.StatusReminder, 8));
        Assert.Single(await host.Scheduler.GetTriggerKeys(GroupMatcher<TriggerKey>.GroupEquals(CoordinationWakeUp.Group), None));
    }

    [Fact]
    public async Task ScheduleArchiveAsync_DueInThePast_StartsNowAndKeepsTheRealDueTime()
    {
        await using var db = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        var (host, timers) = await StandbyHostAsync(db);
        await using var _ = host;
        var due = Instant.FromDateTimeOffset(Start) - Duration.FromMinutes(10);

        await timers.ScheduleArchiveAsync(9, due, None);

        var trigger = await host.TriggerAsync(CoordinationWork.ArchiveChannels, 9);
        Assert.NotNull(trigger);
        Assert.Equal(Start, trigger.NextFireTimeUtc);
        Assert.Equal(due, CoordinationWakeUp.FromJobData(trigger.JobDataMap)!.DueAt);
    }

    [Fact]
    public async Task Schedule_BadIncidentNumber_ThrowsAndStoresNothing()
    {
        await using var db = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        var (host, timers) = await StandbyHostAsync(db);
        await using var _ = host;
        var at = Instant.FromDateTimeOffset(Start);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => timers.ScheduleStatusReminderAsync(-3, at, None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => timers.ScheduleArchiveAsync(0, at, None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => timers.CancelStatusReminderAsync(0, None));

        Assert.Empty(await host.Scheduler.GetTriggerKeys(GroupMatcher<TriggerKey>.GroupEquals(CoordinationWakeUp.Group), None));
    }
}

public sealed class CoordinationRegistrationTests
{
    private static IConfiguration Configuration(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void AddOnCallCoordination_Twice_OneServiceThatIsAlsoTheOnlyObserverAndBoundOptions()
    {
        var configuration = Configuration(
            ("Storage:ConnectionString", "Data Source=/tmp/not-opened/oncallbot.db"),
            ("Incidents:DefaultSeverity", "2"), ("Incidents:RestrictedActions", "Anyone"),
            ("Incidents:StatusUpdateIntervals:3", "00:00:00"), ("Incidents:StakeholderChannels:1:slack", "C0STATUS"));
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(configuration);
        services.AddSingleton(EscalationModel.Provider());

        services.AddOnCallCoordination(configuration).AddOnCallCoordination(configuration);

        Assert.Single(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "QuartzHostedService");
        using var provider = services.BuildServiceProvider();
        var coordination = provider.GetRequiredService<CoordinationService>();
        Assert.Same(coordination, Assert.Single(provider.GetServices<IIncidentObserver>()));
        Assert.IsType<QuartzCoordinationScheduler>(provider.GetRequiredService<ICoordinationScheduler>());
        Assert.IsType<SqlCoordinationStore>(provider.GetRequiredService<ICoordinationStore>());
        var options = provider.GetRequiredService<IOptions<CoordinationOptions>>().Value;
        Assert.Equal(2, options.DefaultSeverity);
        Assert.False(options.RestrictToResponders);
        Assert.Null(options.StatusUpdateInterval(3));
        Assert.Equal(TimeSpan.FromMinutes(30), options.StatusUpdateInterval(1));
        Assert.Equal("C0STATUS", options.StakeholderChannel(1, "slack"));
        Assert.Equal(TimeSpan.FromSeconds(30), provider.GetRequiredService<IOptions<CoordinationJobOptions>>().Value.RetryDelay);
    }

    [Theory]
    [InlineData("Incidents:RestrictedActions", "everyone", "Incidents:RestrictedActions is 'everyone'; set 'responders'")]
    [InlineData("Incidents:DefaultSeverity", "0", "Incidents:DefaultSeverity is 0; set 1 (worst) to 4")]
    [InlineData("Incidents:StatusUpdateIntervals:SEV1", "00:30:00", "Incidents:StatusUpdateIntervals:SEV1 is not a severity; use the keys 1 to 4")]
    [InlineData("Incidents:StatusUpdateIntervals:5", "00:30:00", "Incidents:StatusUpdateIntervals:5 is not a severity")]
    [InlineData("Incidents:StatusUpdateIntervals:2", "-00:30:00", "Incidents:StatusUpdateIntervals:2 is -00:30:00; set a positive duration")]
    [InlineData("Incidents:StakeholderChannels:0:slack", "C0STATUS", "Incidents:StakeholderChannels:0 is not a severity")]
    [InlineData("Incidents:StakeholderChannels:1:slack", "", "Incidents:StakeholderChannels:1:slack is empty")]
    [InlineData("Incidents:Jobs:RetryDelay", "00:00:00", "Incidents:Jobs:RetryDelay is 00:00:00; set it between 00:00:01 and 01:00:00")]
    public async Task Start_BadIncidentsSetting_StopsTheHostNamingTheKey(string key, string value, string expected)
    {
        await using var db = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(db.Configuration);
        builder.Configuration.AddInMemoryCollection([new KeyValuePair<string, string?>(key, value)]);
        builder.Services.AddSingleton(EscalationModel.Provider());
        builder.Services.AddOnCallCoordination(builder.Configuration);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsEachOnce()
    {
        var options = new CoordinationOptions
        {
            DefaultSeverity = 9,
            RestrictedActions = "admins",
            StatusUpdateIntervals = new(StringComparer.Ordinal) { ["1"] = TimeSpan.FromMinutes(15), ["high"] = TimeSpan.FromMinutes(5) },
        };

        var result = new CoordinationOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(3, result.Failures!.Count());
        Assert.True(new CoordinationOptionsValidator().Validate(null, new CoordinationOptions()).Succeeded);
    }
}
