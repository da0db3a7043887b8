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
using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.Slack.Inbound;
using OnCallBot.Slack.Paging;
using OnCallBot.Slack.Tests.Fakes;
using OnCallBot.TestKit;
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
    private int _triggers;

    private SlackPagingHost(WebApplication app, FakeSlackServer slack, FakeTimeProvider time, HttpClient client, ListLoggerProvider logs)
    {
        _app = app;
        Slack = slack;
        Time = time;
        Client = client;
        Logs = logs;
    }

    public FakeSlackServer Slack { get; }

    public FakeTimeProvider Time { get; }

    public HttpClient Client { get; }

    public ListLoggerProvider Logs { get; }

    public InMemoryIncidentStore Store => _app.Services.GetRequiredService<InMemoryIncidentStore>();

    public RecordingScheduler Scheduler => _app.Services.GetRequiredService<RecordingScheduler>();

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
        builder.Services.AddSlack();
        builder.Services.AddSingleton<IOnCallModelProvider>(new FixedModel(PagingModel.Build()));
        builder.Services.AddSingleton<InMemoryIncidentStore>();
        builder.Services.AddSingleton(sp => new RecordingScheduler(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new PagingService(
            sp.GetRequiredService<InMemoryIncidentStore>(),
            sp.GetRequiredService<RecordingScheduler>(),
            sp.GetServices<IChatPlatform>(),
            new OnCallResolver(new NoOverrides()),
            sp.GetRequiredService<IOnCallModelProvider>(),
            sp.GetRequiredService<TimeProvider>(),
            new PagingOptions()));
        var app = builder.Build();
        app.MapSlack();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SlackPagingHost(app, slack, time, new HttpClient { BaseAddress = new Uri(address) }, logs);
    }

    /// <summary>Runs every escalation step due now, as the scheduler's job would.</summary>
    public Task<IReadOnlyList<WakeUp>> FireDueAsync() => Scheduler.FireDueAsync(Paging);

    /// <summary>Waits until every click handed to the background has been carried out.</summary>
    public Task WhenIdleAsync() => _app.Services.GetRequiredService<SlackBackgroundWork>().WhenIdleAsync();

    public string NextTriggerId() => string.Create(CultureInfo.InvariantCulture, $"{Interlocked.Increment(ref _triggers)}.4744562912.803a0bc887a14d10");

    /// <summary>Sends a slash command shaped like Slack's (the shared fixture's fields), signed, and returns Slack's view of the answer.</summary>
    public async Task<CommandReply> CommandAsync(string command, string text, string userId = PagingModel.OliverSlack, string? userName = "oliver", string? triggerId = null, int? retryNum = null)
    {
        var fields = SlackPayloads.CommandFields();
        fields["team_id"] = TeamId;
        fields["channel_id"] = "C0INCIDENTS";
        fields["channel_name"] = "incidents";
        fields["user_id"] = userId;
        fields["user_name"] = userName ?? string.Empty;
        fields["command"] = command;
        fields["text"] = text;
        fields["trigger_id"] = triggerId ?? NextTriggerId();
        fields["response_url"] = Slack.ResponseUrl("command-" + fields["trigger_id"]).ToString();
        fields.Remove("enterprise_id");
        fields.Remove("enterprise_name");
        var body = string.Join('&', fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"));
        using var response = await PostSignedAsync("/slack/commands", body, retryNum);
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

    /// <summary>Clicks a button as <paramref name="userId"/>: a signed <c>block_actions</c> shaped like Slack's.</summary>
    public async Task<string> ClickAsync(string actionId, long incidentNumber, string userId, string channelId = "D0PAGE", string messageTs = "1503435956.000001", bool ephemeral = false, string responseUrlId = "click")
    {
        var payload = SlackPayloads.BlockAction();
        payload["user"] = new JsonObject { ["id"] = userId, ["username"] = userId.ToLowerInvariant(), ["name"] = userId.ToLowerInvariant(), ["team_id"] = TeamId };
        payload["team"] = new JsonObject { ["id"] = TeamId, ["domain"] = "example" };
        payload["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = messageTs, ["channel_id"] = channelId, ["is_ephemeral"] = ephemeral };
        payload["channel"] = new JsonObject { ["id"] = channelId, ["name"] = "directmessage" };
        payload["response_url"] = Slack.ResponseUrl(responseUrlId).ToString();
        var action = payload["actions"]![0]!.AsObject();
        action["action_id"] = actionId;
        action["value"] = incidentNumber.ToString(CultureInfo.InvariantCulture);
        action["block_id"] = "actions";
        using var response = await PostSignedAsync("/slack/interactions", "payload=" + Uri.EscapeDataString(payload.ToJsonString()), null);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private Task<HttpResponseMessage> PostSignedAsync(string path, string body, int? retryNum)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var timestamp = Time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded");
        request.Headers.Add(SlackRequestVerifier.TimestampHeader, timestamp);
        request.Headers.Add(SlackRequestVerifier.SignatureHeader, SlackRequestVerifier.ComputeSignature(SlackTestHost.SigningSecret, timestamp, bytes));
        if (retryNum is { } retry)
        {
            request.Headers.Add("X-Slack-Retry-Num", retry.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add("X-Slack-Retry-Reason", "http_timeout");
        }
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

/// <summary>What Slack would show for a command's answer.</summary>
internal sealed record CommandReply(string ResponseType, string Text, JsonArray? Blocks)
{
    public bool IsEphemeral => ResponseType == "ephemeral";
}

/// <summary>
/// Request bodies in the shape Slack sends, from the shared fixtures when they are beside the clone, else from the
/// same fields written here (so these tests run either way).
/// </summary>
internal static class SlackPayloads
{
    public static Dictionary<string, string> CommandFields()
    {
        var body = SharedFixtures.Directory is null
            ? "token=verification_token&team_id=T111&team_domain=test-domain&channel_id=C111&channel_name=random&user_id=W111&user_name=primary-owner" +
              "&command=%2Fhello-world&text=Hi&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT111%2F111%2Fxxxxx&trigger_id=111.111.xxx"
            : SharedFixtures.ReadText("slack/payloads/slash_commands/slash_command_body.bolt-python.txt").Trim();
        return new FormReader(body).ReadForm().ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
    }

    public static JsonObject BlockAction()
    {
        var json = SharedFixtures.Directory is null
            ? """
              {"type":"block_actions","user":{"id":"W111"},"api_app_id":"A111","container":{"type":"message","message_ts":"111.222","channel_id":"C111","is_ephemeral":false},
               "trigger_id":"111.222.valid","team":{"id":"T111"},"channel":{"id":"C111"},"response_url":"https://hooks.slack.com/actions/T111/111/random-value",
               "actions":[{"action_id":"a","block_id":"b","text":{"type":"plain_text","text":"Button","emoji":true},"value":"click_me_123","type":"button","action_ts":"1596530385.194939"}]}
              """
            : SharedFixtures.ReadText("slack/payloads/interactivity/block_actions_button.bolt-python.json");
        return JsonNode.Parse(json)!.AsObject();
    }
}
