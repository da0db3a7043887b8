using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Model;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.Scheduling.Coordination;
using OnCallBot.Scheduling.Tests.Escalation;
using OnCallBot.Storage;
using OnCallBot.Storage.Tests.Infrastructure;
using OnCallBot.TestKit.Coordination;
using Quartz;

namespace OnCallBot.Scheduling.Tests.Coordination;

/// <summary>
/// TestKit's recording incident channels (Slack's rules), which also lets a test await a state of what was recorded
/// (a channel opened with its members, a reminder sent) instead of sleeping, and fail the next channel creation with
/// an unexpected exception (an outage, not a refusal the core handles itself).
/// </summary>
internal sealed class SignallingIncidentChannels : IIncidentChannels
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly List<(Func<RecordingIncidentChannels, bool> Condition, TaskCompletionSource Done)> _waiters = [];
    private readonly ConcurrentQueue<(Reminder Reminder, DateTimeOffset At)> _reminders = new();
    private Exception? _nextCreateFailure;

    public RecordingIncidentChannels Recorded { get; } = new("slack");

    public string Name => Recorded.Name;

    public bool IsEnabled => Recorded.IsEnabled;

    /// <summary>When each reminder was sent, on the real clock.</summary>
    public IReadOnlyList<(Reminder Reminder, DateTimeOffset At)> TimedReminders => [.. _reminders];

    /// <summary>Completes once <paramref name="condition"/> holds over what was recorded; fails after a generous bound.</summary>
    public Task WhenAsync(Func<RecordingIncidentChannels, bool> condition)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiters.Add((condition, done));
        }
        Changed();
        return done.Task.WaitAsync(Bound);
    }

    public void FailNextCreate(Exception failure)
    {
        lock (_gate)
        {
            _nextCreateFailure = failure;
        }
    }

    public async Task<ChannelCreation> CreateChannelAsync(string name, CancellationToken cancellationToken)
    {
        Exception? failure;
        lock (_gate)
        {
            failure = _nextCreateFailure;
            _nextCreateFailure = null;
        }
        if (failure is not null)
        {
            throw failure;
        }
        return await After(Recorded.CreateChannelAsync(name, cancellationToken));
    }

    public Task<IReadOnlyList<Actor>> InviteAsync(IncidentChannel channel, IReadOnlyList<Actor> people, CancellationToken cancellationToken) =>
        After(Recorded.InviteAsync(channel, people, cancellationToken));

    public Task SetTopicAsync(IncidentChannel channel, string topic, CancellationToken cancellationToken) =>
        After(Recorded.SetTopicAsync(channel, topic, cancellationToken));

    public Task<string> PostCardAsync(IncidentChannel channel, IncidentCard card, CancellationToken cancellationToken) =>
        After(Recorded.PostCardAsync(channel, card, cancellationToken));

    public Task UpdateCardAsync(IncidentChannel channel, IncidentCard card, CancellationToken cancellationToken) =>
        After(Recorded.UpdateCardAsync(channel, card, cancellationToken));

    public Task AddRunbookAsync(IncidentChannel channel, Uri runbook, CancellationToken cancellationToken) =>
        After(Recorded.AddRunbookAsync(channel, runbook, cancellationToken));

    public Task PostAsync(string channelId, string text, CancellationToken cancellationToken) =>
        After(Recorded.PostAsync(channelId, text, cancellationToken));

    public async Task RemindAsync(Actor person, string text, CancellationToken cancellationToken)
    {
        await Recorded.RemindAsync(person, text, cancellationToken);
        _reminders.Enqueue((new Reminder(person, text), DateTimeOffset.UtcNow));
        Changed();
    }

    public Task ArchiveAsync(IncidentChannel channel, CancellationToken cancellationToken) =>
        After(Recorded.ArchiveAsync(channel, cancellationToken));

    public string? PlatformUserIdOf(User user) => Recorded.PlatformUserIdOf(user);

    private async Task After(Task call)
    {
        try
        {
            await call;
        }
        finally
        {
            Changed();
        }
    }

    private async Task<T> After<T>(Task<T> call)
    {
        try
        {
            return await call;
        }
        finally
        {
            Changed();
        }
    }

    private void Changed()
    {
        List<TaskCompletionSource> met;
        lock (_gate)
        {
            met = _waiters.Where(w => w.Condition(Recorded)).Select(w => w.Done).ToList();
            _waiters.RemoveAll(w => met.Contains(w.Done));
        }
        foreach (var done in met)
        {
            done.TrySetResult();
        }
    }
}

/// <summary>
/// A host as production wires it (AddOnCallCoordination on a test database, which brings paging, Quartz and the store),
/// with the escalation tests' on-call model, a recording Slack for pages and recording incident channels. It reports
/// when Quartz has started and when each coordination job has run, so tests await events instead of sleeping.
/// </summary>
internal sealed class CoordinationHost : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly IHost _host;
    private readonly Listener _listener = new();

    private CoordinationHost(IHost host, IScheduler scheduler, SignallingIncidentChannels channels)
    {
        _host = host;
        Scheduler = scheduler;
        Channels = channels;
        scheduler.ListenerManager.AddSchedulerListener(_listener);
        scheduler.ListenerManager.AddJobListener(_listener);
    }

    public IScheduler Scheduler { get; }

    public SignallingIncidentChannels Channels { get; }

    public IServiceProvider Services => _host.Services;

    public PagingService Paging => Services.GetRequiredService<PagingService>();

    public CoordinationService Coordination => Services.GetRequiredService<CoordinationService>();

    public IIncidentStore Incidents => Services.GetRequiredService<IIncidentStore>();

    public ICoordinationStore Rooms => Services.GetRequiredService<ICoordinationStore>();

    /// <summary>
    /// Completes once the outbox holds nothing and nothing it started still runs: all queued channel work is done.
    /// Woken by the dispatcher as each item ends; fails after a generous bound.
    /// </summary>
    public async Task OutboxEmptyAsync()
    {
        var store = Services.GetRequiredService<IOutboxStore>();
        var dispatcher = Services.GetRequiredService<Core.Delivery.OutboxDispatcher>();
        using var bound = new CancellationTokenSource(Bound);
        while (true)
        {
            var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnChanged(object? sender, EventArgs e) => changed.TrySetResult();
            dispatcher.Changed += OnChanged;
            try
            {
                if ((await store.GetDepthAsync(CancellationToken.None)).Sum(d => d.Waiting) == 0)
                {
                    await dispatcher.WhenIdleAsync();
                    if ((await store.GetDepthAsync(CancellationToken.None)).Sum(d => d.Waiting) == 0)
                    {
                        return;
                    }
                }
                await changed.Task.WaitAsync(bound.Token);
            }
            finally
            {
                dispatcher.Changed -= OnChanged;
            }
        }
    }

    public static async Task<CoordinationHost> BuildAsync(TestDatabase db, TimeProvider? clock = null, params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(db.Configuration);
        builder.Configuration.AddInMemoryCollection(
        [
            new KeyValuePair<string, string?>("Paging:Escalation:RetryDelay", "00:00:01"),
            new KeyValuePair<string, string?>("Incidents:Jobs:RetryDelay", "00:00:01"),
        ]);
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        if (clock is not null)
        {
            builder.Services.AddSingleton(clock);
        }
        var channels = new SignallingIncidentChannels();
        builder.Services.AddSingleton(EscalationModel.Provider());
        builder.Services.AddSingleton<IChatPlatform>(new SignallingChatPlatform(clock ?? TimeProvider.System));
        builder.Services.AddSingleton<IIncidentChannels>(channels);
        // The recording platform has no rate limits: the outbox carries its work out as soon as it is queued.
        builder.Services.AddSingleton<Core.Delivery.IDeliveryPacing>(new TestKit.Delivery.UnpacedDelivery("slack"));
        builder.Services.AddOnCallCoordination(builder.Configuration);
        var host = builder.Build();
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler(CancellationToken.None);
        return new CoordinationHost(host, scheduler, channels);
    }

    /// <summary>Starts the host and waits for Quartz to run.</summary>
    public async Task StartAsync()
    {
        await _host.StartAsync();
        await _listener.Started.WaitAsync(Bound);
    }

    /// <summary>Migrates the store without starting anything: triggers are stored, none fires.</summary>
    public Task StandbyAsync() => Services.GetRequiredService<IStorageMigrator>().MigrateAsync(CancellationToken.None);

    /// <summary>Completes once the <paramref name="run"/>th run of <paramref name="work"/> for the incident has finished (successfully or not).</summary>
    public Task RanAsync(CoordinationWork work, long incidentNumber, int run = 1) =>
        _listener.Ran(CoordinationWakeUp.Name(work), incidentNumber, run).Task.WaitAsync(Bound);

    public async Task<ITrigger?> TriggerAsync(CoordinationWork work, long incidentNumber) =>
        await Scheduler.GetTrigger(CoordinationWakeUp.TriggerKeyFor(work, incidentNumber), CancellationToken.None);

    public async Task<Incident> PageAsync()
    {
        var outcome = await Paging.PageAsync(EscalationModel.PageCheckout(), CancellationToken.None);
        return Assert.IsType<PageOutcome.Paged>(outcome).Incident;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync();
        }
        finally
        {
            _host.Dispose();
        }
    }

    private sealed class Listener : ISchedulerListener, IJobListener
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentDictionary<(string, long, int), TaskCompletionSource> _ran = new();
        private readonly ConcurrentDictionary<(string, long), int> _runs = new();

        public string Name => "coordination-test-listener";

        public Task Started => _started.Task;

        public TaskCompletionSource Ran(string job, long incidentNumber, int run) =>
            _ran.GetOrAdd((job, incidentNumber, run), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        public ValueTask SchedulerStarted(IScheduler scheduler, CancellationToken cancellationToken = default)
        {
            _started.TrySetResult();
            return ValueTask.CompletedTask;
        }

        public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
        {
            if (context.JobDetail.Key.Group == CoordinationWakeUp.Group && CoordinationWakeUp.FromJobData(context.MergedJobDataMap) is { } wakeUp)
            {
                var job = context.JobDetail.Key.Name;
                var run = _runs.AddOrUpdate((job, wakeUp.IncidentNumber), 1, (_, runs) => runs + 1);
                Ran(job, wakeUp.IncidentNumber, run).TrySetResult();
            }
            return ValueTask.CompletedTask;
        }
    }
}
