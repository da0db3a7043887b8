using System.Net;
using System.Text.Json.Nodes;
using OnCallBot.Teams.Connector;
using OnCallBot.TestKit;
using OnCallBot.TestKit.Teams;

namespace OnCallBot.Teams.Tests.Connector;

public sealed class TeamsConnectorClientTests : IAsyncLifetime
{
    private TeamsConnectorHarness _harness = null!;

    private TeamsConnectorClient Client => _harness.Client;

    private FakeBotFramework Fake => _harness.Fake;

    public async Task InitializeAsync() => _harness = await TeamsConnectorHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private static ConnectorActivity Hello => ConnectorActivity.PlainText("INC-42: Cards are timing out");

    [Fact]
    public async Task Send_ToATrustedServiceUrl_PostsTheActivityUnderItsPathWithTheBotsToken()
    {
        var chat = _harness.KnownChat();

        var id = await Client.SendAsync(_harness.ServiceUrl, chat, Hello);

        var call = Assert.Single(Fake.ConnectorCalls);
        Assert.Equal("send", call.Operation);
        Assert.Equal(chat, call.ConversationId);
        Assert.Equal("/teams/v3/conversations/a%3A1chat-with-anna/activities", call.RawTarget);
        Assert.Equal("Bearer " + await _harness.Tokens.GetTokenAsync(CancellationToken.None), call.Authorization);
        Assert.Equal("message", (string?)call.Body!["type"]);
        Assert.Equal("INC-42: Cards are timing out", (string?)call.Body["text"]);
        Assert.Equal("plain", (string?)call.Body["textFormat"]);
        Assert.Null(call.Body["attachments"]);
        Assert.True(Fake.MessagesIn(chat).ContainsKey(id));
    }

    [Fact]
    public async Task Send_ToAChannelThread_EscapesTheIdSoItArrivesWhole()
    {
        const string thread = "19:LydFnezGKSkhYoiLNP6kZ8AuXQr36EDAkvG9CNJSPKc1@thread.tacv2;messageid=1776390257332";
        Fake.KnowConversation(thread);

        await Client.SendAsync(_harness.ServiceUrl, thread, Hello);

        var call = Assert.Single(Fake.ConnectorCalls);
        Assert.Equal(thread, call.ConversationId);
        Assert.Contains("19%3ALydFnezGKSkhYoiLNP6kZ8AuXQr36EDAkvG9CNJSPKc1%40thread.tacv2%3Bmessageid%3D1776390257332", call.RawTarget);
    }

    [Fact]
    public async Task Send_ManyCalls_FetchOneToken()
    {
        var chat = _harness.KnownChat();

        for (var i = 0; i < 3; i++)
        {
            await Client.SendAsync(_harness.ServiceUrl, chat, Hello);
        }

        Assert.Single(Fake.TokenRequests);
        Assert.Single(Fake.ConnectorCalls.Select(c => c.Authorization).Distinct());
    }

    [Fact]
    public async Task Reply_PostsToTheActivityItAnswers()
    {
        var chat = _harness.KnownChat();
        var parent = await Client.SendAsync(_harness.ServiceUrl, chat, Hello);

        var reply = await Client.ReplyAsync(_harness.ServiceUrl, chat, parent, ConnectorActivity.PlainText("Acknowledged by Anna"));

        var call = Fake.ConnectorCalls[^1];
        Assert.Equal(("POST", "reply", parent), (call.HttpMethod, call.Operation, call.ActivityId));
        Assert.NotEqual(parent, reply);
    }

    [Fact]
    public async Task Update_PutsTheNewVersionInPlace()
    {
        var chat = _harness.KnownChat();
        var card = new JsonObject { ["type"] = "AdaptiveCard", ["version"] = "1.5", ["body"] = new JsonArray() };
        var id = await Client.SendAsync(_harness.ServiceUrl, chat, ConnectorActivity.AdaptiveCard(card, "🚨 INC-42", alert: true));

        await Client.UpdateAsync(_harness.ServiceUrl, chat, id, ConnectorActivity.PlainText("👀 INC-42 acknowledged"));

        var call = Fake.ConnectorCalls[^1];
        Assert.Equal(("PUT", "update", id), (call.HttpMethod, call.Operation, call.ActivityId));
        Assert.Equal("👀 INC-42 acknowledged", (string?)Fake.MessagesIn(chat)[id]!["text"]);
    }

    [Fact]
    public async Task Update_AMessageThatIsGone_ThrowsActivityNotFound()
    {
        var chat = _harness.KnownChat();

        var ex = await Assert.ThrowsAsync<TeamsApiException>(() => Client.UpdateAsync(_harness.ServiceUrl, chat, "1776390000999", Hello));

        Assert.Equal("ActivityNotFoundInConversation", ex.Code);
        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Equal("update a message", ex.Operation);
    }

    [Fact]
    public async Task AdaptiveCardActivity_CarriesTheCardAsAnAttachment_AndAnAlertForPages()
    {
        var chat = _harness.KnownChat();
        var card = new JsonObject { ["type"] = "AdaptiveCard", ["version"] = "1.5", ["body"] = new JsonArray() };

        await Client.SendAsync(_harness.ServiceUrl, chat, ConnectorActivity.AdaptiveCard(card, "🚨 INC-42 checkout: Cards are timing out", alert: true));

        var body = Fake.ConnectorCalls[^1].Body!;
        Assert.Equal("application/vnd.microsoft.card.adaptive", (string?)body["attachments"]![0]!["contentType"]);
        Assert.Equal("AdaptiveCard", (string?)body["attachments"]![0]!["content"]!["type"]);
        Assert.Equal("🚨 INC-42 checkout: Cards are timing out", (string?)body["summary"]);
        Assert.True((bool)body["channelData"]!["notification"]!["alert"]!);
    }

    [Fact]
    public async Task CreatePersonalConversation_SendsTheUserTenantAndBot_AndTeamsAnswersTheSameChatEachTime()
    {
        var first = await Client.CreatePersonalConversationAsync(_harness.ServiceUrl, FakeBotFramework.UserTenantId, "29:1aK9mYhSZ3egG5Ve2UaOoEjrOppWz");
        var again = await Client.CreatePersonalConversationAsync(_harness.ServiceUrl, FakeBotFramework.UserTenantId, "29:1aK9mYhSZ3egG5Ve2UaOoEjrOppWz", Hello);

        Assert.StartsWith("a:", first.ConversationId);
        Assert.Equal(first.ConversationId, again.ConversationId);
        Assert.Equal(_harness.ServiceUrl, first.ServiceUrl);
        Assert.Null(first.ActivityId);
        var body = Fake.ConnectorCalls[0].Body!;
        Assert.False((bool)body["isGroup"]!);
        Assert.Equal("28:" + FakeBotFramework.AppId, (string?)body["bot"]!["id"]);
        Assert.Equal("29:1aK9mYhSZ3egG5Ve2UaOoEjrOppWz", (string?)body["members"]![0]!["id"]);
        Assert.Equal(FakeBotFramework.UserTenantId, (string?)body["tenantId"]);
        Assert.Equal(FakeBotFramework.UserTenantId, (string?)body["channelData"]!["tenant"]!["id"]);
        Assert.Null(body["activity"]);
        Assert.Single(Fake.MessagesIn(first.ConversationId));
    }

    [SharedFixtureFact]
    public async Task CreatePersonalConversation_Body_HasTheFieldsOfTheDocumentedProactiveRequest()
    {
        var documented = JsonNode.Parse(SharedFixtures.ReadText("teams/connector/create_conversation_1on1_proactive.msteams-docs.json"))!["request"]!.AsObject();

        await Client.CreatePersonalConversationAsync(_harness.ServiceUrl, FakeBotFramework.UserTenantId, "29:012d20j1cjo20211");

        var sent = Fake.ConnectorCalls[0].Body!.AsObject();
        Assert.All(documented.Select(p => p.Key), key => Assert.True(sent.ContainsKey(key), $"the documented field '{key}' is not sent"));
        Assert.Equal(documented["members"]![0]!.AsObject().Select(p => p.Key), sent["members"]![0]!.AsObject().Select(p => p.Key));
        Assert.Equal(documented["channelData"]!["tenant"]!.AsObject().Select(p => p.Key), sent["channelData"]!["tenant"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task CreateChannelThread_StartsTheThreadWithTheMessage_AndReturnsItsRoot()
    {
        const string channel = "19:LydFnezGKSkhYoiLNP6kZ8AuXQr36EDAkvG9CNJSPKc1@thread.tacv2";

        var thread = await Client.CreateChannelThreadAsync(_harness.ServiceUrl, FakeBotFramework.UserTenantId, channel, Hello);

        Assert.Equal($"{channel};messageid={thread.ActivityId}", thread.ConversationId);
        var body = Fake.ConnectorCalls[0].Body!;
        Assert.True((bool)body["isGroup"]!);
        Assert.Equal(channel, (string?)body["channelData"]!["channel"]!["id"]);
        Assert.Equal("INC-42: Cards are timing out", (string?)body["activity"]!["text"]);
        Assert.Null(body["members"]);
        // Later updates of the thread's first message (the incident card) go to the thread.
        await Client.UpdateAsync(_harness.ServiceUrl, thread.ConversationId, thread.ActivityId!, ConnectorActivity.PlainText("updated"));
    }

    [Fact]
    public async Task Send_ThrottledOnce_WaitsRetryAfterOnTheClockThenSucceeds()
    {
        var chat = _harness.KnownChat();
        Fake.EnqueueThrottled(retryAfterSeconds: 7);

        var call = Client.SendAsync(_harness.ServiceUrl, chat, Hello);
        var wait = await _harness.Time.NextTimerAsync();

        Assert.Equal(TimeSpan.FromSeconds(7), wait);
        Assert.False(call.IsCompleted);
        Assert.Single(Fake.ConnectorCalls);
        _harness.Time.Inner.Advance(TimeSpan.FromSeconds(7));
        var id = await call;
        Assert.Equal(2, Fake.ConnectorCalls.Count);
        Assert.True(Fake.MessagesIn(chat).ContainsKey(id));
        Assert.Single(Fake.MessagesIn(chat));
    }

    [Fact]
    public async Task Send_ServerErrors_AreRetriedWithDoublingBackoff()
    {
        var chat = _harness.KnownChat();
        Fake.EnqueueServerError(500);
        Fake.EnqueueServerError(502);

        var call = Client.SendAsync(_harness.ServiceUrl, chat, Hello);
        Assert.Equal(TimeSpan.FromSeconds(1), await _harness.Time.NextTimerAsync());
        Assert.Single(Fake.ConnectorCalls);
        _harness.Time.Inner.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(2), await _harness.Time.NextTimerAsync());
        Assert.Equal(2, Fake.ConnectorCalls.Count);
        _harness.Time.Inner.Advance(TimeSpan.FromSeconds(2));

        await call;
        Assert.Equal(3, Fake.ConnectorCalls.Count);
    }

    [Fact]
    public async Task Send_ServerErrorBeyondTheRetries_ThrowsServiceErrorAfterFourTries()
    {
        var chat = _harness.KnownChat();
        for (var i = 0; i < 4; i++)
        {
            Fake.EnqueueServerError(503);
        }

        var call = Client.SendAsync(_harness.ServiceUrl, chat, Hello);
        for (var i = 0; i < 3; i++)
        {
            _harness.Time.Inner.Advance(await _harness.Time.NextTimerAsync());
        }
        var ex = await Assert.ThrowsAsync<TeamsApiException>(() => call);

        Assert.Equal("ServiceError", ex.Code);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.Equal(4, Fake.ConnectorCalls.Count);
        Assert.Contains("try again", ex.ToUserMessage());
    }

    [Fact]
    public async Task Send_RetryAfterLongerThanWeWait_FailsAtOnceWithIt()
    {
        var chat = _harness.KnownChat();
        Fake.EnqueueThrottled(retryAfterSeconds: 600);

        var ex = await Assert.ThrowsAsync<TeamsApiException>(() => Client.SendAsync(_harness.ServiceUrl, chat, Hello));

        Assert.Equal("Throttled", ex.Code);
        Assert.Equal(TimeSpan.FromMinutes(10), ex.RetryAfter);
        Assert.Single(Fake.ConnectorCalls);
        Assert.Contains("rate limiting", ex.ToUserMessage());
    }

    [Fact]
    public async Task Send_UserBlockedTheBot_ThrowsMessageWritesBlockedAtOnce_WithoutRetrying()
    {
        var chat = _harness.KnownChat();
        Fake.BlockConversation(chat);

        var ex = await Assert.ThrowsAsync<TeamsApiException>(() => Client.SendAsync(_harness.ServiceUrl, chat, Hello));

        Assert.Equal("MessageWritesBlocked", ex.Code);
        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.True(ex.IsBlockedByUser);
        Assert.Equal("Thread is blocked from message writes.", ex.Detail);
        Assert.Contains("blocked or uninstalled the bot", ex.ToUserMessage());
        Assert.DoesNotContain('\n', ex.ToUserMessage());
        Assert.Single(Fake.ConnectorCalls);
    }

    [SharedFixtureFact]
    public async Task Send_TheDocumented403Body_IsReadAsMessageWritesBlocked()
    {
        var documented = JsonNode.Parse(SharedFixtures.ReadText("teams/connector/error_403_MessageWritesBlocked.msteams-docs.json"))!;
        var chat = _harness.KnownChat();
        Fake.EnqueueConnectorAnswer((int)documented["status"]!, documented["body"]!.ToJsonString());

        var ex = await Assert.ThrowsAsync<TeamsApiException>(() => Client.SendAsync(_harness.ServiceUrl, chat, Hello));

        Assert.Equal("MessageWritesBlocked", ex.Code);
        Assert.Single(Fake.ConnectorCalls);
    }

    [SharedFixtureTheory]
    [InlineData("CreateConversationWithInvalidBot.json", "ServiceError", HttpStatusCode.BadRequest)]
    [InlineData("SendToConversationWithInvalidConversationId.json", "BadArgument", HttpStatusCode.BadRequest)]
    public async Task RecordedConnectorErrors_AreReadWithTheirCode(string record, string code, HttpStatusCode status)
    {
        var entries = JsonNode.Parse(SharedFixtures.ReadText("teams/connector/session_records/" + record))!["Entries"]!.AsArray();
        var failure = entries.Single(e => (int)e!["StatusCode"]! >= 400)!;
        var chat = _harness.KnownChat();
        Fake.EnqueueConnectorAnswer((int)failure["StatusCode"]!, (string)failure["ResponseBody"]!);

        var ex = await Assert.ThrowsAsync<TeamsApiException>(() => Client.SendAsync(_harness.ServiceUrl, chat, Hello));

        Assert.Equal((code, status), (ex.Code, ex.StatusCode));
        Assert.Single(Fake.ConnectorCalls);
    }

    [Fact]
    public async Task Send_SuccessThatIsNotTheConnectorsJson_ThrowsInvalidResponse()
    {
        var chat = _harness.KnownChat();
        Fake.EnqueueConnectorAnswer(201, "<html>proxy says hi</html>");

        var ex = await Assert.ThrowsAsync<TeamsApiException>(() => Client.SendAsync(_harness.ServiceUrl, chat, Hello));

        Assert.Equal(TeamsApiException.InvalidResponseCode, ex.Code);
        Assert.Equal("send a message", ex.Operation);
    }

    [Fact]
    public async Task Send_SuccessWithoutAnId_ThrowsInvalidResponse()
    {
        var chat = _harness.KnownChat();
        Fake.EnqueueConnectorAnswer(201, "{}");

        var ex = await Assert.ThrowsAsync<TeamsApiException>(() => Client.SendAsync(_harness.ServiceUrl, chat, Hello));

        Assert.Equal(TeamsApiException.InvalidResponseCode, ex.Code);
    }

    [Fact]
    public async Task Send_UnknownConversation_ThrowsConversationNotFound()
    {
        var ex = await Assert.ThrowsAsync<TeamsApiException>(() => Client.SendAsync(_harness.ServiceUrl, "a:1nobody", Hello));

        Assert.Equal("ConversationNotFound", ex.Code);
        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Contains("cannot find that conversation", ex.ToUserMessage());
        Assert.Single(Fake.ConnectorCalls);
    }

    [Fact]
    public async Task Send_ToAnUntrustedServiceUrl_IsRefusedBeforeAnyRequest()
    {
        var chat = _harness.KnownChat();
        var elsewhere = new Uri(Fake.BaseUrl, "emea/");

        var ex = await Assert.ThrowsAsync<TeamsApiException>(() => Client.SendAsync(elsewhere, chat, Hello));

        Assert.Equal(TeamsApiException.UntrustedServiceUrlCode, ex.Code);
        Assert.Null(ex.StatusCode);
        Assert.Empty(Fake.ConnectorCalls);
        Assert.Empty(Fake.TokenRequests);
        Assert.Contains(_harness.Logs.Lines, l => l.Message.Contains("no validated activity came from that service URL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Send_WhenNothingIsTrustedYet_IsRefusedBeforeAnyRequest()
    {
        await using var untrusting = await TeamsConnectorHarness.StartAsync(trustServiceUrl: false);

        var ex = await Assert.ThrowsAsync<TeamsApiException>(() => untrusting.Client.CreatePersonalConversationAsync(untrusting.ServiceUrl, FakeBotFramework.UserTenantId, "29:anna"));

        Assert.Equal(TeamsApiException.UntrustedServiceUrlCode, ex.Code);
        Assert.Empty(untrusting.Fake.ConnectorCalls);
        Assert.Empty(untrusting.Fake.TokenRequests);
    }

    [Fact]
    public async Task Send_TokenRefusedByTheConnector_DropsTheCachedToken_SoTheNextCallFetchesANewOne()
    {
        var chat = _harness.KnownChat();
        await Client.SendAsync(_harness.ServiceUrl, chat, Hello);
        Fake.RevokeIssuedTokens();

        var ex = await Assert.ThrowsAsync<TeamsApiException>(() => Client.SendAsync(_harness.ServiceUrl, chat, Hello));
        await Client.SendAsync(_harness.ServiceUrl, chat, Hello);

        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        Assert.Contains("Teams:AppPassword", ex.ToUserMessage());
        Assert.Equal(2, Fake.TokenRequests.Count);
    }

    [Fact]
    public async Task Send_TeamsOff_IsRefusedWithoutARequest()
    {
        await using var off = await TeamsConnectorHarness.StartAsync(new Dictionary<string, string?> { ["Teams:AppId"] = "" });
        var chat = off.KnownChat();

        var ex = await Assert.ThrowsAsync<TeamsApiException>(() => off.Client.SendAsync(off.ServiceUrl, chat, Hello));

        Assert.Equal(TeamsApiException.TeamsOffCode, ex.Code);
        Assert.Empty(off.Fake.ConnectorCalls);
        Assert.Empty(off.Fake.TokenRequests);
    }

    [Fact]
    public async Task Send_MessageOverTeamsSizeLimit_ThrowsMessageSizeTooBig()
    {
        var chat = _harness.KnownChat();

        var ex = await Assert.ThrowsAsync<TeamsApiException>(() => Client.SendAsync(_harness.ServiceUrl, chat, ConnectorActivity.PlainText(new string('x', 30_000))));

        Assert.Equal("MessageSizeTooBig", ex.Code);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, ex.StatusCode);
    }

    public static TheoryData<string, string> BadIds => new()
    {
        { "", "conversationId" },
        { "a:1 with space", "conversationId" },
        { "a:1\nnewline", "conversationId" },
    };

    [Theory]
    [MemberData(nameof(BadIds))]
    public async Task Send_BadConversationId_ThrowsArgumentExceptionAndSendsNothing(string id, string parameter)
    {
        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => Client.SendAsync(_harness.ServiceUrl, id, Hello));

        Assert.Equal(parameter, ex.ParamName);
        Assert.Empty(Fake.ConnectorCalls);
        Assert.Empty(Fake.TokenRequests);
    }

    [Fact]
    public async Task BadArguments_AreRefusedBeforeAnythingIsSent()
    {
        var chat = _harness.KnownChat();

        await Assert.ThrowsAsync<ArgumentException>(() => Client.SendAsync(new Uri("ftp://127.0.0.1/teams/"), chat, Hello));
        await Assert.ThrowsAsync<ArgumentException>(() => Client.SendAsync(_harness.ServiceUrl, chat, new ConnectorActivity()));
        await Assert.ThrowsAsync<ArgumentException>(() => Client.CreatePersonalConversationAsync(_harness.ServiceUrl, FakeBotFramework.UserTenantId, "8:orgid:anna"));
        await Assert.ThrowsAsync<ArgumentException>(() => Client.CreatePersonalConversationAsync(_harness.ServiceUrl, "tenant/../x", "29:anna"));
        await Assert.ThrowsAsync<ArgumentException>(() => Client.CreateChannelThreadAsync(_harness.ServiceUrl, FakeBotFramework.UserTenantId, "19:x@thread.tacv2;messageid=1", Hello));
        await Assert.ThrowsAsync<ArgumentException>(() => Client.ReplyAsync(_harness.ServiceUrl, chat, " ", Hello));

        Assert.Empty(Fake.ConnectorCalls);
        Assert.Empty(Fake.TokenRequests);
    }
}
