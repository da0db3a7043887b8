using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Delivery;
using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.Slack.Inbound;
using OnCallBot.Slack.Paging;
using OnCallBot.Slack.Tests.Fakes;
using OnCallBot.Slack.Tests.Paging;
using OnCallBot.TestKit;
using OnCallBot.TestKit.Delivery;
using OnCallBot.TestKit.Inbound;
using OnCallBot.TestKit.Coordination;
using OnCallBot.TestKit.Paging;
using OnCallBot.TestKit.Slack;

namespace OnCallBot.Slack.Tests.Coordination;

/// <summary>
/// Slack paging and incident coordination on loopback: signed requests through the real endpoints (AddSlack +
/// MapSlack), the real handler, <see cref="PagingService"/> with <see cref="CoordinationService"/> as its observer
/// over the in-memory stores, the recording schedulers, and the real Slack adapters talking to
/// <see cref="FakeSlackServer"/> (spec-checked). The clock starts on Monday 5 January 2026 at 09:00 UTC and moves
/// only when a test says so.
/// </summary>
internal sealed class SlackCoordinationHost : IAsyncDisposable
{
    public const string TeamId = "T0TEAM";
    public const string GeneralChannel = "C0GENERAL";
    public const string StakeholderChannel = "C0STAKE";

    private readonly WebApplication _app;
    private readonly SlackRequests _requests;

    private SlackCoordinationHost(WebApplication app, FakeSlackServer slack, FakeTimeProvider time, HttpClient client)
    {
        _app = app;
        Slack = slack;
        Time = time;
        Client = client;

        _requests = new SlackRequests(client, slack, time, TeamId);
    }

    public FakeSlackServer Slack { get; }

    public FakeTimeProvider Time { get; }

    public HttpClient Client { get; }

    public Instant Now => Instant.FromDateTimeOffset(Time.GetUtcNow());

    public InMemoryIncidentStore Store => _app.Services.GetRequiredService<InMemoryIncidentStore>();

    public InMemoryCoordinationStore Rooms => _app.Services.GetRequiredService<InMemoryCoordinationStore>();

    public RecordingScheduler Scheduler => _app.Services.GetRequiredService<RecordingScheduler>();

    public RecordingCoordinationScheduler CoordinationScheduler => _app.Services.GetRequiredService<RecordingCoordinationScheduler>();

    public PagingService Paging => _app.Services.GetRequiredService<PagingService>();

    public CoordinationService Coordination => _app.Services.GetRequiredService<CoordinationService>();

    public IIncidentChannels Channels => _app.Services.GetServices<IIncidentChannels>().Single();

    public static async Task<SlackCoordinationHost> StartAsync(Action<CoordinationOptions>? configure = null)
    {
        var slack = await FakeSlackServer.StartAsync();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = FakeSlackServer.BotToken,
            ["Slack:SigningSecret"] = SlackTestHost.SigningSecret,
            ["Slack:ApiBaseUrl"] = slack.ApiBaseUrl.ToString(),
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ListLoggerProvider());
        var options = new CoordinationOptions();
        options.StakeholderChannels["3"] = new Dictionary<string, string> { ["slack"] = StakeholderChannel };
        options.StakeholderChannels["2"] = new Dictionary<string, string> { ["slack"] = StakeholderChannel };
        configure?.Invoke(options);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<InMemoryInboundRequestStore>();
        builder.Services.AddSingleton<IInboundRequestStore>(sp => sp.GetRequiredService<InMemoryInboundRequestStore>());
        builder.Services.AddSlack();
        builder.Services.AddSingleton<IOnCallModelProvider>(new FixedOnCallModel(CoordinationModel.Build()));
        builder.Services.AddSingleton<InMemoryIncidentStore>();
        builder.Services.AddSingleton<InMemoryOutboxStore>();
        builder.Services.AddSingleton<IOutboxStore>(sp => sp.GetRequiredService<InMemoryOutboxStore>());
        builder.Services.AddSingleton(sp => new Outbox(sp.GetRequiredService<IOutboxStore>(), sp.GetRequiredService<TimeProvider>()));
        // The outbox as the host's worker runs it, but only when a test says (DeliverAsync), on Slack's real pacing.
        builder.Services.AddSingleton(sp => new OutboxDispatcher(
            sp.GetRequiredService<IOutboxStore>(),
            [sp.GetRequiredService<PagingService>(), sp.GetRequiredService<CoordinationService>()],
            sp.GetServices<IDeliveryPacing>(),
            sp.GetRequiredService<TimeProvider>(),
            new OutboxOptions(),
            (item, ex) => sp.GetRequiredService<OutboxFaults>().Add(item, ex)));
        builder.Services.AddSingleton<OutboxFaults>();
        builder.Services.AddSingleton<InMemoryDirectConversationStore>();
        builder.Services.AddSingleton<IDirectConversationStore>(sp => sp.GetRequiredService<InMemoryDirectConversationStore>());
        builder.Services.AddSingleton(sp => new InMemoryCoordinationStore(sp.GetRequiredService<InMemoryIncidentStore>()));
        builder.Services.AddSingleton(sp => new RecordingScheduler(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new RecordingCoordinationScheduler(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new CoordinationService(
            sp.GetRequiredService<InMemoryCoordinationStore>(),
            sp.GetRequiredService<InMemoryIncidentStore>(),
            sp.GetRequiredService<RecordingCoordinationScheduler>(),
            sp.GetServices<IIncidentChannels>(),
            new OnCallResolver(new InMemoryOverrides()),
            sp.GetRequiredService<IOnCallModelProvider>(),
            sp.GetRequiredService<TimeProvider>(),
            options,
            sp.GetRequiredService<Outbox>()));
        builder.Services.AddSingleton(sp => new PagingService(
            sp.GetRequiredService<InMemoryIncidentStore>(),
            sp.GetRequiredService<RecordingScheduler>(),
            sp.GetServices<IChatPlatform>(),
            new OnCallResolver(new InMemoryOverrides()),
            sp.GetRequiredService<IOnCallModelProvider>(),
            sp.GetRequiredService<TimeProvider>(),
            new PagingOptions(),
            sp.GetRequiredService<Outbox>(),
            [sp.GetRequiredService<CoordinationService>()]));
        var app = builder.Build();
        app.MapSlack();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SlackCoordinationHost(app, slack, time, new HttpClient { BaseAddress = new Uri(address) });
    }

    /// <summary>Runs every escalation step due now, as the scheduler's job would.</summary>
    public async Task<IReadOnlyList<WakeUp>> FireDueAsync()
    {
        var fired = await Scheduler.FireDueAsync(Paging);
        await DeliverAsync();
        return fired;
    }

    /// <summary>Runs the waiting open-channels jobs, as the coordination scheduler's job would.</summary>
    public Task OpenChannelsAsync() => DeliverAsync();

    /// <summary>Waits until every click handed to the background has been carried out.</summary>
    public async Task WhenIdleAsync()
    {
        await _app.Services.GetRequiredService<SlackBackgroundWork>().WhenIdleAsync();
        await DeliverAsync();
    }

    /// <summary>Carries out everything the outbox holds that may go now (Slack's pacing on the test's clock); a fault fails the test.</summary>
    public async Task DeliverAsync()
    {
        await _app.Services.GetRequiredService<OutboxDispatcher>().DrainAsync(CancellationToken.None);
        _app.Services.GetRequiredService<OutboxFaults>().AssertNone();
    }


    public IncidentRoom Room(long number) => Rooms.Rooms[number];

    /// <summary>The incident's Slack channel, as the room keeps it.</summary>
    public IncidentChannel ChannelOf(long number) => Room(number).ChannelOn("slack") ?? throw new InvalidOperationException($"INC-{number} has no Slack channel.");

    /// <summary>
    /// Oliver pages checkout, Anna is notified, and the incident's channel is opened: the usual start of a test.
    /// Returns the incident number.
    /// </summary>
    public async Task<long> PageAndOpenAsync(string summary = "Cards are timing out")
    {
        var reply = await CommandAsync("/page", "checkout " + summary);
        Assert.Equal("in_channel", reply.ResponseType);
        var number = long.Parse(System.Text.RegularExpressions.Regex.Match(reply.Text, @"INC-(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        await FireDueAsync();
        await OpenChannelsAsync();
        return number;
    }

    public async Task<IReadOnlyList<IncidentEvent>> EventsAsync(long number) => await Store.GetEventsAsync(number, CancellationToken.None);

    public string NextTriggerId() => _requests.NextTriggerId();

    /// <summary>
    /// A slash command shaped like Slack's, typed in <paramref name="channelId"/>; returns Slack's view of the answer,
    /// once what the command queued for Slack (topic, card, posts) has been carried out.
    /// </summary>
    public async Task<CommandReply> CommandAsync(string command, string text, string userId = CoordinationModel.OliverSlack, string? userName = "oliver", string channelId = GeneralChannel,
        string? triggerId = null)
    {
        var reply = await _requests.CommandAsync(command, text, userId, userName, channelId, channelId == GeneralChannel ? "general" : "incident", triggerId);
        await DeliverAsync();
        return reply;
    }

    /// <summary>Clicks a button on a message in <paramref name="channelId"/> as <paramref name="userId"/>: a signed <c>block_actions</c>.</summary>
    public Task<string> ClickAsync(string actionId, long incidentNumber, string userId, string channelId, string messageTs, string responseUrlId = "click") =>
        _requests.ClickAsync(actionId, incidentNumber, userId, channelId, "incident", messageTs, ephemeral: false, "oncallbot.roles", responseUrlId);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Slack.DisposeAsync();
    }
}
