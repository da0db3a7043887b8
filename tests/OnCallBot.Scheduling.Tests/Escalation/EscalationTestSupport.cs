using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodaTime;
using OnCallBot.Core.Model;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.Scheduling.Escalation;
using OnCallBot.Storage.Tests.Infrastructure;
using OnCallBot.TestKit.Paging;
using Quartz;
using OnCallBot.TestKit;

namespace OnCallBot.Scheduling.Tests.Escalation;

/// <summary>
/// The on-call model of these tests: "checkout" escalates to alice (level 1), then bob (level 2), each with a
/// two-second timeout, so real Quartz timing is exercised in seconds.
/// </summary>
internal static class EscalationModel
{
    public static readonly TimeSpan LevelTimeout = TimeSpan.FromSeconds(2);

    public static readonly Actor Olivia = new("slack", "UOLIVIA", "Olivia", "olivia");

    public static readonly Actor Alice = new("slack", "UALICE", "Alice", "alice");

    public static OnCallModel Build()
    {
        User[] users =
        [
            new("alice", "Alice", DateTimeZone.Utc, "UALICE", null, null),
            new("bob", "Bob", DateTimeZone.Utc, "UBOB", null, null),
            new("olivia", "Olivia", DateTimeZone.Utc, "UOLIVIA", null, null),
        ];
        var timeout = Duration.FromTimeSpan(LevelTimeout);
        EscalationPolicy[] policies =
        [
            new("payments", "Payments",
                [
                    new EscalationLevel([new EscalationTarget(EscalationTargetKind.User, "alice")], timeout),
                    new EscalationLevel([new EscalationTarget(EscalationTargetKind.User, "bob")], timeout),
                ],
                Repeat: 0),
        ];
        Team[] teams = [new("payments", "Payments", ["alice", "bob"], new ChatChannels("C0PAYMENTS", null), null)];
        Service[] services = [new("checkout", "Checkout", "payments", "payments", null, [], [])];
        return new OnCallModel(users, teams, [], policies, services);
    }

    public static PageRequest PageCheckout(string? key = null) =>
        new(new PageTarget.ServiceNamed("checkout"), "Checkout returns 500s", Olivia, key ?? Guid.NewGuid().ToString());

    public static IOnCallModelProvider Provider() => new FixedOnCallModel(Build());
}

/// <summary>A recording Slack that also says when (on the given clock) each page went out, and lets a test await one.</summary>
internal sealed class SignallingChatPlatform(TimeProvider clock) : IChatPlatform
{
    private readonly RecordingChatPlatform _inner = new("slack");
    private readonly ConcurrentQueue<(string UserId, DateTimeOffset At)> _pages = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<DateTimeOffset>> _firstPage = new(StringComparer.Ordinal);

    public string Name => _inner.Name;

    public IReadOnlyList<string> PagedUserIds => _pages.Select(p => p.UserId).ToList();

    public RecordingChatPlatform Recorded => _inner;

    public int PagesTo(string userId) => _pages.Count(p => p.UserId == userId);

    /// <summary>When <paramref name="userId"/> was first paged; fails after a generous bound.</summary>
    public Task<DateTimeOffset> FirstPageTo(string userId) => Signal(userId).Task.WaitAsync(TimeSpan.FromSeconds(30));

    public bool CanReach(User user) => _inner.CanReach(user);

    private readonly ConcurrentDictionary<string, PageHold> _holds = new(StringComparer.Ordinal);

    /// <summary>The next page to <paramref name="userId"/> waits, once it has arrived, until the test releases it: Slack being slow.</summary>
    public PageHold HoldNextPageTo(string userId) => _holds.GetOrAdd(userId, _ => new PageHold());

    public async Task<DeliveredMessage> SendPageAsync(User recipient, PageView page, CancellationToken cancellationToken)
    {
        if (_holds.TryRemove(recipient.Id, out var hold))
        {
            await hold.WaitAsync();
        }
        var message = await _inner.SendPageAsync(recipient, page, cancellationToken);
        var at = clock.GetUtcNow();
        _pages.Enqueue((recipient.Id, at));
        Signal(recipient.Id).TrySetResult(at);
        return message;
    }

    public Task UpdatePageAsync(DeliveredMessage message, PageView page, CancellationToken cancellationToken) =>
        _inner.UpdatePageAsync(message, page, cancellationToken);

    public Task<bool> AnnounceAsync(Team team, string text, CancellationToken cancellationToken) => _inner.AnnounceAsync(team, text, cancellationToken);

    public Task TellAsync(Actor person, string text, CancellationToken cancellationToken) => _inner.TellAsync(person, text, cancellationToken);

    private TaskCompletionSource<DateTimeOffset> Signal(string userId) =>
        _firstPage.GetOrAdd(userId, _ => new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously));
}

/// <summary>A page held on its way out: <see cref="Entered"/> completes when it arrives, and it goes on at <see cref="Release"/>.</summary>
internal sealed class PageHold
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Entered => _entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

    public void Release() => _released.TrySetResult();

    public async Task WaitAsync()
    {
        _entered.TrySetResult();
        // Bounded, so a test that forgets to release fails instead of hanging the scheduler's shutdown.
        await _released.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }
}

/// <summary>
/// A host as production wires it (AddOnCallPaging on a test database), with the test's chat platform and clock. It
/// reports when Quartz has started and when each escalation step has run, so tests await events instead of sleeping.
/// </summary>
internal sealed class EscalationHost : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly IHost _host;
    private readonly Listener _listener = new();
    private bool _gone;

    private EscalationHost(IHost host, IScheduler scheduler)
    {
        _host = host;
        Scheduler = scheduler;
        scheduler.ListenerManager.AddSchedulerListener(_listener);
        scheduler.ListenerManager.AddJobListener(_listener);
        // A page's first step runs in the prompt lane, not as a Quartz job: its runs count the same.
        host.Services.GetRequiredService<PromptStepRunner>().Ran += _listener.Record;
    }

    public IScheduler Scheduler { get; }

    public IServiceProvider Services => _host.Services;

    public PagingService Paging => Services.GetRequiredService<PagingService>();

    public IIncidentStore Store => Services.GetRequiredService<IIncidentStore>();

    public static async Task<EscalationHost> BuildAsync(
        TestDatabase db, IChatPlatform platform, TimeProvider? clock = null, Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(db.Configuration);
        builder.Configuration.AddInMemoryCollection([new KeyValuePair<string, string?>("Paging:Escalation:RetryDelay", "00:00:01")]);
        if (clock is not null)
        {
            builder.Services.AddSingleton(clock);
        }
        builder.Services.AddSingleton(EscalationModel.Provider());
        builder.Services.AddSingleton(platform);
        configure?.Invoke(builder.Services);
        builder.Services.AddOnCallPaging(builder.Configuration);
        var host = builder.Build();
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler(CancellationToken.None);
        return new EscalationHost(host, scheduler);
    }

    public async Task StartAsync()
    {
        await _host.StartAsync();
        await _listener.Started.WaitAsync(Bound);
    }

    /// <summary>Completes once the start-up reconciler has handed every pending step back to the scheduler.</summary>
    public Task ReconciledAsync() =>
        Services.GetServices<IHostedService>().OfType<EscalationReconciler>().Single().ExecuteTask!.WaitAsync(Bound);

    /// <summary>
    /// Completes once this host has scheduled the wake-up of <paramref name="step"/>. A step can run more than once
    /// (the start-up reconciler and a misfire may both hand it over); the run that does the work schedules the next.
    /// </summary>
    public Task WakeUpScheduledAsync(long incidentNumber, int step) => _listener.Scheduled(incidentNumber, step).Task.WaitAsync(Bound);

    /// <summary>Whether this host ever stored a Quartz wake-up for <paramref name="step"/> of the incident.</summary>
    public bool EverScheduled(long incidentNumber, int step) => _listener.Scheduled(incidentNumber, step).Task.IsCompleted;

    /// <summary>Completes once the <paramref name="run"/>th run of <paramref name="step"/> of the incident has finished (successfully or not).</summary>
    public Task StepRanAsync(long incidentNumber, int step, int run = 1) => _listener.Ran(incidentNumber, step, run).Task.WaitAsync(Bound);

    public async Task<Incident> PageAsync(string? key = null)
    {
        var outcome = await Paging.PageAsync(EscalationModel.PageCheckout(key), CancellationToken.None);
        return Assert.IsType<PageOutcome.Paged>(outcome).Incident;
    }

    /// <summary>
    /// The incident's latest pending wake-up (the highest step among its triggers with a next fire time), if any.
    /// A stale one for an earlier step may coexist for a moment (the reconciler racing the step it hands over);
    /// it does nothing when it fires.
    /// </summary>
    public async Task<EscalationWakeUp?> PendingWakeUpAsync(long incidentNumber)
    {
        var keys = await Scheduler.GetTriggerKeys(GroupMatcher<TriggerKey>.GroupEquals(EscalationWakeUp.GroupFor(incidentNumber)), CancellationToken.None);
        EscalationWakeUp? latest = null;
        foreach (var key in keys)
        {
            if (await Scheduler.GetTrigger(key, CancellationToken.None) is { NextFireTimeUtc: not null } trigger
                && EscalationWakeUp.FromJobData(trigger.JobDataMap) is { } wakeUp
                && (latest is null || wakeUp.Step > latest.Step))
            {
                latest = wakeUp;
            }
        }
        return latest;
    }

    /// <summary>As close to kill -9 as in-process allows: the scheduler stops without waiting for jobs, and the host is dropped unstopped.</summary>
    public async Task CrashAsync()
    {
        await Scheduler.Shutdown(waitForJobsToComplete: false, CancellationToken.None);
        _host.Dispose();
        _gone = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_gone)
        {
            return;
        }
        _gone = true;
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
        private readonly ConcurrentDictionary<(long, int, int), TaskCompletionSource> _ran = new();
        private readonly ConcurrentDictionary<(long, int), int> _runs = new();
        private readonly ConcurrentDictionary<(long, int), TaskCompletionSource> _scheduled = new();

        public string Name => "escalation-test-listener";

        public Task Started => _started.Task;

        public TaskCompletionSource Ran(long incidentNumber, int step, int run) =>
            _ran.GetOrAdd((incidentNumber, step, run), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        public TaskCompletionSource Scheduled(long incidentNumber, int step) =>
            _scheduled.GetOrAdd((incidentNumber, step), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        public ValueTask JobScheduled(IScheduler scheduler, ITrigger trigger, CancellationToken cancellationToken = default)
        {
            if (EscalationWakeUp.FromJobData(trigger.JobDataMap) is { } wakeUp)
            {
                Scheduled(wakeUp.IncidentNumber, wakeUp.Step).TrySetResult();
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask SchedulerStarted(IScheduler scheduler, CancellationToken cancellationToken = default)
        {
            _started.TrySetResult();
            return ValueTask.CompletedTask;
        }

        public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
        {
            if (EscalationWakeUp.FromJobData(context.MergedJobDataMap) is { } wakeUp)
            {
                Record(wakeUp);
            }
            return ValueTask.CompletedTask;
        }

        public void Record(EscalationWakeUp wakeUp)
        {
            var run = _runs.AddOrUpdate((wakeUp.IncidentNumber, wakeUp.Step), 1, (_, runs) => runs + 1);
            Ran(wakeUp.IncidentNumber, wakeUp.Step, run).TrySetResult();
        }
    }
}
