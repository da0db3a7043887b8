using NodaTime;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Delivery;
using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.TestKit;
using OnCallBot.TestKit.Coordination;
using OnCallBot.TestKit.Delivery;
using OnCallBot.TestKit.Paging;
using static OnCallBot.Core.Tests.Build;

namespace OnCallBot.Core.Tests.Coordination;

/// <summary>
/// The real paging flow and the real coordination service wired together (the coordination service is the paging
/// flow's observer) over the in-memory stores, with recording doubles at the edges: the escalation and coordination
/// schedulers, Slack's page messages and Slack's incident channels. Time starts on Monday 5 January 2026, 10:00 in
/// Berlin (09:00 UTC), and moves only when a test says so.
/// </summary>
/// <remarks>
/// The on-call world: Checkout (owned by Payments, runbook, alias "cart") depends on Ledger (owned by Ledger, carol on
/// call); Website (owned by Web, dina on call) depends on Checkout. Checkout pages alice (primary), then bob
/// (secondary). Olivia pages; Eve is in the config and responds to nothing.
/// </remarks>
internal sealed class CoordinationHarness
{
    public const string Berlin = "Europe/Berlin";

    public static readonly DateTimeOffset MondayMorning = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    public static readonly Uri CheckoutRunbook = new("https://runbooks.example.com/checkout");

    public static readonly Actor Olivia = ActorFor("olivia");
    public static readonly Actor Alice = ActorFor("alice");
    public static readonly Actor Bob = ActorFor("bob");
    public static readonly Actor Carol = ActorFor("carol");
    public static readonly Actor Eve = ActorFor("eve");

    public CoordinationHarness(Action<CoordinationOptions>? configure = null, bool channelsEnabled = true)
    {
        Channels.IsEnabled = channelsEnabled;
        Time = new FakeTimeProvider(MondayMorning);
        Store = new InMemoryIncidentStore();
        Rooms = new InMemoryCoordinationStore(Store);
        Scheduler = new RecordingScheduler(Time);
        CoordinationScheduler = new RecordingCoordinationScheduler(Time);
        Model = BuildModel();
        configure?.Invoke(Options);
        var resolver = new OnCallResolver(new InMemoryOverrides());
        var models = new FixedOnCallModel(Model);
        var outbox = new Outbox(Outbox, Time);
        Coordination = new CoordinationService(Rooms, Store, CoordinationScheduler, [Channels], resolver, models, Time, Options, outbox);
        Paging = new PagingService(Store, Scheduler, [Slack], resolver, models, Time, new PagingOptions(), outbox, [Coordination]);
        Dispatcher = new OutboxDispatcher(Outbox, [Coordination, Paging], [new UnpacedDelivery("slack")], Time, new OutboxOptions(),
            (item, ex) => _faults.Add($"{item.Kind} #{item.Id}: {ex}"));
    }

    private readonly List<string> _faults = [];

    /// <summary>What the flows queued for the chat platforms (channel work, page rewrites).</summary>
    public InMemoryOutboxStore Outbox { get; } = new();

    public OutboxDispatcher Dispatcher { get; }

    /// <summary>Carries out everything the outbox holds, as the host's worker would; a fault in any of it fails the test.</summary>
    public async Task DeliverAsync()
    {
        await Dispatcher.DrainAsync(CancellationToken.None);
        Assert.Empty(_faults);
    }

    public FakeTimeProvider Time { get; }

    public InMemoryIncidentStore Store { get; }

    public InMemoryCoordinationStore Rooms { get; }

    public RecordingScheduler Scheduler { get; }

    public RecordingCoordinationScheduler CoordinationScheduler { get; }

    /// <summary>Slack as the paging flow sees it: page messages by DM.</summary>
    public RecordingChatPlatform Slack { get; } = new("slack");

    /// <summary>Slack as coordination sees it: incident channels, cards, reminders.</summary>
    public RecordingIncidentChannels Channels { get; } = new("slack");

    public OnCallModel Model { get; }

    public CoordinationOptions Options { get; } = new();

    public CoordinationService Coordination { get; }

    public PagingService Paging { get; }

    public Instant Now => Instant.FromDateTimeOffset(Time.GetUtcNow());

    public static Actor ActorFor(string userId) =>
        new("slack", "U" + userId.ToUpperInvariant(), char.ToUpperInvariant(userId[0]) + userId[1..], userId);

    public async Task<Incident> PageAsync(string service = "checkout", string summary = "Checkout returns 500s", long? joinIncident = null, Actor? pager = null)
    {
        var outcome = await Paging.PageAsync(
            new PageRequest(new PageTarget.ServiceNamed(service), summary, pager ?? Olivia, Guid.NewGuid().ToString(), joinIncident), CancellationToken.None);
        return Assert.IsType<PageOutcome.Paged>(outcome).Incident;
    }

    /// <summary>Pages, runs the first escalation step and opens the channels: the usual start of an incident.</summary>
    public async Task<IncidentChannel> OpenIncidentAsync(string service = "checkout", string summary = "Checkout returns 500s")
    {
        var incident = await PageAsync(service, summary);
        await RunEscalationAsync();
        await OpenChannelsAsync();
        return Assert.Single((await RoomAsync(incident.Number)).Channels);
    }

    public async Task<IReadOnlyList<WakeUp>> RunEscalationAsync()
    {
        var fired = await Scheduler.FireDueAsync(Paging);
        await DeliverAsync();
        return fired;
    }

    /// <summary>Carries out the channel openings a page queued (and whatever else waits in the outbox).</summary>
    public Task OpenChannelsAsync() => DeliverAsync();

    public async Task<IReadOnlyList<long>> AdvanceAndRemindAsync(TimeSpan by)
    {
        Time.Advance(by);
        var reminded = await CoordinationScheduler.FireDueRemindersAsync(Coordination);
        await DeliverAsync();
        return reminded;
    }

    public async Task<IncidentRoom> RoomAsync(long number) =>
        await Rooms.GetAsync(number, CancellationToken.None) ?? throw new InvalidOperationException($"INC-{number} has no room.");

    public Task<Incident?> IncidentAsync(long number) => Store.GetAsync(number, CancellationToken.None);

    public Task<IReadOnlyList<IncidentEvent>> EventsAsync(long number) => Store.GetEventsAsync(number, CancellationToken.None);

    public async Task<IReadOnlyList<IncidentEvent>> EventsAsync(long number, IncidentEventKind kind) =>
        (await EventsAsync(number)).Where(e => e.Kind == kind).ToList();

    /// <summary>The card as the incident channel shows it now.</summary>
    public IncidentCard CardIn(IncidentChannel channel) =>
        Channels.CurrentCard(channel.ChannelId) ?? throw new InvalidOperationException($"No card in {channel.ChannelId}.");

    private static OnCallModel BuildModel()
    {
        var users = new[] { "alice", "bob", "carol", "dina", "olivia", "eve" }.Select(id => User(id)).ToList();
        Schedule[] schedules =
        [
            Schedule("primary", Berlin, Layer("weekly", ShiftLength.Weekly, "2026-01-05T09:00", "alice", "bob")),
            Schedule("secondary", Berlin, Layer("weekly", ShiftLength.Weekly, "2026-01-05T09:00", "bob")),
            Schedule("ledger", Berlin, Layer("weekly", ShiftLength.Weekly, "2026-01-05T09:00", "carol")),
            Schedule("web", Berlin, Layer("weekly", ShiftLength.Weekly, "2026-01-05T09:00", "dina")),
        ];
        EscalationPolicy[] policies =
        [
            new("payments", "Payments",
                [new EscalationLevel([new EscalationTarget(EscalationTargetKind.Schedule, "primary")], Duration.FromMinutes(5)),
                 new EscalationLevel([new EscalationTarget(EscalationTargetKind.Schedule, "secondary")], Duration.FromMinutes(10))],
                Repeat: 0),
            new("ledger", "Ledger", [new EscalationLevel([new EscalationTarget(EscalationTargetKind.Schedule, "ledger")], Duration.FromMinutes(5))], Repeat: 0),
            new("web", "Web", [new EscalationLevel([new EscalationTarget(EscalationTargetKind.Schedule, "web")], Duration.FromMinutes(5))], Repeat: 0),
        ];
        Team[] teams =
        [
            new("payments", "Payments", ["alice", "bob"], new ChatChannels("C0PAYMENTS", null), "primary"),
            new("ledger-team", "Ledger Team", ["carol"], ChatChannels.None, "ledger"),
            new("web", "Web", ["dina"], ChatChannels.None, "web"),
        ];
        Service[] services =
        [
            new("checkout", "Checkout", "payments", "payments", CheckoutRunbook, ["ledger"], ["cart"]),
            new("ledger", "Ledger", "ledger-team", "ledger", null, [], []),
            new("website", "Website", "web", "web", null, ["checkout"], ["www"]),
        ];
        return new OnCallModel(users, teams, schedules, policies, services);
    }
}
