using System.Net;
using OnCallBot.Teams.Connector;
using OnCallBot.TestKit;
using OnCallBot.TestKit.Teams;

namespace OnCallBot.Teams.Tests.Connector;

public sealed class BotTokenProviderTests
{
    [Fact]
    public async Task GetToken_FirstCall_PostsTheClientCredentialsFormAndReturnsTheIssuedToken()
    {
        await using var harness = await TeamsConnectorHarness.StartAsync();

        var token = await harness.Tokens.GetTokenAsync(CancellationToken.None);

        var request = Assert.Single(harness.Fake.TokenRequests);
        Assert.Equal("botframework.com", request.Tenant);
        Assert.StartsWith("application/x-www-form-urlencoded", request.ContentType);
        Assert.Equal("client_credentials", request.Form["grant_type"]);
        Assert.Equal(FakeBotFramework.AppId, request.Form["client_id"]);
        Assert.Equal(FakeBotFramework.AppPassword, request.Form["client_secret"]);
        Assert.Equal("https://api.botframework.com/.default", request.Form["scope"]);
        Assert.StartsWith("fake-bf-token-", token);
    }

    [Fact]
    public async Task GetToken_Cached_IsReusedUntilFiveMinutesBeforeExpiry_ThenRefreshed()
    {
        await using var harness = await TeamsConnectorHarness.StartAsync();

        var first = await harness.Tokens.GetTokenAsync(CancellationToken.None);
        harness.Time.Inner.Advance(TimeSpan.FromMinutes(54) + TimeSpan.FromSeconds(59));
        var stillCached = await harness.Tokens.GetTokenAsync(CancellationToken.None);
        Assert.Equal(first, stillCached);
        Assert.Single(harness.Fake.TokenRequests);

        harness.Time.Inner.Advance(TimeSpan.FromSeconds(1));
        var refreshed = await harness.Tokens.GetTokenAsync(CancellationToken.None);

        Assert.NotEqual(first, refreshed);
        Assert.Equal(2, harness.Fake.TokenRequests.Count);
    }

    [Fact]
    public async Task GetToken_ConcurrentCallersWhileNoneIsCached_ShareOneRequest()
    {
        await using var harness = await TeamsConnectorHarness.StartAsync();
        var hold = harness.Fake.HoldNextTokenRequest();

        var callers = Enumerable.Range(0, 10).Select(_ => harness.Tokens.GetTokenAsync(CancellationToken.None)).ToArray();
        await hold.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(callers, c => Assert.False(c.IsCompleted));
        hold.Release();
        var tokens = await Task.WhenAll(callers);

        Assert.Single(harness.Fake.TokenRequests);
        Assert.Single(tokens.Distinct());
    }

    [Fact]
    public async Task GetToken_CallerCancels_OthersStillGetTheSharedToken()
    {
        await using var harness = await TeamsConnectorHarness.StartAsync();
        var hold = harness.Fake.HoldNextTokenRequest();
        using var cancel = new CancellationTokenSource();

        var leaving = harness.Tokens.GetTokenAsync(cancel.Token);
        var staying = harness.Tokens.GetTokenAsync(CancellationToken.None);
        await hold.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        hold.Release();

        Assert.StartsWith("fake-bf-token-", await staying);
        Assert.Single(harness.Fake.TokenRequests);
    }

    [Fact]
    public async Task GetToken_WrongSecret_ThrowsInvalidClientNamingTeamsAppPassword_AndNeverTheSecret()
    {
        const string wrongSecret = "not-the-secret-7f3a";
        await using var harness = await TeamsConnectorHarness.StartAsync(new Dictionary<string, string?> { ["Teams:AppPassword"] = wrongSecret });

        var ex = await Assert.ThrowsAsync<TeamsApiException>(() => harness.Tokens.GetTokenAsync(CancellationToken.None));

        Assert.Equal("invalid_client", ex.Code);
        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        Assert.Contains("AADSTS7000215", ex.Message);
        Assert.Contains("Teams:AppPassword", ex.ToUserMessage());
        Assert.DoesNotContain("Trace ID", ex.Message);
        Assert.DoesNotContain(wrongSecret, ex.Message + ex.ToUserMessage() + ex.Detail);
        Assert.DoesNotContain(harness.Logs.Lines, l => l.Message.Contains(wrongSecret, StringComparison.Ordinal));
        Assert.Contains(harness.Logs.Lines, l => l.Message.Contains("invalid_client AADSTS7000215", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetToken_SecretEchoedByTheService_IsCutOutOfTheError()
    {
        await using var harness = await TeamsConnectorHarness.StartAsync();
        harness.Fake.EnqueueTokenAnswer(401, $$"""{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret '{{FakeBotFramework.AppPassword}}' provided."}""");

        var ex = await Assert.ThrowsAsync<TeamsApiException>(() => harness.Tokens.GetTokenAsync(CancellationToken.None));

        Assert.DoesNotContain(FakeBotFramework.AppPassword, ex.Message);
        Assert.Contains("<redacted>", ex.Detail);
    }

    [Fact]
    public async Task GetToken_UnknownApp_ThrowsUnauthorizedClientNamingTeamsAppId()
    {
        await using var harness = await TeamsConnectorHarness.StartAsync(new Dictionary<string, string?> { ["Teams:AppId"] = "11111111-2222-4333-8444-555555555555" });

        var ex = await Assert.ThrowsAsync<TeamsApiException>(() => harness.Tokens.GetTokenAsync(CancellationToken.None));

        Assert.Equal("unauthorized_client", ex.Code);
        Assert.Contains("Teams:AppId", ex.ToUserMessage());
    }

    [Fact]
    public async Task GetToken_UnknownTenant_NamesTeamsTenantId()
    {
        await using var harness = await TeamsConnectorHarness.StartAsync();
        harness.Fake.Tenant = "contoso.onmicrosoft.com";

        var ex = await Assert.ThrowsAsync<TeamsApiException>(() => harness.Tokens.GetTokenAsync(CancellationToken.None));

        Assert.Equal("invalid_request", ex.Code);
        Assert.Contains("Teams:TenantId", ex.ToUserMessage());
    }

    [Fact]
    public async Task GetToken_AfterARefusal_AsksAgainOnTheNextCall()
    {
        await using var harness = await TeamsConnectorHarness.StartAsync();
        harness.Fake.EnqueueTokenAnswer(400, """{"error":"invalid_request","error_description":"AADSTS900144: missing grant_type"}""");

        await Assert.ThrowsAsync<TeamsApiException>(() => harness.Tokens.GetTokenAsync(CancellationToken.None));
        var token = await harness.Tokens.GetTokenAsync(CancellationToken.None);

        Assert.StartsWith("fake-bf-token-", token);
        Assert.Equal(2, harness.Fake.TokenRequests.Count);
    }

    [Fact]
    public async Task GetToken_ServiceUnavailableOnce_IsRetriedAfterRetryAfterOnTheClock()
    {
        await using var harness = await TeamsConnectorHarness.StartAsync();
        harness.Fake.EnqueueTokenAnswer(503, """{"error":"temporarily_unavailable","error_description":"AADSTS90033: A transient error has occurred."}""", retryAfterSeconds: 2);

        var call = harness.Tokens.GetTokenAsync(CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(2), await harness.Time.NextTimerAsync());
        Assert.False(call.IsCompleted);
        harness.Time.Inner.Advance(TimeSpan.FromSeconds(2));

        Assert.StartsWith("fake-bf-token-", await call);
        Assert.Equal(2, harness.Fake.TokenRequests.Count);
    }

    [Fact]
    public async Task GetToken_AnswerWithoutAnAccessToken_ThrowsInvalidResponse()
    {
        await using var harness = await TeamsConnectorHarness.StartAsync();
        harness.Fake.EnqueueTokenAnswer(200, """{"token_type":"Bearer","expires_in":3600}""");

        var ex = await Assert.ThrowsAsync<TeamsApiException>(() => harness.Tokens.GetTokenAsync(CancellationToken.None));

        Assert.Equal(TeamsApiException.InvalidResponseCode, ex.Code);
    }

    [Fact]
    public async Task GetToken_SuccessThatIsNotJson_ThrowsInvalidResponse()
    {
        await using var harness = await TeamsConnectorHarness.StartAsync();
        harness.Fake.EnqueueTokenAnswer(200, "<html>captive portal</html>");

        var ex = await Assert.ThrowsAsync<TeamsApiException>(() => harness.Tokens.GetTokenAsync(CancellationToken.None));

        Assert.Equal((TeamsApiException.InvalidResponseCode, TeamsApiException.TokenOperation), (ex.Code, ex.Operation));
    }

    [Fact]
    public async Task GetToken_TeamsOff_ThrowsTeamsOffWithoutARequest()
    {
        await using var harness = await TeamsConnectorHarness.StartAsync(new Dictionary<string, string?> { ["Teams:AppPassword"] = "" });

        var ex = await Assert.ThrowsAsync<TeamsApiException>(() => harness.Tokens.GetTokenAsync(CancellationToken.None));

        Assert.Equal(TeamsApiException.TeamsOffCode, ex.Code);
        Assert.Contains("Teams:AppPassword", ex.ToUserMessage());
        Assert.Empty(harness.Fake.TokenRequests);
    }

    [Theory]
    [InlineData(null, "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token")]
    [InlineData("", "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token")]
    [InlineData("8a4e1f7c-3b2d-4e5f-9a6b-7c8d9e0f1a2b", "https://login.microsoftonline.com/8a4e1f7c-3b2d-4e5f-9a6b-7c8d9e0f1a2b/oauth2/v2.0/token")]
    public void TokenEndpoint_Default_IsTheTenantsOrBotFrameworkComs(string? tenant, string expected)
    {
        Assert.Equal(new Uri(expected), TeamsTokenEndpoint.For(new TeamsOptions { TenantId = tenant }));
    }

    [Fact]
    public void TokenEndpoint_Configured_WinsOverTheTenant()
    {
        var configured = new Uri("http://127.0.0.1:9/tenant/oauth2/v2.0/token");

        Assert.Equal(configured, TeamsTokenEndpoint.For(new TeamsOptions { TenantId = "8a4e1f7c-3b2d-4e5f-9a6b-7c8d9e0f1a2b", TokenEndpoint = configured }));
    }
}
