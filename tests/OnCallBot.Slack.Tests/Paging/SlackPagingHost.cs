using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using OnCallBot.Core.Delivery;
using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.Slack.Inbound;
using OnCallBot.Slack.Paging;
using OnCallBot.Slack.Tests.Fakes;
using OnCallBot.TestKit;
using OnCallBot.TestKit.Delivery;
using OnCallBot.TestKit.Inbound;
using OnCallBot.TestKit.Paging;
using OnCallBot.TestKit.Slack;

namespace OnCallBot.Slack.Tests.Paging;

/// <summary>
/// The whole Slack paging path on loopback: signed requests through the real endpoints (AddSlack + MapSlack), the
/// real handler and <see cref="PagingService"/> over the in-memory store, the recording scheduler, and the real
/// <see cref="SlackChatPlatform"/> talking to <see cref="FakeSlackServer"/> (spec-checked). The clock starts on
/// Monday 5 January 2026 at 09:00 UTC and moves only when a test says so.
/// </summary>
internal sealed class SlackPagingHost : IAsyncDisposable
{
    public const string TeamId = "T0TEAM";

    private readonly WebApplication _app;
    private readonly SlackRequests _requests;

    private SlackPagingHost(WebApplication app, FakeSlackServer slack, FakeTimeProvider time, HttpClient client, ListLoggerProvider logs)
    {
        _app = app;
        Slack = slack;
        Time = time;
        Client = client;
        Logs = logs;

        _requests = new SlackRequests(client, slack, time, TeamId);
    }

    public FakeSlackServer Slack { get; }

    public FakeTimeProvider Time { get; }

    public HttpClient Client { get; }

    public ListLoggerProvider Logs { get; }

    public InMemoryIncidentStore Store => _app.Services.GetRequiredService<InMemoryIncidentStore>();

    public RecordingScheduler Scheduler => _app.Services.GetRequiredService<RecordingScheduler>();

    public InMemoryDirectConversationStore Conversations => _app.Services.GetRequiredService<InMemoryDirectConversationStore>();

    public PagingService Paging => _app.Services.GetRequiredService<PagingService>();

    public OnCallModel Model => _app.Services.GetRequiredService<IOnCallModelProvider>().Current;

    public static async Task<SlackPagingHost> StartAsync()
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
        var logs = new ListLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<InMemoryInboundRequestStore>();
        builder.Services.AddSingleton<IInboundRequestStore>(sp => sp.GetRequiredService<InMemoryInboundRequestStore>());
        builder.Services.AddSlack();
        builder.Services.AddSingleton<IOnCallModelProvider>(new FixedOnCallModel(PagingModel.Build()));
        builder.Services.AddSingleton<InMemoryIncidentStore>();
        builder.Services.AddSingleton<InMemoryOutboxStore>();
        builder.Services.AddSingleton<IOutboxStore>(sp => sp.GetRequiredService<InMemoryOutboxStore>());
        builder.Services.AddSingleton(sp => new Outbox(sp.GetRequiredService<IOutboxStore>(), sp.GetRequiredService<TimeProvider>()));
        // The outbox as the host's worker runs it, but only when a test says (DeliverAsync), on Slack's real pacing.
        builder.Services.AddSingleton(sp => new OutboxDispatcher(
            sp.GetRequiredService<IOutboxStore>(),
            [sp.GetRequiredService<PagingService>()],
            sp.GetServices<IDeliveryPacing>(),
            sp.GetRequiredService<TimeProvider>(),
            new OutboxOptions(),
            (item, ex) => sp.GetRequiredService<OutboxFaults>().Add(item, ex)));
        builder.Services.AddSingleton<OutboxFaults>();
        builder.Services.AddSingleton<InMemoryDirectConversationStore>();
        builder.Services.AddSingleton<IDirectConversationStore>(sp => sp.GetRequiredService<InMemoryDirectConversationStore>());
        builder.Services.AddSingleton(sp => new RecordingScheduler(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new PagingService(
            sp.GetRequiredService<InMemoryIncidentStore>(),
            sp.GetRequiredService<RecordingScheduler>(),
            sp.GetServices<IChatPlatform>(),
            new OnCallResolver(new InMemoryOverrides()),
            sp.GetRequiredService<IOnCallModelProvider>(),
            sp.GetRequiredService<TimeProvider>(),
            new PagingOptions(),
            sp.GetRequiredService<Outbox>()));
        var app = builder.Build();
        app.MapSlack();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SlackPagingHost(app, slack, time, new HttpClient { BaseAddress = new Uri(address) }, logs);
    }

    /// <summary>Runs every escalation step due now, as the scheduler's job would.</summary>
    public async Task<IReadOnlyList<WakeUp>> FireDueAsync()
    {
        var fired = await Scheduler.FireDueAsync(Paging);
        await DeliverAsync();
        return fired;
    }

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


    public string NextTriggerId() => _requests.NextTriggerId();

    /// <summary>Sends a slash command shaped like Slack's (the shared fixture's fields), signed, and returns Slack's view of the answer.</summary>
    public Task<CommandReply> CommandAsync(string command, string text, string userId = PagingModel.OliverSlack, string? userName = "oliver", string? triggerId = null, int? retryNum = null, bool withoutTriggerId = false) =>
        _requests.CommandAsync(command, text, userId, userName, "C0INCIDENTS", "incidents", triggerId, retryNum, withoutTriggerId);

    /// <summary>Clicks a button as <paramref name="userId"/>: a signed <c>block_actions</c> shaped like Slack's.</summary>
    public Task<string> ClickAsync(string actionId, long incidentNumber, string userId, string channelId = "D0PAGE", string messageTs = "1503435956.000001", bool ephemeral = false, string responseUrlId = "click", int actionCount = 1, string? triggerId = null) =>
        _requests.ClickAsync(actionId, incidentNumber, userId, channelId, "directmessage", messageTs, ephemeral, "actions", responseUrlId, actionCount, triggerId);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Slack.DisposeAsync();
    }
}
