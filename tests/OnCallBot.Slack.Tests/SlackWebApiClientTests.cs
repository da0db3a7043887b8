using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OnCallBot.Slack.Tests.Fakes;
using OnCallBot.Slack.WebApi;
using OnCallBot.TestKit;
using OnCallBot.TestKit.Slack;
using Refit;

namespace OnCallBot.Slack.Tests;

public sealed class SlackWebApiClientTests : IAsyncLifetime
{
    private readonly SignalingTimeProvider _time = new(new FakeTimeProvider());
    private FakeSlackServer _slack = null!;
    private ServiceProvider _services = null!;

    private SlackWebApiClient Client => _services.GetRequiredService<SlackWebApiClient>();

    public async Task InitializeAsync()
    {
        _slack = await FakeSlackServer.StartAsync();
        _services = BuildServices(_slack, _time);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _slack.DisposeAsync();
    }

    internal static ServiceProvider BuildServices(FakeSlackServer slack, TimeProvider time, string botToken = FakeSlackServer.BotToken)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = botToken,
            ["Slack:SigningSecret"] = "secret",
            ["Slack:AppToken"] = FakeSlackServer.AppToken,
            ["Slack:ApiBaseUrl"] = slack.ApiBaseUrl.ToString(),
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(time);
        services.AddSlack();
        return services.BuildServiceProvider(validateScopes: true);
    }

    private static JsonElement Blocks => JsonDocument.Parse("""[{"type":"section","text":{"type":"mrkdwn","text":"*SEV1* payments down"}}]""").RootElement;

    [SharedFixtureFact]
    public async Task EveryTypedMethod_AgainstTheSpec_SendsOnlyKnownArgumentsAndAllRequiredOnes()
    {
        Assert.True(_slack.ChecksSpec);
        var client = Client;

        var posted = await client.PostMessageAsync("C0123ABCD", "SEV1 payments down", Blocks, threadTs: null);
        await client.PostMessageAsync("C0123ABCD", "ack'd by Egon", threadTs: posted.Ts);
        await client.UpdateMessageAsync("C0123ABCD", posted.Ts, "SEV1 payments down (acknowledged)", Blocks);
        await client.PostEphemeralAsync("C0123ABCD", "U0123ABCD", "Only you can see this", Blocks, posted.Ts);
        await client.OpenConversationAsync(["U0123ABCD"]);
        var channel = await client.CreateConversationAsync("inc-2026-01-05-payments", isPrivate: false);
        await client.InviteToConversationAsync(channel.Id, ["U0123ABCD", "U0456EFGH"]);
        await client.SetConversationTopicAsync(channel.Id, "SEV1: payments down | IC: Egon");
        await client.AddPinAsync(channel.Id, posted.Ts);
        await client.ArchiveConversationAsync(channel.Id);
        await client.GetUserAsync("W012A3CDE");
        await client.LookupUserByEmailAsync("spengler@ghostbusters.example.com");
        await client.OpenSocketModeConnectionAsync();

        Assert.Empty(_slack.SpecViolations);
        var methods = _slack.Calls.Select(c => c.Method).ToHashSet();
        Assert.Equal(InterfaceMethods().Select(m => m.SlackMethod).Order(), methods.Order());
        Assert.Equal(SlackRateLimiter.MethodTiers.Keys.Order(), methods.Order());
    }

    [SharedFixtureFact]
    public async Task EveryInterfaceMethod_WithEveryArgumentSetAndWithOnlyTheRequiredOnes_ConformsToTheSpec()
    {
        Assert.True(_slack.ChecksSpec);
        var api = _services.GetRequiredService<ISlackWebApi>();
        var methods = InterfaceMethods();

        foreach (var (method, slackMethod) in methods)
        {
            foreach (var optionalSet in new[] { true, false })
            {
                var arguments = method.GetParameters().Select(p => SampleArgument(p, optionalSet)).ToArray();
                await (Task)method.Invoke(api, arguments)!;
                var call = _slack.Calls[^1];
                Assert.Equal(slackMethod, call.Method);
                var body = method.GetParameters().SingleOrDefault(p => p.GetCustomAttribute<BodyAttribute>() is not null);
                if (optionalSet && body is not null)
                {
                    // Every property of the request record reached Slack by its own name: none is left out of the check.
                    Assert.Equal(body.ParameterType.GetProperties().Length, call.Args.Count);
                }
            }
        }

        Assert.Empty(_slack.SpecViolations);
        Assert.Equal(SlackRateLimiter.MethodTiers.Keys.Order(), methods.Select(m => m.SlackMethod).Order());
    }

    // Every Slack method the client can call: one ISlackWebApi method each, its path the Slack method's name.
    private static IReadOnlyList<(MethodInfo Method, string SlackMethod)> InterfaceMethods()
    {
        var methods = typeof(ISlackWebApi).GetMethods()
            .Select(m => (Method: m, SlackMethod: m.GetCustomAttribute<PostAttribute>()?.Path.TrimStart('/')))
            .ToList();
        Assert.All(methods, m => Assert.NotNull(m.SlackMethod));
        Assert.Equal(methods.Count, methods.Select(m => m.SlackMethod).Distinct().Count());
        return [.. methods.Select(m => (m.Method, m.SlackMethod!))];
    }

    // A well-formed value for each argument; with optionalSet false, every nullable one is left null.
    private static object? SampleArgument(ParameterInfo parameter, bool optionalSet)
    {
        if (parameter.ParameterType == typeof(CancellationToken))
        {
            return CancellationToken.None;
        }
        if (parameter.GetCustomAttribute<BodyAttribute>() is null)
        {
            return SampleValue(parameter, optionalSet);
        }
        var constructor = parameter.ParameterType.GetConstructors().Single();
        return constructor.Invoke([.. constructor.GetParameters().Select(p => SampleValue(p, optionalSet))]);
    }

    private static object? SampleValue(ParameterInfo parameter, bool optionalSet)
    {
        var nullable = new NullabilityInfoContext().Create(parameter).WriteState == NullabilityState.Nullable;
        if (nullable && !optionalSet)
        {
            return null;
        }
        var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
        if (type == typeof(bool))
        {
            return true;
        }
        if (type == typeof(JsonElement))
        {
            return Blocks;
        }
        Assert.Equal(typeof(string), type);
        return parameter.Name switch
        {
            "Channel" or "channel" => "C0123ABCD",
            "User" => "U0123ABCD",
            "Users" => "U0123ABCD,U0456EFGH",
            "Ts" or "ThreadTs" or "Timestamp" => "1503435956.000247",
            "Name" => "inc-2026-01-05-payments",
            "Email" => "spengler@ghostbusters.example.com",
            _ => "SEV1 payments down",
        };
    }

    [Fact]
    public async Task WriteMethods_SendJsonUtf8_AndReadMethodsSendForms_EachWithItsLength()
    {
        await Client.PostMessageAsync("C0123ABCD", "hello", Blocks);
        await Client.GetUserAsync("W012A3CDE");
        await Client.LookupUserByEmailAsync("spengler@ghostbusters.example.com");
        await Client.OpenSocketModeConnectionAsync();

        Assert.Equal("application/json; charset=utf-8", _slack.CallsTo("chat.postMessage").Single().ContentType);
        Assert.Equal("application/x-www-form-urlencoded", _slack.CallsTo("apps.connections.open").Single().ContentType);
        Assert.Equal("W012A3CDE", _slack.CallsTo("users.info").Single().Args["user"]);
        Assert.Equal("spengler@ghostbusters.example.com", _slack.CallsTo("users.lookupByEmail").Single().Args["email"]);
        // Bodies go out whole with a Content-Length, as before, not chunked.
        Assert.All(_slack.Calls, call => Assert.NotNull(call.ContentLength));
        Assert.Equal("application/x-www-form-urlencoded", _slack.CallsTo("users.info").Single().ContentType);
        Assert.Equal("application/x-www-form-urlencoded", _slack.CallsTo("users.lookupByEmail").Single().ContentType);
        var blocks = JsonDocument.Parse(_slack.CallsTo("chat.postMessage").Single().Args["blocks"]).RootElement;
        Assert.Equal(JsonValueKind.Array, blocks.ValueKind);
        Assert.Equal("*SEV1* payments down", blocks[0].GetProperty("text").GetProperty("text").GetString());
    }

    [Fact]
    public async Task Calls_CarryBotTokenAsBearer_ButSocketModeOpenCarriesAppToken()
    {
        await Client.PostMessageAsync("C0123ABCD", "hello");
        var url = await Client.OpenSocketModeConnectionAsync();

        Assert.Equal(FakeSlackServer.BotToken, _slack.CallsTo("chat.postMessage").Single().Token);
        Assert.Equal(FakeSlackServer.AppToken, _slack.CallsTo("apps.connections.open").Single().Token);
        Assert.Equal("ws", url.Scheme);
    }

    [Fact]
    public async Task PostMessage_Success_ReturnsChannelAndTs()
    {
        var posted = await Client.PostMessageAsync("C0123ABCD", "hello");

        Assert.Equal("C0123ABCD", posted.ChannelId);
        Assert.Matches(@"^\d+\.\d+$", posted.Ts);
    }

    [SharedFixtureFact]
    public async Task TypedMethods_SlackDocumentedSuccessBodies_Parsed()
    {
        string Body(string name) => SharedFixtures.ReadText($"slack/payloads/web_api/{name}");
        _slack.EnqueueBody("chat.postMessage", Body("chat.postMessage.success.slack-api-ref-example.json"));
        _slack.EnqueueBody("conversations.create", Body("conversations.create.success.slack-api-ref-example.json"));
        _slack.EnqueueBody("users.info", Body("users.info.success.slack-api-ref-example.json"));
        _slack.EnqueueBody("conversations.open", Body("conversations.open.success_already_open.slack-api-ref-example.json"));
        _slack.EnqueueBody("apps.connections.open", Body("apps.connections.open.success.slack-api-ref-example.json"));

        var posted = await Client.PostMessageAsync("C123ABC456", "Here's a message for you");
        var created = await Client.CreateConversationAsync("endeavor", isPrivate: false);
        var user = await Client.GetUserAsync("W012A3CDE");
        var dm = await Client.OpenConversationAsync(["U069C7QF3"]);
        var socketUrl = await Client.OpenSocketModeConnectionAsync();

        Assert.Equal(new SlackMessageRef("C123ABC456", "1503435956.000247"), posted);
        Assert.Equal(new SlackConversation("C0EAQDV4Z", "endeavor", false), created);
        Assert.Equal("W012A3CDE", user.Id);
        Assert.Equal("Egon Spengler", user.RealName);
        Assert.Equal("spengler@ghostbusters.example.com", user.Email);
        Assert.Equal("America/Los_Angeles", user.TimeZone);
        Assert.Equal("D069C7QFK", dm);
        Assert.Equal("wss", socketUrl.Scheme);
    }

    [Fact]
    public async Task AnyCall_OkFalse_ThrowsSlackApiExceptionWithMethodAndError()
    {
        _slack.EnqueueError("chat.postMessage", "channel_not_found");

        var ex = await Assert.ThrowsAsync<SlackApiException>(() => Client.PostMessageAsync("C0123ABCD", "hello"));

        Assert.Equal("chat.postMessage", ex.Method);
        Assert.Equal("channel_not_found", ex.Error);
        Assert.Equal("Slack cannot find that channel, or the bot cannot see it. Invite the bot to the channel and try again.", ex.ToUserMessage());
    }

    [Fact]
    public async Task AnyCall_MissingScope_ExceptionCarriesNeededScopeForTheUserMessage()
    {
        _slack.EnqueueError("conversations.create", "missing_scope", needed: "channels:manage");

        var ex = await Assert.ThrowsAsync<SlackApiException>(() => Client.CreateConversationAsync("inc-1", isPrivate: false));

        Assert.Equal("missing_scope", ex.Error);
        Assert.Equal("channels:manage", ex.Needed);
        Assert.Contains("'channels:manage'", ex.ToUserMessage(), StringComparison.Ordinal);
        Assert.Contains("channels:manage", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCall_WrongBotToken_InvalidAuthAndTokenNeverInMessage()
    {
        await using var services = BuildServices(_slack, _time, botToken: "xoxb-revoked-token-value");

        var ex = await Assert.ThrowsAsync<SlackApiException>(() => services.GetRequiredService<SlackWebApiClient>().PostMessageAsync("C0123ABCD", "hello"));

        Assert.Equal("invalid_auth", ex.Error);
        Assert.DoesNotContain("xoxb-revoked-token-value", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("xoxb-revoked-token-value", ex.ToUserMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LookupUserByEmail_NoSuchUser_ReturnsNull()
    {
        _slack.EnqueueError("users.lookupByEmail", "users_not_found");

        var user = await Client.LookupUserByEmailAsync("nobody@example.com");

        Assert.Null(user);
    }

    [Fact]
    public async Task PostMessage_OptionalArgumentsNotGiven_NotSentAtAll()
    {
        await Client.PostMessageAsync("C0123ABCD", "hello");

        Assert.Equal(["channel", "text"], _slack.CallsTo("chat.postMessage").Single().Args.Keys.Order());
    }

    [Theory]
    [InlineData(200, "<html>Slack is down</html>", SlackApiException.InvalidResponseCode, null)]
    [InlineData(200, """{"channel":"C0123ABCD"}""", SlackApiException.InvalidResponseCode, null)]
    [InlineData(503, "upstream unavailable", SlackApiException.HttpErrorCode, 503)]
    [InlineData(500, """{"ok":true,"channel":"C0123ABCD","ts":"1503435956.000247"}""", SlackApiException.HttpErrorCode, 500)]
    [InlineData(500, """{"ok":false,"error":"internal_error"}""", "internal_error", 500)]
    public async Task AnyCall_AnswerThatIsNotSlacksOk_ThrowsSlackApiExceptionWithItsCode(int status, string body, string error, int? statusCode)
    {
        _slack.EnqueueBody("chat.postMessage", body, status);

        var ex = await Assert.ThrowsAsync<SlackApiException>(() => Client.PostMessageAsync("C0123ABCD", "hello"));

        Assert.Equal("chat.postMessage", ex.Method);
        Assert.Equal(error, ex.Error);
        Assert.Equal(statusCode, (int?)ex.StatusCode);
        Assert.Single(_slack.CallsTo("chat.postMessage"));
    }

    [Fact]
    public async Task AnyCall_OkTrueWithFieldsOfTheWrongType_InvalidResponse()
    {
        _slack.EnqueueBody("chat.postMessage", """{"ok":true,"channel":{"id":"C0123ABCD"},"ts":1503435956.000247}""");

        var ex = await Assert.ThrowsAsync<SlackApiException>(() => Client.PostMessageAsync("C0123ABCD", "hello"));

        Assert.Equal("chat.postMessage", ex.Method);
        Assert.StartsWith(SlackApiException.InvalidResponseCode, ex.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCall_SlackUnreachable_HttpRequestExceptionAsHttpClientThrowsIt()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = FakeSlackServer.BotToken,
            ["Slack:SigningSecret"] = "secret",
            ["Slack:ApiBaseUrl"] = $"http://127.0.0.1:{closedPort}/api/",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<TimeProvider>(_time);
        services.AddSlack();
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        // SlackDelivery and the paging handler catch exactly this type; Refit must not wrap it in its own.
        await Assert.ThrowsAsync<HttpRequestException>(() => provider.GetRequiredService<SlackWebApiClient>().PostMessageAsync("C0123ABCD", "hello"));
    }

    [Fact]
    public async Task AnyCall_RetryAfterLongerThanWeWait_FailsAtOnceWithRatelimited()
    {
        _slack.EnqueueRateLimit("chat.update", retryAfterSeconds: 600);

        var ex = await Assert.ThrowsAsync<SlackApiException>(() => Client.UpdateMessageAsync("C0123ABCD", "1503435956.000247", "updated"));

        Assert.Equal("ratelimited", ex.Error);
        Assert.Equal(TimeSpan.FromMinutes(10), ex.RetryAfter);
        Assert.Single(_slack.CallsTo("chat.update"));
    }

    [Fact]
    public async Task TierPacedMethod_BeyondItsBurst_WaitsForTheTierIntervalOnTheClock()
    {
        var client = Client;

        // conversations.create is Tier 2: a burst of 4, then one every 3 seconds.
        var calls = Enumerable.Range(0, 5).Select(i => client.CreateConversationAsync($"inc-{i}", isPrivate: false)).ToArray();
        await Task.WhenAll(calls.Take(4));
        var limiter = _services.GetRequiredService<SlackRateLimiter>().LimiterFor("conversations.create", null);
        await WaitUntilAsync(() => limiter.GetStatistics()!.CurrentQueuedCount == 1);

        Assert.Equal(4, _slack.CallsTo("conversations.create").Count);
        Assert.False(calls[4].IsCompleted);
        _time.Inner.Advance(TimeSpan.FromSeconds(3));
        await calls[4];
        Assert.Equal(5, _slack.CallsTo("conversations.create").Count);
    }

    [Fact]
    public async Task AnyCall_RateLimitedOnce_WaitsRetryAfterOnTheClockThenSucceeds()
    {
        _slack.EnqueueRateLimit("chat.update", retryAfterSeconds: 7);

        var call = Client.UpdateMessageAsync("C0123ABCD", "1503435956.000247", "updated");
        var wait = await _time.NextTimerAsync();

        Assert.Equal(TimeSpan.FromSeconds(7), wait);
        Assert.False(call.IsCompleted);
        Assert.Single(_slack.CallsTo("chat.update"));
        _time.Inner.Advance(TimeSpan.FromSeconds(7));
        var updated = await call;
        Assert.Equal("1503435956.000247", updated.Ts);
        Assert.Equal(2, _slack.CallsTo("chat.update").Count);
    }

    [Fact]
    public async Task AnyCall_RateLimitedBeyondRetries_ThrowsRatelimitedWithRetryAfter()
    {
        for (var i = 0; i < 4; i++)
        {
            _slack.EnqueueRateLimit("users.info", retryAfterSeconds: 1);
        }

        var call = Client.GetUserAsync("W012A3CDE");
        for (var i = 0; i < 3; i++)
        {
            await _time.NextTimerAsync();
            _time.Inner.Advance(TimeSpan.FromSeconds(1));
        }
        var ex = await Assert.ThrowsAsync<SlackApiException>(() => call);

        Assert.Equal("ratelimited", ex.Error);
        Assert.Equal(TimeSpan.FromSeconds(1), ex.RetryAfter);
        Assert.Equal(4, _slack.CallsTo("users.info").Count);
    }

    [Fact]
    public async Task ChatPostMessage_ManyToOneChannel_QueuedAtAboutOnePerSecondNoneDropped()
    {
        var client = Client;

        var calls = Enumerable.Range(0, 5).Select(i => client.PostMessageAsync("C0123ABCD", $"update {i}")).ToArray();
        await Task.WhenAll(calls.Take(3));
        var other = await client.PostMessageAsync("C0999ZZZZ", "another channel is not held up");

        Assert.Equal(4, _slack.CallsTo("chat.postMessage").Count);
        Assert.False(calls[3].IsCompleted);
        var limiter = _services.GetRequiredService<SlackRateLimiter>().LimiterFor("chat.postMessage", "C0123ABCD");
        await WaitUntilAsync(() => limiter.GetStatistics()!.CurrentQueuedCount == 2);
        _time.Inner.Advance(TimeSpan.FromSeconds(1));
        await calls[3];
        Assert.False(calls[4].IsCompleted);
        _time.Inner.Advance(TimeSpan.FromSeconds(1));
        await calls[4];
        Assert.Equal(6, _slack.CallsTo("chat.postMessage").Count);
        Assert.Equal("C0999ZZZZ", other.ChannelId);
    }

    // Polls state another task sets; it does not wait for time to pass (the clock is fake).
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(5, cts.Token);
        }
    }

    [Theory]
    [InlineData("Inc 42")]
    [InlineData("INC-42")]
    [InlineData("")]
    [InlineData("inc#42")]
    public async Task CreateConversation_InvalidName_ArgumentExceptionAndNothingSent(string name)
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => Client.CreateConversationAsync(name, isPrivate: true));

        Assert.Contains("lowercase letters, digits, hyphens and underscores", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_slack.Calls);
    }

    [Fact]
    public async Task CreateConversation_NameOver80Characters_Refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Client.CreateConversationAsync(new string('a', 81), isPrivate: false));

        Assert.Empty(_slack.Calls);
    }

    [Fact]
    public async Task TypedMethods_BadIdsOrTs_ArgumentExceptionAndNothingSent()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Client.PostMessageAsync("#general", "hi"));
        await Assert.ThrowsAsync<ArgumentException>(() => Client.UpdateMessageAsync("C0123ABCD", "yesterday", "hi"));
        await Assert.ThrowsAsync<ArgumentException>(() => Client.InviteToConversationAsync("C0123ABCD", []));
        await Assert.ThrowsAsync<ArgumentException>(() => Client.PostMessageAsync("C0123ABCD", "hi", JsonDocument.Parse("{}").RootElement));
        await Assert.ThrowsAsync<ArgumentException>(() => Client.LookupUserByEmailAsync("not an email"));

        Assert.Empty(_slack.Calls);
    }
}
