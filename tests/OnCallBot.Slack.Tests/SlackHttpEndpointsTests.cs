using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OnCallBot.Slack.Tests.Fakes;
using OnCallBot.TestKit;
using OnCallBot.TestKit.Inbound;
using OnCallBot.TestKit.Slack;

namespace OnCallBot.Slack.Tests;

public sealed class SlackHttpEndpointsTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
    private SlackTestHost _host = null!;

    private RecordingInboundHandler Handler => _host.Handler!;

    public async Task InitializeAsync() => _host = await SlackTestHost.StartAsync(_time, SlackTestHost.HttpConfig());

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static string Fixture(string path) => SharedFixtures.ReadText("slack/payloads/" + path);

    private static string InteractionForm(string json) => "payload=" + Uri.EscapeDataString(json);

    private const string Form = "application/x-www-form-urlencoded";
    private const string Json = "application/json";

    [SharedFixtureFact]
    public async Task Commands_SignedSlashCommandFromSlack_ReachesHandlerWithEveryField()
    {
        var body = Fixture("slash_commands/slash_command_body.bolt-python.txt").Trim();

        using var response = await _host.PostSignedAsync("/slack/commands", body, Form, _time.GetUtcNow());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var command = Assert.Single(Handler.Commands);
        Assert.Equal("/hello-world", command.Command);
        Assert.Equal("Hi", command.Text);
        Assert.Equal("W111", command.UserId);
        Assert.Equal("primary-owner", command.UserName);
        Assert.Equal("C111", command.ChannelId);
        Assert.Equal("random", command.ChannelName);
        Assert.Equal("T111", command.TeamId);
        Assert.Equal("E111", command.EnterpriseId);
        Assert.Equal(new Uri("https://hooks.slack.com/commands/T111/111/xxxxx"), command.ResponseUrl);
        Assert.Equal("111.111.xxx", command.TriggerId);
        Assert.False(command.Retry.IsRetry);
    }

    [SharedFixtureFact]
    public async Task Commands_HandlerAnswersEphemeral_SlackGetsEphemeralJson()
    {
        Handler.CommandResponse = c => Inbound.SlackInboundResponse.Ephemeral($"Paging for {c.Text}");
        var body = Fixture("slash_commands/slash_command_body.bolt-python.txt").Trim();

        using var response = await _host.PostSignedAsync("/slack/commands", body, Form, _time.GetUtcNow());

        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ephemeral", json.RootElement.GetProperty("response_type").GetString());
        Assert.Equal("Paging for Hi", json.RootElement.GetProperty("text").GetString());
    }

    [SharedFixtureFact]
    public async Task Commands_HandlerAnswersInChannelWithBlocks_SlackGetsThem()
    {
        var blocks = JsonDocument.Parse("""[{"type":"section","text":{"type":"mrkdwn","text":"*Paged*"}}]""").RootElement;
        Handler.CommandResponse = _ => Inbound.SlackInboundResponse.InChannel("Paged", blocks);

        using var response = await _host.PostSignedAsync("/slack/commands", Fixture("slash_commands/slash_command_body.bolt-python.txt").Trim(), Form, _time.GetUtcNow());

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("in_channel", json.RootElement.GetProperty("response_type").GetString());
        Assert.Equal("*Paged*", json.RootElement.GetProperty("blocks")[0].GetProperty("text").GetProperty("text").GetString());
    }

    [SharedFixtureFact]
    public async Task Interactions_SignedBlockActions_ReachHandlerWithActionMessageAndChannel()
    {
        var payload = Fixture("interactivity/block_actions_button_with_message.bolt-python.json");

        using var response = await _host.PostSignedAsync("/slack/interactions", InteractionForm(payload), Form, _time.GetUtcNow());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        var interaction = Assert.Single(Handler.Interactions);
        Assert.Equal("block_actions", interaction.Type);
        Assert.Equal("U111", interaction.UserId);
        Assert.Equal("T0G9PQBBK", interaction.TeamId);
        Assert.Equal("C111", interaction.ChannelId);
        Assert.Equal("1678252213.679169", interaction.MessageTs);
        Assert.Equal("message", interaction.Container?.Type);
        Assert.Equal("4916855695380.xxx.yyy", interaction.TriggerId);
        Assert.Equal(new Uri("http://localhost:8888/webhook"), interaction.ResponseUrl);
        var action = Assert.Single(interaction.Actions);
        Assert.Equal(("button", "8KR", "clicked", "button"), (action.ActionId, action.BlockId, action.Value, action.Type));
        Assert.Equal("This is a section block with a button.", interaction.Raw.GetProperty("message").GetProperty("text").GetString());
    }

    [SharedFixtureFact]
    public async Task Events_UrlVerification_AnswersTheChallenge()
    {
        using var response = await _host.PostSignedAsync("/slack/events", Fixture("events/url_verification.bolt-python.json"), Json, _time.GetUtcNow());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", json.RootElement.GetProperty("challenge").GetString());
        Assert.Equal(0, Handler.TotalCalls);
    }

    [SharedFixtureFact]
    public async Task Events_EventCallback_ReachesHandlerWithInnerEvent()
    {
        using var response = await _host.PostSignedAsync("/slack/events", Fixture("events/event_callback_app_mention.bolt-python.json"), Json, _time.GetUtcNow());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var slackEvent = Assert.Single(Handler.Events);
        Assert.Equal("Ev111", slackEvent.EventId);
        Assert.Equal("app_mention", slackEvent.Type);
        Assert.Equal("T111", slackEvent.TeamId);
        Assert.Equal("A111", slackEvent.ApiAppId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1595926230), slackEvent.EventTime);
        Assert.Equal("<@W111> Hi there!", slackEvent.Event.GetProperty("text").GetString());
    }

    [SharedFixtureFact]
    public async Task Events_SameEventIdRedelivered_HandlerCalledOnceAndBothAcknowledged()
    {
        var body = Fixture("events/event_callback_app_mention.bolt-python.json");

        using var first = await _host.PostSignedAsync("/slack/events", body, Json, _time.GetUtcNow());
        using var retry = await _host.PostSignedAsync("/slack/events", body, Json, _time.GetUtcNow(), tweak: r =>
        {
            r.Headers.Add("X-Slack-Retry-Num", "1");
            r.Headers.Add("X-Slack-Retry-Reason", "http_timeout");
        });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Single(Handler.Events);
    }

    [SharedFixtureFact]
    public async Task Commands_RetryHeaders_PassedToHandler()
    {
        using var response = await _host.PostSignedAsync("/slack/commands", Fixture("slash_commands/slash_command_body.bolt-python.txt").Trim(), Form, _time.GetUtcNow(), tweak: r =>
        {
            r.Headers.Add("X-Slack-Retry-Num", "2");
            r.Headers.Add("X-Slack-Retry-Reason", "http_timeout");
        });

        var command = Assert.Single(Handler.Commands);
        Assert.Equal(new Inbound.SlackRetryInfo(2, "http_timeout"), command.Retry);
        Assert.True(command.Retry.IsRetry);
    }

    [SharedFixtureFact]
    public async Task Events_RetryHeadersOnFirstSeenEvent_PassedToHandler()
    {
        using var response = await _host.PostSignedAsync("/slack/events", Fixture("events/event_callback_member_joined_channel.bolt-python.json"), Json, _time.GetUtcNow(), tweak: r =>
        {
            r.Headers.Add("X-Slack-Retry-Num", "1");
            r.Headers.Add("X-Slack-Retry-Reason", "http_error");
        });

        var slackEvent = Assert.Single(Handler.Events);
        Assert.Equal("member_joined_channel", slackEvent.Type);
        Assert.Equal(new Inbound.SlackRetryInfo(1, "http_error"), slackEvent.Retry);
    }

    [Theory]
    [InlineData("/slack/commands")]
    [InlineData("/slack/interactions")]
    [InlineData("/slack/events")]
    public async Task AnyEndpoint_UnsignedRequest_401AndHandlerNotCalled(string path)
    {
        using var response = await _host.Client.PostAsync(path, new StringContent("{\"type\":\"event_callback\"}"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Slack request verification failed.", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, Handler.TotalCalls);
        Assert.Contains(_host.Logs.Lines, l => l.Message.Contains("MissingTimestamp", StringComparison.Ordinal));
    }

    [SharedFixtureFact]
    public async Task Commands_SignedWithWrongSecret_401AndHandlerNotCalled()
    {
        using var response = await _host.PostSignedAsync("/slack/commands", Fixture("slash_commands/slash_command_body.bolt-python.txt").Trim(), Form, _time.GetUtcNow(), secret: "not-the-secret");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(Handler.Commands);
        Assert.DoesNotContain(_host.Logs.Lines, l => l.Message.Contains(SlackTestHost.SigningSecret, StringComparison.Ordinal));
    }

    [SharedFixtureFact]
    public async Task Events_SignedSixMinutesAgo_401AsStaleAndHandlerNotCalled()
    {
        using var response = await _host.PostSignedAsync("/slack/events", Fixture("events/event_callback_app_mention.bolt-python.json"), Json, _time.GetUtcNow().AddMinutes(-6));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(Handler.Events);
        Assert.Contains(_host.Logs.Lines, l => l.Message.Contains("StaleTimestamp", StringComparison.Ordinal));
    }

    [SharedFixtureFact]
    public async Task Interactions_BodyChangedAfterSigning_401()
    {
        var payload = Fixture("interactivity/block_actions_button.bolt-python.json");

        using var response = await _host.PostSignedAsync("/slack/interactions", InteractionForm(payload), Form, _time.GetUtcNow(), tweak: r =>
            r.Content = new StringContent(InteractionForm(payload.Replace("click_me_123", "click_me_999", StringComparison.Ordinal)), System.Text.Encoding.UTF8, Form));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(Handler.Interactions);
    }

    [Theory]
    [InlineData("/slack/events", "{not json", "The event payload is not valid JSON.")]
    [InlineData("/slack/events", "{\"type\":\"event_callback\",\"event\":{\"type\":\"app_mention\"}}", "The event_callback has no 'event_id'.")]
    [InlineData("/slack/events", "{\"type\":\"url_verification\"}", "The url_verification request has no 'challenge'.")]
    [InlineData("/slack/interactions", "nopayload=1", "The interaction request has no 'payload' form field.")]
    [InlineData("/slack/interactions", "payload=%7Bbroken", "The interaction payload is not valid JSON.")]
    [InlineData("/slack/interactions", "payload=%7B%22type%22%3A%22block_actions%22%2C%22user%22%3A%7B%22id%22%3A%22U1%22%7D%7D", "A block_actions payload must carry at least one action.")]
    [InlineData("/slack/commands", "command=%2Fpage&team_id=T1&channel_id=C1", "The slash command has no 'user_id'.")]
    public async Task AnyEndpoint_SignedButMalformed_400WithClearMessageAndHandlerNotCalled(string path, string body, string message)
    {
        using var response = await _host.PostSignedAsync(path, body, path == "/slack/events" ? Json : Form, _time.GetUtcNow());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(message, await response.Content.ReadAsStringAsync());
        Assert.Equal(0, Handler.TotalCalls);
    }

    /// <summary>A body in which every <c>~</c> becomes the byte 0xFF (never valid in UTF-8), the rest UTF-8.</summary>
    private static byte[] WithInvalidUtf8(string body) => [.. Encoding.UTF8.GetBytes(body).Select(b => b == (byte)'~' ? (byte)0xFF : b)];

    [Theory]
    // Raw invalid UTF-8 inside a JSON string, in the routing field and in the inner event.
    [InlineData("/slack/events", """{"type":"event_~"}""", "The event payload is not valid UTF-8.")]
    [InlineData("/slack/events", """{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention","text":"hi ~"}}""", "The event payload is not valid UTF-8.")]
    // An escaped lone surrogate is valid JSON text but no string: the same answer.
    [InlineData("/slack/events", """{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention","text":"\ud800"}}""", "The event payload is not valid UTF-8.")]
    // Form bodies: a raw byte, and a percent-escape that decodes to invalid UTF-8.
    [InlineData("/slack/commands", "command=%2Fpage&text=db~&user_id=U1&channel_id=C1&team_id=T1", "The request body is not valid UTF-8.")]
    [InlineData("/slack/commands", "command=%2Fpage&text=db%FF&user_id=U1&channel_id=C1&team_id=T1", "The form field 'text' is not valid UTF-8.")]
    [InlineData("/slack/interactions", "payload=%7B%22type%22%3A%22block_actions%22%2C%22user%22%3A%7B%22id%22%3A%22U%C3%28%22%7D%7D", "The form field 'payload' is not valid UTF-8.")]
    [InlineData("/slack/interactions", "payload=%7B%22type%22%3A%22block_actions%22%2C%22user%22%3A%7B%22id%22%3A%22%5Cudc00%22%7D%7D", "The interaction payload is not valid UTF-8.")]
    public async Task AnyEndpoint_SignedButInvalidUtf8_400AndOneWarningWithoutStack(string path, string body, string message)
    {
        using var response = await _host.PostSignedAsync(path, WithInvalidUtf8(body), path == "/slack/events" ? Json : Form, _time.GetUtcNow());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(message, await response.Content.ReadAsStringAsync());
        Assert.Equal(0, Handler.TotalCalls);
        var line = Assert.Single(_host.Logs.Lines, l => l.Level >= LogLevel.Warning);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Equal($"Malformed Slack payload on {path}: {message}", line.Message);
    }

    private const string NoteCommand = "command=%2Fincident&text=note+rolled+back&user_id=U1&channel_id=C1&team_id=T1&trigger_id=111.222.abc";

    private static string Click(string triggerId) =>
        "payload=" + Uri.EscapeDataString(
            $$"""{"type":"block_actions","user":{"id":"U1"},"team":{"id":"T1"},"trigger_id":"{{triggerId}}","actions":[{"action_id":"oncallbot.ack","value":"1","type":"button"}]}""");

    [Fact]
    public async Task Commands_SameSignedRequestThreeTimes_HandlerOnceAndTheReplaysToldSoEphemerally()
    {
        var signedAt = _time.GetUtcNow();
        Handler.CommandResponse = _ => Inbound.SlackInboundResponse.InChannel("Noted.");

        var answers = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await _host.PostSignedAsync("/slack/commands", NoteCommand, Form, signedAt);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answers.Add(await response.Content.ReadAsStringAsync());
        }

        Assert.Single(Handler.Commands);
        Assert.Equal("""{"response_type":"in_channel","text":"Noted."}""", answers[0]);
        using var replay = JsonDocument.Parse(answers[2]);
        Assert.Equal("ephemeral", replay.RootElement.GetProperty("response_type").GetString());
        Assert.Equal("OnCallBot already received this command, so it was not run again.", replay.RootElement.GetProperty("text").GetString());
        Assert.Contains(_host.Logs.Lines, l => l.Message.StartsWith("Dropped Slack command /incident: already received as slack:trigger:111.222.abc", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Commands_SameTriggerIdSignedAgainLater_StillOnce()
    {
        using var first = await _host.PostSignedAsync("/slack/commands", NoteCommand, Form, _time.GetUtcNow());
        using var again = await _host.PostSignedAsync("/slack/commands", NoteCommand, Form, _time.GetUtcNow().AddSeconds(30));

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Single(Handler.Commands);
    }

    [Fact]
    public async Task Commands_ReplayToAnotherHostOnTheSameStore_Refused()
    {
        using var first = await _host.PostSignedAsync("/slack/commands", NoteCommand, Form, _time.GetUtcNow());
        // A second host (or this one restarted) shares the store, not the memory.
        await using var other = await SlackTestHost.StartAsync(_time, SlackTestHost.HttpConfig(), requests: _host.Services.GetRequiredService<InMemoryInboundRequestStore>());

        using var replay = await other.PostSignedAsync("/slack/commands", NoteCommand, Form, _time.GetUtcNow());

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Single(Handler.Commands);
        Assert.Empty(other.Handler!.Commands);
    }

    [Fact]
    public async Task Commands_SameSignatureAfterTheReplayWindow_RefusedAsStale()
    {
        var signedAt = _time.GetUtcNow();
        using var first = await _host.PostSignedAsync("/slack/commands", NoteCommand, Form, signedAt);
        _time.Advance(TimeSpan.FromMinutes(12));

        // The claim has expired by now; the signature's staleness is what refuses it.
        using var replay = await _host.PostSignedAsync("/slack/commands", NoteCommand, Form, signedAt);

        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Single(Handler.Commands);
    }

    [Fact]
    public async Task Commands_HandlerFailedOnce_TheSameRequestAgainIsHandled()
    {
        var calls = 0;
        Handler.CommandResponse = _ => ++calls == 1 ? throw new InvalidOperationException("store down") : Inbound.SlackInboundResponse.Ephemeral("Noted.");
        var signedAt = _time.GetUtcNow();

        using var failed = await _host.PostSignedAsync("/slack/commands", NoteCommand, Form, signedAt);
        using var again = await _host.PostSignedAsync("/slack/commands", NoteCommand, Form, signedAt);

        Assert.StartsWith("Sorry, the bot failed", await TextOfAsync(failed), StringComparison.Ordinal);
        Assert.Equal("Noted.", await TextOfAsync(again));
        Assert.Equal(2, Handler.Commands.Count);

        static async Task<string?> TextOfAsync(HttpResponseMessage response)
        {
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return json.RootElement.GetProperty("text").GetString();
        }
    }

    [Fact]
    public async Task Interactions_SameClickTwiceAndAnotherClick_HandlerSeesTwoClicksAndEveryAnswerIsAnEmpty200()
    {
        using var first = await _host.PostSignedAsync("/slack/interactions", Click("click.1"), Form, _time.GetUtcNow());
        using var replay = await _host.PostSignedAsync("/slack/interactions", Click("click.1"), Form, _time.GetUtcNow());
        using var other = await _host.PostSignedAsync("/slack/interactions", Click("click.2"), Form, _time.GetUtcNow());

        foreach (var response in new[] { first, replay, other })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(["click.1", "click.2"], Handler.Interactions.Select(i => i.TriggerId));
    }

    [Fact]
    public async Task AnyEndpoint_NoRequestStoreRegistered_503SayingWhatToAdd()
    {
        var time = new FakeTimeProvider();
        await using var host = await SlackTestHost.StartAsync(time, SlackTestHost.HttpConfig(), withRequestStore: false);

        using var response = await host.PostSignedAsync("/slack/commands", NoteCommand, Form, time.GetUtcNow());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("no IInboundRequestStore is registered: add the store (AddOnCallStorage)", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, host.Handler!.TotalCalls);
    }

    [Fact]
    public async Task Events_BodyOverTheLimit_413AndHandlerNotCalled()
    {
        var huge = "{\"type\":\"event_callback\",\"pad\":\"" + new string('x', 1024 * 1024 + 10) + "\"}";

        using var response = await _host.PostSignedAsync("/slack/events", huge, Json, _time.GetUtcNow());

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, Handler.TotalCalls);
    }

    [Fact]
    public async Task Commands_HandlerThrows_UserGetsOneLineEphemeralApology()
    {
        Handler.CommandResponse = _ => throw new InvalidOperationException("database down");

        using var response = await _host.PostSignedAsync("/slack/commands", "command=%2Fpage&text=db&user_id=U1&channel_id=C1&team_id=T1", Form, _time.GetUtcNow());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ephemeral", json.RootElement.GetProperty("response_type").GetString());
        Assert.StartsWith("Sorry, the bot failed", json.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_HandlerThrows_500SoSlackRedeliversAndRedeliveryIsHandled()
    {
        var calls = 0;
        Handler.EventResponse = _ => ++calls == 1 ? throw new InvalidOperationException("store down") : Inbound.SlackInboundResponse.Ack;
        const string body = """{"type":"event_callback","event_id":"Ev999","team_id":"T1","event":{"type":"app_mention","text":"hi"}}""";

        using var first = await _host.PostSignedAsync("/slack/events", body, Json, _time.GetUtcNow());
        using var retry = await _host.PostSignedAsync("/slack/events", body, Json, _time.GetUtcNow(), tweak: r => r.Headers.Add("X-Slack-Retry-Num", "1"));

        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(2, Handler.Events.Count);
    }
}

public sealed class SlackHttpEndpointsWhenOffTests
{
    [Fact]
    public async Task AnyEndpoint_SlackNotConfigured_503WithHowToTurnItOnAndLoggedOnce()
    {
        await using var host = await SlackTestHost.StartAsync(new FakeTimeProvider(), new Dictionary<string, string?>());

        using var response = await host.Client.PostAsync("/slack/commands", new StringContent("command=%2Fpage"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(
            "Slack is off: set Slack:BotToken and Slack:SigningSecret (HTTP) or Slack:AppToken (Socket Mode) to turn it on",
            await response.Content.ReadAsStringAsync());
        Assert.Single(host.Logs.Lines, l => l.Message.StartsWith("Slack is off:", StringComparison.Ordinal));
        Assert.Equal(0, host.Handler!.TotalCalls);
    }

    [Fact]
    public async Task Commands_SlackOnButNoHandlerRegistered_503SayingSo()
    {
        var time = new FakeTimeProvider();
        await using var host = await SlackTestHost.StartAsync(time, SlackTestHost.HttpConfig(), withHandler: false);

        using var response = await host.PostSignedAsync("/slack/commands", "command=%2Fpage&user_id=U1&channel_id=C1&team_id=T1", "application/x-www-form-urlencoded", time.GetUtcNow());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("no ISlackInboundHandler is registered", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commands_SocketModeOnlyWithoutSigningSecret_401FailClosed()
    {
        var time = new FakeTimeProvider();
        await using var host = await SlackTestHost.StartAsync(time, new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = FakeSlackServer.BotToken,
            ["Slack:AppToken"] = FakeSlackServer.AppToken,
            // Socket Mode would try to connect to slack.com; point it at nowhere so the test stays offline.
            ["Slack:ApiBaseUrl"] = "http://127.0.0.1:9/api/",
        });

        using var response = await host.PostSignedAsync("/slack/commands", "command=%2Fpage&user_id=U1&channel_id=C1&team_id=T1", "application/x-www-form-urlencoded", time.GetUtcNow());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, host.Handler!.TotalCalls);
        Assert.Contains(host.Logs.Lines, l => l.Message.Contains("NoSecretConfigured", StringComparison.Ordinal));
    }
}
