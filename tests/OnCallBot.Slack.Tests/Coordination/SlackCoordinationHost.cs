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
using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.Slack.Inbound;
using OnCallBot.Slack.Paging;
using OnCallBot.Slack.Tests.Fakes;
using OnCallBot.Slack.Tests.Paging;
using OnCallBot.TestKit;
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
    private int _triggers;

    private SlackCoordinationHost(WebApplication app, FakeSlackServer slack, FakeTimeProvider time, HttpClient client)
    {
        _app = app;
        Slack = slack;
        Time = time;
        Client = client;
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
        builder.Services.AddSlack();
        builder.Services.AddSingleton<IOnCallModelProvider>(new FixedModel(CoordinationModel.Build()));
        builder.Services.AddSingleton<InMemoryIncidentStore>();
        builder.Services.AddSingleton(sp => new InMemoryCoordinationStore(sp.GetRequiredService<InMemoryIncidentStore>()));
        builder.Services.AddSingleton(sp => new RecordingScheduler(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new RecordingCoordinationScheduler(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new CoordinationService(
            sp.GetRequiredService<InMemoryCoordinationStore>(),
            sp.GetRequiredService<InMemoryIncidentStore>(),
            sp.GetRequiredService<RecordingCoordinationScheduler>(),
            sp.GetServices<IIncidentChannels>(),
            new OnCallResolver(new NoOverrides()),
            sp.GetRequiredService<IOnCallModelProvider>(),
            sp.GetRequiredService<TimeProvider>(),
            options));
        builder.Services.AddSingleton(sp => new PagingService(
            sp.GetRequiredService<InMemoryIncidentStore>(),
            sp.GetRequiredService<RecordingScheduler>(),
            sp.GetServices<IChatPlatform>(),
            new OnCallResolver(new NoOverrides()),
            sp.GetRequiredService<IOnCallModelProvider>(),
            sp.GetRequiredService<TimeProvider>(),
            new PagingOptions(),
            [sp.GetRequiredService<CoordinationService>()]));
        var app = builder.Build();
        app.MapSlack();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SlackCoordinationHost(app, slack, time, new HttpClient { BaseAddress = new Uri(address) });
    }

    /// <summary>Runs every escalation step due now, as the scheduler's job would.</summary>
    public Task<IReadOnlyList<WakeUp>> FireDueAsync() => Scheduler.FireDueAsync(Paging);

    /// <summary>Runs the waiting open-channels jobs, as the coordination scheduler's job would.</summary>
    public Task<IReadOnlyList<long>> OpenChannelsAsync() => CoordinationScheduler.RunOpenChannelsAsync(Coordination);

    /// <summary>Waits until every click handed to the background has been carried out.</summary>
    public Task WhenIdleAsync() => _app.Services.GetRequiredService<SlackBackgroundWork>().WhenIdleAsync();

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

    /// <summary>A slash command shaped like Slack's, typed in <paramref name="channelId"/>; returns Slack's view of the answer.</summary>
    public async Task<CommandReply> CommandAsync(string command, string text, string userId = CoordinationModel.OliverSlack, string? userName = "oliver", string channelId = GeneralChannel)
    {
        var fields = SlackPayloads.CommandFields();
        fields["team_id"] = TeamId;
        fields["channel_id"] = channelId;
        fields["channel_name"] = channelId == GeneralChannel ? "general" : "incident";
        fields["user_id"] = userId;
        fields["user_name"] = userName ?? string.Empty;
        fields["command"] = command;
        fields["text"] = text;
        fields["trigger_id"] = string.Create(CultureInfo.InvariantCulture, $"{Interlocked.Increment(ref _triggers)}.4744562912.803a0bc887a14d10");
        fields["response_url"] = Slack.ResponseUrl("command-" + fields["trigger_id"]).ToString();
        fields.Remove("enterprise_id");
        fields.Remove("enterprise_name");
        var body = string.Join('&', fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"));
        using var response = await PostSignedAsync("/slack/commands", body);
        response.EnsureSuccessStatusCode();
        var json = await response.Content.ReadAsStringAsync();
        Assert.False(string.IsNullOrEmpty(json), $"{command} {text} was answered with an empty body");
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        return new CommandReply(
            root.GetProperty("response_type").GetString()!,
            root.GetProperty("text").GetString()!,
            root.TryGetProperty("blocks", out var blocks) ? JsonNode.Parse(blocks.GetRawText())!.AsArray() : null);
    }

    /// <summary>Clicks a button on a message in <paramref name="channelId"/> as <paramref name="userId"/>: a signed <c>block_actions</c>.</summary>
    public async Task<string> ClickAsync(string actionId, long incidentNumber, string userId, string channelId, string messageTs, string responseUrlId = "click")
    {
        var payload = SlackPayloads.BlockAction();
        payload["user"] = new JsonObject { ["id"] = userId, ["username"] = userId.ToLowerInvariant(), ["name"] = userId.ToLowerInvariant(), ["team_id"] = TeamId };
        payload["team"] = new JsonObject { ["id"] = TeamId, ["domain"] = "example" };
        payload["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = messageTs, ["channel_id"] = channelId, ["is_ephemeral"] = false };
        payload["channel"] = new JsonObject { ["id"] = channelId, ["name"] = "incident" };
        payload["response_url"] = Slack.ResponseUrl(responseUrlId).ToString();
        var action = payload["actions"]![0]!.AsObject();
        action["action_id"] = actionId;
        action["value"] = incidentNumber.ToString(CultureInfo.InvariantCulture);
        action["block_id"] = "oncallbot.roles";
        using var response = await PostSignedAsync("/slack/interactions", "payload=" + Uri.EscapeDataString(payload.ToJsonString()));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private Task<HttpResponseMessage> PostSignedAsync(string path, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var timestamp = Time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded");
        request.Headers.Add(SlackRequestVerifier.TimestampHeader, timestamp);
        request.Headers.Add(SlackRequestVerifier.SignatureHeader, SlackRequestVerifier.ComputeSignature(SlackTestHost.SigningSecret, timestamp, bytes));
        return Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Slack.DisposeAsync();
    }

    private sealed class FixedModel(OnCallModel model) : IOnCallModelProvider
    {
        public OnCallModel Current => model;
    }

    private sealed class NoOverrides : IOverrideSource
    {
        public Task<IReadOnlyList<ScheduleOverride>> GetOverridesAsync(string scheduleId, Interval window, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ScheduleOverride>>([]);
    }
}
