using OnCallBot.Storage;
using OnCallBot.Storage.Tests.Infrastructure;
using OnCallBot.TestKit;
using Quartz;

namespace OnCallBot.Scheduling.Tests;

public sealed class SchedulerClockTests
{
    [Fact]
    public async Task Scheduler_TimeProviderRegisteredByTheHost_DecidesWhatIsDue()
    {
        // Years ahead of the machine's clock: a trigger due on this clock is not due on the system's for years, so
        // it firing at all shows Quartz reads the container's TimeProvider.
        var clock = new FakeTimeProvider(new DateTimeOffset(2031, 6, 1, 9, 0, 0, TimeSpan.Zero));
        await using var db = await TestDatabase.CreateAsync(StorageProvider.Sqlite);
        await using var host = await RunningHost.BuildAsync(db, clock);
        await host.StartAsync();
        var signal = SignalJob.Register(out var key);
        var job = JobBuilder.Create<SignalJob>().WithIdentity("clock-" + key).UsingJobData("signal", key).Build();
        var dueAt = clock.GetUtcNow().AddSeconds(-1);

        await host.Scheduler.ScheduleJob(job, TriggerBuilder.Create().ForJob(job).StartAt(dueAt).Build(), new ScheduleJobOptions(), CancellationToken.None);
        (DateTimeOffset? Scheduled, DateTimeOffset Fired) firing;
        try
        {
            firing = await signal.FirstFiring.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            await host.StopAsync();
        }

        Assert.Equal(dueAt, firing.Scheduled);
        Assert.Equal(clock.GetUtcNow(), firing.Fired);
    }
}
