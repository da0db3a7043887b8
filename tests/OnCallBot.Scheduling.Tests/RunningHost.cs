using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OnCallBot.Storage.Tests.Infrastructure;
using Quartz;

namespace OnCallBot.Scheduling.Tests;

/// <summary>
/// A generic host built with AddOnCallScheduling on a test database. The hosted service starts Quartz in the
/// background once the application has started, so <see cref="StartAsync"/> also waits for Quartz's own
/// "scheduler started" notification rather than guessing how long that takes.
/// </summary>
internal sealed class RunningHost : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly IHost _host;
    private readonly StartedListener _started = new();

    private RunningHost(IHost host, IScheduler scheduler)
    {
        _host = host;
        Scheduler = scheduler;
    }

    public IScheduler Scheduler { get; }

    public IServiceProvider Services => _host.Services;

    /// <summary>Builds the host and its scheduler (created, not started: the store's migrations have not run yet either).</summary>
    public static async Task<RunningHost> BuildAsync(TestDatabase db, TimeProvider? clock = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(db.Configuration);
        if (clock is not null)
        {
            builder.Services.AddSingleton(clock);
        }
        builder.Services.AddOnCallScheduling(builder.Configuration);
        var host = builder.Build();
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler(CancellationToken.None);
        var running = new RunningHost(host, scheduler);
        scheduler.ListenerManager.AddSchedulerListener(running._started);
        return running;
    }

    public async Task StartAsync()
    {
        await _host.StartAsync();
        await _started.Started.WaitAsync(StartTimeout);
    }

    public Task StopAsync() => _host.StopAsync();

    public ValueTask DisposeAsync()
    {
        _host.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class StartedListener : ISchedulerListener
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public ValueTask SchedulerStarted(IScheduler scheduler, CancellationToken cancellationToken = default)
        {
            _started.TrySetResult();
            return ValueTask.CompletedTask;
        }
    }
}
