using NodaTime;
using OnCallBot.Core.Delivery;
using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.TestKit;
using OnCallBot.TestKit.Delivery;
using OnCallBot.TestKit.Paging;
using static OnCallBot.Core.Tests.Build;

namespace OnCallBot.Core.Tests.Paging;

/// <summary>
/// The paging flow wired with real parts (resolver, model, in-memory store) and recording doubles at the edges
/// (scheduler, Slack). Time starts on Monday 5 January 2026, 10:00 in Berlin (09:00 UTC), and moves only when a
/// test says so.
/// </summary>
internal sealed class PagingHarness
{
    public const string Berlin = "Europe/Berlin";

    /// <summary>Monday 10:00 Berlin: alice holds "primary", carol "secondary", dina "office" (office hours only).</summary>
    public static readonly DateTimeOffset MondayMorning = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Monday 23:00 Berlin: "office" is empty until Tuesday 09:00 Berlin (08:00 UTC).</summary>
    public static readonly DateTimeOffset MondayNight = new(2026, 1, 5, 22, 0, 0, TimeSpan.Zero);

    public static readonly Actor Olivia = new("slack", "UOLIVIA", "Olivia", "olivia");

    public PagingHarness(DateTimeOffset? start = null, Func<IIncidentStore, IIncidentStore>? wrapStore = null)
    {
        Time = new FakeTimeProvider(start ?? MondayMorning);
        Store = new InMemoryIncidentStore();
        EffectiveStore = wrapStore?.Invoke(Store) ?? Store;
        Model = BuildModel();
        Start();
    }

    public FakeTimeProvider Time { get; }

    public InMemoryIncidentStore Store { get; }

    /// <summary>The store the service talks to: <see cref="Store"/>, or a wrapper around it that injects faults.</summary>
    public IIncidentStore EffectiveStore { get; }

    public RecordingChatPlatform Slack { get; } = new("slack");

    public OnCallModel Model { get; }

    public PagingOptions Options { get; } = new();

    public RecordingScheduler Scheduler { get; private set; } = null!;

    public PagingService Paging { get; private set; } = null!;

    public Instant Now => Instant.FromDateTimeOffset(Time.GetUtcNow());

    /// <summary>A new process over the same store: fresh scheduler and service, wake-ups rebuilt from the store.</summary>
    public async Task<int> RestartAsync()
    {
        Start();
        return await Paging.RescheduleAllPendingAsync(CancellationToken.None);
    }

    public static Actor ActorFor(string userId) =>
        new("slack", "U" + userId.ToUpperInvariant(), char.ToUpperInvariant(userId[0]) + userId[1..], userId);

    public Task<PageOutcome> PageAsync(string service, string summary = "Checkout returns 500s", string? key = null) =>
        Paging.PageAsync(new PageRequest(new PageTarget.ServiceNamed(service), summary, Olivia, key ?? Guid.NewGuid().ToString()), CancellationToken.None);

    public Task<PageOutcome> PagePersonAsync(string userId, string summary = "Can you look at the ledger?") =>
        Paging.PageAsync(new PageRequest(new PageTarget.Person(userId), summary, Olivia, Guid.NewGuid().ToString()), CancellationToken.None);

    /// <summary>Pages <paramref name="service"/> and runs the first escalation step, as the scheduler would at once.</summary>
    public async Task<Incident> PageAndNotifyAsync(string service, string summary = "Checkout returns 500s")
    {
        var outcome = Assert.IsType<PageOutcome.Paged>(await PageAsync(service, summary));
        await FireDueAsync();
        return (await GetAsync(outcome.Incident.Number))!;
    }

    public async Task<IReadOnlyList<WakeUp>> FireDueAsync()
    {
        var fired = await Scheduler.FireDueAsync(Paging);
        await DeliverAsync();
        return fired;
    }

    public async Task<IReadOnlyList<WakeUp>> AdvanceAndFireAsync(TimeSpan by)
    {
        Time.Advance(by);
        return await FireDueAsync();
    }

    public Task<Incident?> GetAsync(long number) => Store.GetAsync(number, CancellationToken.None);

    public Task<IReadOnlyList<IncidentEvent>> EventsAsync(long number) => Store.GetEventsAsync(number, CancellationToken.None);

    public async Task<IReadOnlyList<IncidentEventKind>> KindsAsync(long number) => (await EventsAsync(number)).Select(e => e.Kind).ToList();

    public IReadOnlyList<string> SentTo() => Slack.Sent.Select(s => s.Recipient.Id).ToList();

    private void Start()
    {
        Scheduler = new RecordingScheduler(Time);
        Paging = new PagingService(EffectiveStore, Scheduler, [Slack], new OnCallResolver(new InMemoryOverrides()),
            new FixedOnCallModel(Model), Time, Options, new Outbox(Outbox, Time));
        Dispatcher = new OutboxDispatcher(Outbox, [Paging], [new UnpacedDelivery("slack")], Time, new OutboxOptions(),
            (item, ex) => _faults.Add($"{item.Kind} #{item.Id}: {ex}"));
    }

    private readonly List<string> _faults = [];

    /// <summary>What the flow queued for the chat platforms (page rewrites). Survives <see cref="RestartAsync"/>, as the store does.</summary>
    public InMemoryOutboxStore Outbox { get; } = new();

    public OutboxDispatcher Dispatcher { get; private set; } = null!;

    /// <summary>Carries out everything the outbox holds, as the host's worker would; a fault in any of it fails the test.</summary>
    public async Task DeliverAsync()
    {
        await Dispatcher.DrainAsync(CancellationToken.None);
        Assert.Empty(_faults);
    }

    private static OnCallModel BuildModel()
    {
        var users = new[] { "alice", "bob", "carol", "dina", "oscar", "olivia" }.Select(id => User(id)).ToList();
        // Dave is in the config without any chat id: nobody can message him.
        users.Add(new User("dave", "Dave", Zone(Berlin), null, null, "dave@example.com"));

        Schedule[] schedules =
        [
            Schedule("primary", Berlin, Layer("weekly", ShiftLength.Weekly, "2026-01-05T09:00", "alice", "bob")),
            Schedule("secondary", Berlin, Layer("weekly", ShiftLength.Weekly, "2026-01-05T09:00", "carol")),
            Schedule("office", Berlin, Layer("office", ShiftLength.Weekly, "2026-01-05T09:00", "dina").Restricted("09:00", "18:00", Weekdays)),
        ];
        var secondary = new EscalationLevel([new EscalationTarget(EscalationTargetKind.Schedule, "secondary")], Duration.FromMinutes(10));
        EscalationPolicy[] policies =
        [
            new("payments", "Payments",
                [new EscalationLevel([new EscalationTarget(EscalationTargetKind.Schedule, "primary")], Duration.FromMinutes(5)), secondary],
                Repeat: 1),
            new("office-first", "Office first",
                [new EscalationLevel([new EscalationTarget(EscalationTargetKind.Schedule, "office")], Duration.FromMinutes(5)), secondary],
                Repeat: 0),
            new("unreachable-first", "Unreachable first",
                [new EscalationLevel([new EscalationTarget(EscalationTargetKind.User, "dave")], Duration.FromMinutes(5)), secondary],
                Repeat: 0),
            new("pair", "Pair",
                [new EscalationLevel(
                    [new EscalationTarget(EscalationTargetKind.Schedule, "primary"), new EscalationTarget(EscalationTargetKind.User, "oscar")],
                    Duration.FromMinutes(5)), secondary],
                Repeat: 0),
        ];
        Team[] teams =
        [
            new("payments", "Payments", ["alice", "bob"], new ChatChannels("C0PAYMENTS", null), "primary"),
            new("web", "Web", ["carol"], ChatChannels.None, null),
        ];
        Service[] services =
        [
            new("checkout", "Checkout", "payments", "payments", new Uri("https://runbooks.example.com/checkout"), [], ["cart"]),
            new("search", "Search", "payments", "office-first", null, [], []),
            new("billing", "Billing", "payments", "unreachable-first", null, [], []),
            new("ledger", "Ledger", "payments", "pair", null, [], []),
            new("website", "Website", "web", "office-first", null, [], ["www"]),
        ];
        return new OnCallModel(users, teams, schedules, policies, services);
    }
}
