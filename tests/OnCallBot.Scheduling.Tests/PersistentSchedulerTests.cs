using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OnCallBot.Storage;
using OnCallBot.Storage.Tests.Infrastructure;
using Quartz;

namespace OnCallBot.Scheduling.Tests;

/// <summary>
/// Quartz on the persistent store, against a real SQLite file and a real PostgreSQL database, with real time: each
/// "host" is a full generic host built with AddOnCallScheduling, and a restart is a new host on the same database.
/// </summary>
public sealed class PersistentSchedulerTests
{
    // Generous: a firing normally arrives within a second or two; this only bounds a broken run.
    private static readonly TimeSpan FiringTimeout = TimeSpan.FromSeconds(30);

    private static IJobDetail SignalJobDetail(string signalKey) =>
        JobBuilder.Create<SignalJob>()
            .WithIdentity(new JobKey("job-" + signalKey, "tests"))
            .UsingJobData("signal", signalKey)
            .Build();

    /// <summary>Schedules on a running host put in standby first, so nothing can fire before it is stopped.</summary>
    private static async Task ScheduleThenStopAsync(TestDatabase db, IJobDetail job, ITrigger trigger)
    {
        await using var host = await RunningHost.BuildAsync(db);
        await host.StartAsync();
        await host.Scheduler.Standby(CancellationToken.None);
        await host.Scheduler.ScheduleJob(job, trigger, new ScheduleJobOptions(), CancellationToken.None);
        await host.StopAsync();
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task ScheduleJob_SchedulerRestartedOnSameDatabase_TriggerIsStillThereAndFires(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        var signal = SignalJob.Register(out var key);
        var job = SignalJobDetail(key);
        var trigger = TriggerBuilder.Create()
            .WithIdentity(new TriggerKey("trigger-" + key, "tests"))
            .ForJob(job)
            .StartAt(DateTimeOffset.UtcNow.AddSeconds(1))
            .Build();
        await ScheduleThenStopAsync(db, job, trigger);
        Assert.Equal(0, signal.Count);

        await using var restarted = await RunningHost.BuildAsync(db);
        Assert.NotNull(await restarted.Scheduler.GetTrigger(trigger.Key, CancellationToken.None));
        await restarted.StartAsync();
        try
        {
            await signal.FirstFiring.WaitAsync(FiringTimeout);
        }
        finally
        {
            await restarted.StopAsync();
        }

        Assert.Equal(1, signal.Count);
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task Start_TriggerCameDueWhileNoSchedulerRan_FiresOnceAtOnce(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        var signal = SignalJob.Register(out var key);
        var job = SignalJobDetail(key);
        // Ten minutes overdue: well past the store's misfire threshold (one minute), so this is a misfire, not a late firing.
        var dueAt = DateTimeOffset.UtcNow.AddMinutes(-10);
        var trigger = TriggerBuilder.Create()
            .WithIdentity(new TriggerKey("trigger-" + key, "tests"))
            .ForJob(job)
            .StartAt(dueAt)
            .Build();
        await ScheduleThenStopAsync(db, job, trigger);
        Assert.Equal(0, signal.Count);

        await using var restarted = await RunningHost.BuildAsync(db);
        var stored = await restarted.Scheduler.GetTrigger(trigger.Key, CancellationToken.None);
        Assert.Equal((int)SimpleTriggerMisfireInstruction.FireNow, stored!.MisfireInstructionCode);
        var startedAt = DateTimeOffset.UtcNow;
        await restarted.StartAsync();
        (DateTimeOffset? Scheduled, DateTimeOffset Fired) firing;
        try
        {
            firing = await signal.FirstFiring.WaitAsync(FiringTimeout);
        }
        finally
        {
            await restarted.StopAsync();
        }

        // Fired on the restarted host, promptly (the bound only catches a firing left to a later misfire sweep), and
        // the job is told when it was originally due, so a late escalation step can say how late it is.
        Assert.InRange(firing.Fired, startedAt, startedAt + TimeSpan.FromSeconds(20));
        Assert.Equal(dueAt, firing.Scheduled);
        Assert.Equal(1, signal.Count);
        // A one-shot trigger that fired is gone, so it cannot fire a second time on a later start.
        Assert.Equal(0, await db.CountAsync("SELECT COUNT(*) FROM qrtz_triggers"));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task Start_StoreAndScheduler_ShareOneDatabaseAndReportHealthy(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        await using var host = await RunningHost.BuildAsync(db);

        await host.StartAsync();
        try
        {
            var metadata = await host.Scheduler.GetMetadata(CancellationToken.None);
            Assert.True(metadata.JobStorePersistent);
            Assert.Equal(SchedulingServiceCollectionExtensions.SchedulerName, metadata.SchedulerName);
            Assert.Equal(provider == StorageProvider.Postgres, metadata.JobStoreClustered);
            if (provider == StorageProvider.Postgres)
            {
                Assert.NotEqual("NON_CLUSTERED", metadata.SchedulerInstanceId);
            }

            // Quartz's tables and the store's, side by side in the one database the store's factory opens.
            Assert.Equal(0, await db.CountAsync("SELECT COUNT(*) FROM qrtz_triggers"));
            Assert.Equal(0, await db.CountAsync("SELECT COUNT(*) FROM schedule_overrides"));
            Assert.Equal(OnCallBot.Storage.Migrations.MigrationCatalog.LatestVersion, await db.CountAsync("SELECT MAX(version) FROM schema_migrations"));

            var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
            var schedulerHealth = report.Entries[SchedulingServiceCollectionExtensions.HealthCheckName];
            Assert.True(schedulerHealth.Status == HealthStatus.Healthy, $"{schedulerHealth.Status}: {schedulerHealth.Description} {schedulerHealth.Exception}");
            Assert.Equal(HealthStatus.Healthy, report.Entries["store"].Status);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
