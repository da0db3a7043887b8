using System.Collections.Concurrent;
using OnCallBot.Storage;
using OnCallBot.Storage.Tests.Infrastructure;
using Quartz;

namespace OnCallBot.Scheduling.Tests;

/// <summary>
/// Escalation is never starved by coordination: real Quartz on a real database, a backlog of coordination triggers
/// whose jobs hold their threads until the test lets them go, and one escalation trigger due after all of them.
/// </summary>
public sealed class TriggerLanesTests
{
    // Generous: only bounds a broken run.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const int Backlog = 30;

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task Backlog_CoordinationOverdueAndHoldingItsThreads_EscalationDueAfterItRunsFirst(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        var lanes = LaneJob.Register(out var key);
        var job = JobBuilder.Create<LaneJob>()
            .WithIdentity(new JobKey("lanes-" + key, "tests"))
            .UsingJobData("lanes", key)
            .StoreDurably()
            .Build();
        // Ten minutes overdue (past the store's misfire threshold), as after a burst of pages, the escalation step
        // due five minutes after the oldest coordination work and after all of it.
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        var triggers = Enumerable.Range(0, Backlog)
            .Select(i => Trigger(job, $"coordination-{i}", LaneJob.Coordination, start.AddSeconds(i)).AsCoordination().Build())
            .Append(Trigger(job, "escalation", LaneJob.Escalation, start.AddMinutes(5)).AsEscalation().Build())
            .ToList();

        await using var host = await RunningHost.BuildAsync(db);
        await host.StartAsync();
        await host.Scheduler.Standby(CancellationToken.None);
        await host.Scheduler.ScheduleJob(job, triggers, new ScheduleJobOptions { Replace = true }, CancellationToken.None);
        await host.Scheduler.Start(CancellationToken.None);
        int coordinationRunningWhenEscalationRan;
        try
        {
            coordinationRunningWhenEscalationRan = await lanes.EscalationRan.WaitAsync(Timeout);
        }
        finally
        {
            lanes.ReleaseCoordination();
        }
        await lanes.AllCoordinationRan(Backlog).WaitAsync(Timeout);
        await host.StopAsync();

        Assert.InRange(coordinationRunningWhenEscalationRan, 0, TriggerLanes.CoordinationMaxConcurrent);
        Assert.Equal(Backlog, lanes.CoordinationStarted);
    }

    private static TriggerBuilder<IJob> Trigger(IJobDetail job, string name, string lane, DateTimeOffset dueAt) =>
        TriggerBuilder.Create()
            .WithIdentity(new TriggerKey(name, "tests-" + job.Key.Name))
            .ForJob(job)
            .UsingJobData(LaneJob.LaneKey, lane)
            .StartAt(dueAt)
            .WithSimpleSchedule(schedule => schedule.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow));

    /// <summary>
    /// Coordination firings wait until the test releases them, as jobs stuck on a slow platform would; the escalation
    /// firing records how many coordination jobs had started by then.
    /// </summary>
    public sealed class LaneJob : IJob
    {
        public const string LaneKey = "lane";
        public const string Coordination = "coordination";
        public const string Escalation = "escalation";

        private static readonly ConcurrentDictionary<string, Lanes> All = new();

        public static Lanes Register(out string key)
        {
            key = Guid.NewGuid().ToString("N");
            return All[key] = new Lanes();
        }

        public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        {
            if (!All.TryGetValue(context.MergedJobDataMap.GetString("lanes") ?? string.Empty, out var lanes))
            {
                return;
            }
            if (context.MergedJobDataMap.GetString(LaneKey) == Escalation)
            {
                lanes.EscalationFired();
                return;
            }
            await lanes.CoordinationFiredAsync(cancellationToken);
        }

        public sealed class Lanes
        {
            private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
            private readonly TaskCompletionSource<int> _escalation = new(TaskCreationOptions.RunContinuationsAsynchronously);
            private readonly TaskCompletionSource _allCoordination = new(TaskCreationOptions.RunContinuationsAsynchronously);
            private int _coordinationStarted;
            private int _coordinationFinished;
            private int _expected = int.MaxValue;

            public int CoordinationStarted => Volatile.Read(ref _coordinationStarted);

            /// <summary>Completes with the number of coordination jobs started when the escalation job ran.</summary>
            public Task<int> EscalationRan => _escalation.Task;

            public void ReleaseCoordination() => _release.TrySetResult();

            public Task AllCoordinationRan(int expected)
            {
                Volatile.Write(ref _expected, expected);
                if (Volatile.Read(ref _coordinationFinished) >= expected)
                {
                    _allCoordination.TrySetResult();
                }
                return _allCoordination.Task;
            }

            public void EscalationFired() => _escalation.TrySetResult(CoordinationStarted);

            public async Task CoordinationFiredAsync(CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref _coordinationStarted);
                await _release.Task.WaitAsync(cancellationToken);
                if (Interlocked.Increment(ref _coordinationFinished) >= Volatile.Read(ref _expected))
                {
                    _allCoordination.TrySetResult();
                }
            }
        }
    }
}
