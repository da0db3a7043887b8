using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OnCallBot.Core.Ports;
using OnCallBot.Slack.Inbound;
using OnCallBot.Slack.SocketMode;
using OnCallBot.Slack.Tests.Fakes;
using OnCallBot.TestKit;
using OnCallBot.TestKit.Inbound;
using OnCallBot.TestKit.Slack;

namespace OnCallBot.Slack.Tests;

public sealed class SlackSocketModeClientTests : IAsyncLifetime
{
    private readonly SignalingTimeProvider _time = new(new FakeTimeProvider());
    private readonly RecordingInboundHandler _handler = new();
    private readonly ListLoggerProvider _logs = new();
    private readonly InMemoryInboundRequestStore _requests = new();
    private FakeSlackServer _slack = null!;
    private ServiceProvider _services = null!;
    private SlackSocketModeClient _client = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlackServer.StartAsync();
        var collection = new ServiceCollection();
        collection.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Slack:BotToken"] = FakeSlackServer.BotToken,
                ["Slack:AppToken"] = FakeSlackServer.AppToken,
                ["Slack:ApiBaseUrl"] = _slack.ApiBaseUrl.ToString(),
            }).Build());
        collection.AddSingleton<TimeProvider>(_time);
        collection.AddSingleton<ISlackInboundHandler>(_handler);
        collection.AddLogging(logging => logging.AddProvider(_logs));
        collection.AddSingleton<IInboundRequestStore>(_requests);
        collection.AddSlack();
        _services = collection.BuildServiceProvider();
        _client = _services.GetRequiredService<SlackSocketModeClient>();
        await _client.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _client.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
        await _slack.DisposeAsync();
    }

    private static string Fixture(string name) => SharedFixtures.ReadText("slack/payloads/socket_mode/" + name);

    private async Task<FakeSocketConnection> NextConnectionAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _slack.SocketConnections.ReadAsync(cts.Token);
    }

    private async Task<FakeSocketConnection> ConnectedAsync()
    {
        var connection = await NextConnectionAsync();
        // Slack's own hello when the shared fixtures are here; otherwise ours, written from the documented shape.
        await connection.SendAsync(SharedFixtures.Directory is null
            ? """{"type":"hello","num_connections":1,"debug_info":{"host":"applink-test","approximate_connection_time":18060},"connection_info":{"app_id":"A0001"}}"""
            : Fixture("hello.json"));
        return connection;
    }

    [SharedFixtureFact]
    public async Task Start_OpensConnectionWithAppToken_AndDispatchesEventsApiEnvelopeThenAcksByEnvelopeId()
    {
        var connection = await ConnectedAsync();

        await connection.SendAsync(Fixture("envelope_events_api_app_mention.json"));
        var ack = JsonDocument.Parse((await connection.ReceiveAsync())!).RootElement;

        Assert.Equal(FakeSlackServer.AppToken, Assert.Single(_slack.CallsTo("apps.connections.open")).Token);
        Assert.Equal("cda4159a-72a5-4744-aba3-4d66eb52682b", ack.GetProperty("envelope_id").GetString());
        Assert.False(ack.TryGetProperty("payload", out _));
        var slackEvent = Assert.Single(_handler.Events);
        Assert.Equal(("Ev111", "app_mention", "T111"), (slackEvent.EventId, slackEvent.Type, slackEvent.TeamId));
        Assert.Equal(SlackRetryInfo.None, slackEvent.Retry);
    }

    [SharedFixtureFact]
    public async Task SlashCommandEnvelope_AcceptsResponsePayload_AckCarriesHandlersAnswer()
    {
        _handler.CommandResponse = c => SlackInboundResponse.Ephemeral($"Thanks, {c.UserName}!");
        var connection = await ConnectedAsync();

        await connection.SendAsync(Fixture("envelope_slash_commands.json"));
        var ack = JsonDocument.Parse((await connection.ReceiveAsync())!).RootElement;

        Assert.Equal("1d3c79ab-0ffb-41f3-a080-d19e85f53649", ack.GetProperty("envelope_id").GetString());
        Assert.Equal("Thanks, testxyz!", ack.GetProperty("payload").GetProperty("text").GetString());
        Assert.Equal("ephemeral", ack.GetProperty("payload").GetProperty("response_type").GetString());
        var command = Assert.Single(_handler.Commands);
        Assert.Equal(("/hello-socket-mode", "U111", "C111", "T111"), (command.Command, command.UserId, command.ChannelId, command.TeamId));
    }

    [SharedFixtureFact]
    public async Task InteractiveEnvelopes_BlockActionsAndShortcut_DispatchedAndAcked()
    {
        var connection = await ConnectedAsync();

        await connection.SendAsync(Fixture("envelope_interactive_block_actions_static_select_large.json"));
        var first = JsonDocument.Parse((await connection.ReceiveAsync())!).RootElement;
        await connection.SendAsync(Fixture("envelope_interactive_shortcut.json"));
        var second = JsonDocument.Parse((await connection.ReceiveAsync())!).RootElement;

        Assert.Equal("dfb98ec6-45a8-4200-98af-7d05fb6fb44f", first.GetProperty("envelope_id").GetString());
        Assert.Equal("57d6a792-4d35-4d0b-b6aa-3361493e1caf", second.GetProperty("envelope_id").GetString());
        var interactions = _handler.Interactions.ToArray();
        Assert.Equal("block_actions", interactions[0].Type);
        Assert.Equal("view", interactions[0].Container?.Type);
        Assert.Equal("V1234567890", interactions[0].Container?.ViewId);
        var action = Assert.Single(interactions[0].Actions);
        Assert.Equal(("a", "block", "static_select"), (action.ActionId, action.BlockId, action.Type));
        Assert.StartsWith("aaaa", action.Value, StringComparison.Ordinal);
        Assert.Equal(("shortcut", "do-something", "U111"), (interactions[1].Type, interactions[1].CallbackId, interactions[1].UserId));
    }

    [Fact]
    public async Task EventsEnvelope_RetryAttempt_PassedToHandler()
    {
        var connection = await ConnectedAsync();

        await connection.SendAsync("""
            {"envelope_id":"e-1","type":"events_api","accepts_response_payload":false,"retry_attempt":2,"retry_reason":"timeout",
             "payload":{"type":"event_callback","event_id":"Ev42","team_id":"T1","event":{"type":"app_mention","text":"hi"}}}
            """);
        await connection.ReceiveAsync();

        Assert.Equal(new SlackRetryInfo(2, "timeout"), Assert.Single(_handler.Events).Retry);
    }

    private const string GoodEnvelope =
        """{"envelope_id":"e-good","type":"events_api","accepts_response_payload":false,"payload":{"type":"event_callback","event_id":"Ev7","event":{"type":"app_mention"}}}""";

    private static string CommandEnvelope(string envelopeId, string? triggerId)
    {
        var payload = new JsonObject { ["command"] = "/incident", ["text"] = "note rolled back", ["user_id"] = "U1", ["channel_id"] = "C1", ["team_id"] = "T1" };
        if (triggerId is not null)
        {
            payload["trigger_id"] = triggerId;
        }
        return new JsonObject
        {
            ["envelope_id"] = envelopeId,
            ["type"] = "slash_commands",
            ["accepts_response_payload"] = true,
            ["payload"] = payload,
        }.ToJsonString();
    }

    [Fact]
    public async Task SlashCommandEnvelope_SameCommandRedeliveredInANewEnvelope_HandlerOnceAndTheAckSaysItWasNotRunAgain()
    {
        _handler.CommandResponse = _ => SlackInboundResponse.Ephemeral("Noted.");
        var connection = await ConnectedAsync();

        await connection.SendAsync(CommandEnvelope("e-1", "111.222.abc"));
        var first = JsonDocument.Parse((await connection.ReceiveAsync())!).RootElement;
        await connection.SendAsync(CommandEnvelope("e-2", "111.222.abc"));
        var second = JsonDocument.Parse((await connection.ReceiveAsync())!).RootElement;

        Assert.Single(_handler.Commands);
        Assert.Equal("Noted.", first.GetProperty("payload").GetProperty("text").GetString());
        Assert.Equal("e-2", second.GetProperty("envelope_id").GetString());
        Assert.Equal("OnCallBot already received this command, so it was not run again.", second.GetProperty("payload").GetProperty("text").GetString());
    }

    [Fact]
    public async Task SlashCommandEnvelope_WithoutTriggerIdSameEnvelopeTwice_HandlerOnceAndBothAcked()
    {
        var connection = await ConnectedAsync();

        await connection.SendAsync(CommandEnvelope("e-7", triggerId: null));
        await connection.ReceiveAsync();
        await connection.SendAsync(CommandEnvelope("e-7", triggerId: null));
        var second = JsonDocument.Parse((await connection.ReceiveAsync())!).RootElement;
        await connection.SendAsync(CommandEnvelope("e-8", triggerId: null));
        await connection.ReceiveAsync();

        Assert.Equal("e-7", second.GetProperty("envelope_id").GetString());
        Assert.Equal(2, _handler.Commands.Count);
        Assert.Contains("slack:envelope:e-7", _requests.Keys);
    }

    [Fact]
    public async Task Envelope_PayloadStringNotText_AckedWithOneWarningAndTheConnectionKeepsServing()
    {
        var connection = await ConnectedAsync();

        // Valid UTF-8 on the wire (the WebSocket checks that), but "\ud800" is an escaped lone surrogate: no string.
        await connection.SendAsync("""
            {"envelope_id":"e-bad","type":"slash_commands","accepts_response_payload":true,
             "payload":{"command":"/page","text":"db \ud800","user_id":"U1","channel_id":"C1","team_id":"T1"}}
            """);
        var ack = JsonDocument.Parse((await connection.ReceiveAsync())!).RootElement;
        await connection.SendAsync(GoodEnvelope);
        var next = JsonDocument.Parse((await connection.ReceiveAsync())!).RootElement;

        Assert.Equal("""{"envelope_id":"e-bad"}""", ack.GetRawText());
        Assert.Equal("e-good", next.GetProperty("envelope_id").GetString());
        Assert.Empty(_handler.Commands);
        Assert.Single(_handler.Events);
        Assert.Single(_slack.CallsTo("apps.connections.open"));
        var line = Assert.Single(_logs.Lines, l => l.Level >= LogLevel.Warning);
        Assert.Equal((LogLevel.Warning, "Slack Socket Mode connection 1 got an unusable message: The Socket Mode message is not valid UTF-8."), (line.Level, line.Message));
    }

    [Fact]
    public async Task Message_TypeNotText_IgnoredWithOneWarningAndTheConnectionKeepsServing()
    {
        var connection = await ConnectedAsync();

        await connection.SendAsync("""{"type":"\udc00"}""");
        await connection.SendAsync(GoodEnvelope);
        var next = JsonDocument.Parse((await connection.ReceiveAsync())!).RootElement;

        Assert.Equal("e-good", next.GetProperty("envelope_id").GetString());
        Assert.Single(_handler.Events);
        Assert.Single(_slack.CallsTo("apps.connections.open"));
        Assert.Equal(LogLevel.Warning, Assert.Single(_logs.Lines, l => l.Level >= LogLevel.Warning).Level);
    }

    [SharedFixtureFact]
    public async Task Disconnect_RefreshRequested_OpensNewConnectionThenClosesTheOld()
    {
        var old = await ConnectedAsync();

        await old.SendAsync("""{"type":"disconnect","reason":"refresh_requested","debug_info":{"host":"applink-1"}}""");
        var replacement = await NextConnectionAsync();
        Assert.False(old.Closed.IsCompleted);
        await replacement.SendAsync(Fixture("hello.json"));
        await old.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        await replacement.SendAsync(Fixture("envelope_events_api_message.json"));
        var ack = JsonDocument.Parse((await replacement.ReceiveAsync())!).RootElement;

        Assert.Equal(2, _slack.CallsTo("apps.connections.open").Count);
        Assert.Equal("ac2cfd40-6f8c-4d5e-a1ad-646e532baa19", ack.GetProperty("envelope_id").GetString());
        Assert.Equal("message", Assert.Single(_handler.Events).Type);
    }

    [SharedFixtureFact]
    public async Task Disconnect_TooManyWebsockets_Reconnects()
    {
        var old = await ConnectedAsync();

        await old.SendAsync(Fixture("disconnect_too_many_websockets.json"));
        var replacement = await NextConnectionAsync();

        Assert.NotSame(old, replacement);
        Assert.Equal(2, _slack.CallsTo("apps.connections.open").Count);
    }

    [Fact]
    public async Task ServerDrop_ReconnectsAfterJitteredBackoffOnTheInjectedClock()
    {
        var first = await ConnectedAsync();
        await first.SendAsync("""{"envelope_id":"e-0","type":"events_api","accepts_response_payload":false,"payload":{"type":"event_callback","event_id":"Ev0","event":{"type":"app_mention"}}}""");
        await first.ReceiveAsync();

        first.Drop();
        var delay = await _time.NextTimerAsync();

        Assert.InRange(delay, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1));
        Assert.Single(_slack.CallsTo("apps.connections.open"));
        _time.Inner.Advance(delay);
        var second = await NextConnectionAsync();
        Assert.Equal(2, _slack.CallsTo("apps.connections.open").Count);

        // Dropped again before hello: the next wait doubles.
        second.Drop();
        var longer = await _time.NextTimerAsync();
        Assert.InRange(longer, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
    }

    [Theory]
    [InlineData(0, 0.0, 0.5)]
    [InlineData(0, 1.0, 1)]
    [InlineData(1, 1.0, 2)]
    [InlineData(3, 1.0, 8)]
    [InlineData(5, 1.0, 30)]
    [InlineData(40, 0.0, 15)]
    [InlineData(40, 1.0, 30)]
    public void Backoff_DoublesFromOneSecondCappedAtThirty(int failures, double jitter, double expectedSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), SlackSocketModeClient.Backoff(failures, jitter));
    }
}
