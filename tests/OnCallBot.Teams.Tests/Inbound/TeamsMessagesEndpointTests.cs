using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using OnCallBot.Teams.Inbound;
using OnCallBot.TestKit;

namespace OnCallBot.Teams.Tests.Inbound;

/// <summary>
/// <c>POST /api/messages</c> over loopback HTTP, with the Bot Framework's OpenID metadata and keys served by a fake on
/// loopback and tokens signed by the tests' own RSA keys: each of the Bot Framework's rules is refused on its own.
/// </summary>
public sealed class TeamsMessagesEndpointTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
    private readonly TestSigningKey _key = new("key-2026-01", "msteams", "skype");
    private FakeBotFrameworkOpenId _openId = null!;
    private TeamsTestHost _host = null!;

    private RecordingTeamsActivityHandler Handler => _host.Handler!;

    private DateTimeOffset Now => _time.GetUtcNow();

    public async Task InitializeAsync()
    {
        _openId = await FakeBotFrameworkOpenId.StartAsync();
        _openId.Publish(_key);
        _host = await TeamsTestHost.StartAsync(_time, TeamsTestHost.Config(_openId.MetadataUrl));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _openId.DisposeAsync();
        _key.Dispose();
    }

    private string ValidToken() => new TestToken().SignWith(_key, Now);

    private void AssertRefused(HttpResponseMessage response, HttpStatusCode status, TeamsAuthFailure failure)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Empty(Handler.Activities);
        Assert.False(_host.ServiceUrls.IsTrusted(new Uri(TeamsTestHost.ServiceUrl)), "a refused request must not make its service URL trusted");
        var refusal = Assert.Single(_host.Logs.Lines, l => l.EventId.Id == 3500);
        Assert.Equal(LogLevel.Warning, refusal.Level);
        Assert.Contains(failure.ToString(), refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Messages_ValidToken_ActivityHandledAndServiceUrlTrusted()
    {
        using var response = await _host.PostActivityAsync(TeamsTestHost.Message(), ValidToken());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var activity = Assert.Single(Handler.Activities);
        Assert.Equal("message", activity.Type);
        Assert.Equal("page checkout Cards are timing out", activity.CommandText);
        Assert.True(_host.ServiceUrls.IsTrusted(new Uri(TeamsTestHost.ServiceUrl)));
        Assert.DoesNotContain(_host.Logs.Lines, l => l.EventId.Id == 3500);
    }

    [Fact]
    public async Task Messages_HandlerAnswersInvokeResponse_WrittenAsJson()
    {
        Handler.Respond = _ => TeamsActivityResponse.AdaptiveCardMessage("Acknowledged");

        using var response = await _host.PostActivityAsync(TeamsTestHost.Message(), ValidToken());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(200, json.RootElement.GetProperty("statusCode").GetInt32());
        Assert.Equal("application/vnd.microsoft.activity.message", json.RootElement.GetProperty("type").GetString());
        Assert.Equal("Acknowledged", json.RootElement.GetProperty("value").GetString());
    }

    [Fact]
    public async Task Messages_NoAuthorizationHeader_401()
    {
        using var response = await _host.PostActivityAsync(TeamsTestHost.Message(), token: null);

        AssertRefused(response, HttpStatusCode.Unauthorized, TeamsAuthFailure.MissingToken);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Messages_TokenUnderAnotherScheme_401()
    {
        var token = ValidToken();

        using var response = await _host.PostActivityAsync(TeamsTestHost.Message(), token: null,
            tweak: r => r.Headers.TryAddWithoutValidation("Authorization", "Basic " + token));

        AssertRefused(response, HttpStatusCode.Unauthorized, TeamsAuthFailure.MissingToken);
    }

    [Fact]
    public async Task Messages_SignedByAnotherKeyUnderTheSameKid_401BadSignature()
    {
        using var forger = RSA.Create(2048);
        var forged = new TestToken().SignWith(forger, _key.Kid, Now);

        using var response = await _host.PostActivityAsync(TeamsTestHost.Message(), forged);

        AssertRefused(response, HttpStatusCode.Unauthorized, TeamsAuthFailure.BadSignature);
    }

    [Fact]
    public async Task Messages_SignatureOfAnotherPayload_401BadSignature()
    {
        var genuine = ValidToken().Split('.');
        var other = new TestToken { Audience = "another-bot" }.SignWith(_key, Now).Split('.');
        var spliced = $"{other[0]}.{other[1]}.{genuine[2]}";

        using var response = await _host.PostActivityAsync(TeamsTestHost.Message(), spliced);

        AssertRefused(response, HttpStatusCode.Unauthorized, TeamsAuthFailure.BadSignature);
    }

    [Fact]
    public async Task Messages_Rs384Token_401()
    {
        var token = new TestToken { Algorithm = SecurityAlgorithms.RsaSha384 }.SignWith(_key, Now);

        using var response = await _host.PostActivityAsync(TeamsTestHost.Message(), token);

        AssertRefused(response, HttpStatusCode.Unauthorized, TeamsAuthFailure.BadSignature);
    }

    [Fact]
    public async Task Messages_NotAJwt_401Malformed()
    {
        using var response = await _host.PostActivityAsync(TeamsTestHost.Message(), "not-a-jwt");

        AssertRefused(response, HttpStatusCode.Unauthorized, TeamsAuthFailure.MalformedToken);
    }

    [Fact]
    public async Task Messages_WrongIssuer_401()
    {
        var token = new TestToken { Issuer = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/" }.SignWith(_key, Now);

        using var response = await _host.PostActivityAsync(TeamsTestHost.Message(), token);

        AssertRefused(response, HttpStatusCode.Unauthorized, TeamsAuthFailure.WrongIssuer);
    }

    [Fact]
    public async Task Messages_TokenForAnotherBot_401WrongAudience()
    {
        var token = new TestToken { Audience = "00000000-0000-0000-0000-000000000001" }.SignWith(_key, Now);

        using var response = await _host.PostActivityAsync(TeamsTestHost.Message(), token);

        AssertRefused(response, HttpStatusCode.Unauthorized, TeamsAuthFailure.WrongAudience);
    }

    [Fact]
    public async Task Messages_ExpiredMoreThanFiveMinutesAgo_401()
    {
        var token = new TestToken { NotBefore = Now.AddHours(-2), Expires = Now.AddMinutes(-5).AddSeconds(-1) }.SignWith(_key, Now);

        using var response = await _host.PostActivityAsync(TeamsTestHost.Message(), token);

        AssertRefused(response, HttpStatusCode.Unauthorized, TeamsAuthFailure.Expired);
    }

    [Fact]
    public async Task Messages_ExpiredWithinTheFiveMinutesOfSkew_Handled()
    {
        var token = new TestToken { NotBefore = Now.AddHours(-1), Expires = Now.AddMinutes(-4) }.SignWith(_key, Now);

        using var response = await _host.PostActivityAsync(TeamsTestHost.Message(), token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Handler.Activities);
    }

    [Fact]
    public async Task Messages_ValidOnlyFromMoreThanFiveMinutesAhead_401()
    {
        var token = new TestToken { NotBefore = Now.AddMinutes(6), Expires = Now.AddHours(1) }.SignWith(_key, Now);

        using var response = await _host.PostActivityAsync(TeamsTestHost.Message(), token);

        AssertRefused(response, HttpStatusCode.Unauthorized, TeamsAuthFailure.NotYetValid);
    }

    [Fact]
    public async Task Messages_KeyNotEndorsedForTeams_403()
    {
        _key.Endorsements = ["skype", "webchat"];
        _openId.Publish(_key);

        using var response = await _host.PostActivityAsync(TeamsTestHost.Message(), ValidToken());

        AssertRefused(response, HttpStatusCode.Forbidden, TeamsAuthFailure.ChannelNotEndorsed);
    }

    [Fact]
    public async Task Messages_KeyWithoutEndorsements_403()
    {
        _key.Endorsements = [];
        _openId.Publish(_key);

        using var response = await _host.PostActivityAsync(TeamsTestHost.Message(), ValidToken());

        AssertRefused(response, HttpStatusCode.Forbidden, TeamsAuthFailure.ChannelNotEndorsed);
    }

    [Fact]
    public async Task Messages_ActivityWithoutChannelId_403()
    {
        var activity = JsonNode.Parse(TeamsTestHost.Message())!.AsObject();
        activity.Remove("channelId");

        using var response = await _host.PostActivityAsync(activity.ToJsonString(), ValidToken());

        AssertRefused(response, HttpStatusCode.Forbidden, TeamsAuthFailure.ChannelNotEndorsed);
    }

    [Fact]
    public async Task Messages_EndorsedChannelThatIsNotTeams_403()
    {
        using var response = await _host.PostActivityAsync(TeamsTestHost.Message(channelId: "skype"), ValidToken());

        AssertRefused(response, HttpStatusCode.Forbidden, TeamsAuthFailure.NotTeams);
    }

    [Fact]
    public async Task Messages_ServiceUrlClaimIsNotTheActivitysServiceUrl_401()
    {
        const string Elsewhere = "https://attacker.example/amer/";
        var token = new TestToken { ServiceUrl = TeamsTestHost.ServiceUrl }.SignWith(_key, Now);

        using var response = await _host.PostActivityAsync(TeamsTestHost.Message(serviceUrl: Elsewhere), token);

        AssertRefused(response, HttpStatusCode.Unauthorized, TeamsAuthFailure.ServiceUrlMismatch);
        Assert.False(_host.ServiceUrls.IsTrusted(new Uri(Elsewhere)));
    }

    [Fact]
    public async Task Messages_TokenWithoutServiceUrlClaim_401()
    {
        var token = new TestToken { ServiceUrl = null }.SignWith(_key, Now);

        using var response = await _host.PostActivityAsync(TeamsTestHost.Message(), token);

        AssertRefused(response, HttpStatusCode.Unauthorized, TeamsAuthFailure.MissingServiceUrlClaim);
    }

    [Fact]
    public async Task Messages_UnknownKidStillUnknownAfterRefresh_401AndKeysFetchedOnceMore()
    {
        using var stranger = new TestSigningKey("key-nobody-published", "msteams");
        using var warmUp = await _host.PostActivityAsync(TeamsTestHost.Message(), ValidToken());
        Assert.Equal(HttpStatusCode.OK, warmUp.StatusCode);
        Assert.Equal(1, _openId.KeyDownloads);
        Handler.Activities.Clear();

        using var response = await _host.PostActivityAsync(TeamsTestHost.Message(), new TestToken().SignWith(stranger, Now));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(Handler.Activities);
        Assert.Equal(2, _openId.KeyDownloads);
        Assert.Contains(_host.Logs.Lines, l => l.EventId.Id == 3500 && l.Message.Contains(nameof(TeamsAuthFailure.UnknownSigningKey), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Messages_KeyRotatedInSinceTheLastFetch_OneRefreshThenHandled()
    {
        using var rotated = new TestSigningKey("key-2026-02", "msteams");
        using var warmUp = await _host.PostActivityAsync(TeamsTestHost.Message(), ValidToken());
        Assert.Equal(1, _openId.MetadataDownloads);
        _openId.Publish(_key, rotated);

        using var response = await _host.PostActivityAsync(TeamsTestHost.Message(), new TestToken().SignWith(rotated, Now));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, Handler.Activities.Count);
        Assert.Equal(2, _openId.MetadataDownloads);
        Assert.Equal(2, _openId.KeyDownloads);
        Assert.Contains(_host.Logs.Lines, l => l.EventId.Id == 3505 && l.Message.Contains("key-2026-02", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Messages_UnknownKidsInARow_KeysFetchedAgainAtMostOnce()
    {
        using var stranger = new TestSigningKey("made-up", "msteams");
        var tokens = Enumerable.Range(0, 3).Select(i => new TestToken().SignWith(stranger, Now, kid: $"made-up-{i}")).ToList();
        using var warmUp = await _host.PostActivityAsync(TeamsTestHost.Message(), ValidToken());

        foreach (var token in tokens)
        {
            using var response = await _host.PostActivityAsync(TeamsTestHost.Message(), token);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.Equal(2, _openId.KeyDownloads);
    }

    [Fact]
    public async Task Messages_KeysCachedAcrossRequests_FetchedOnce()
    {
        for (var i = 0; i < 3; i++)
        {
            using var response = await _host.PostActivityAsync(TeamsTestHost.Message(), ValidToken());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(1, _openId.MetadataDownloads);
        Assert.Equal(1, _openId.KeyDownloads);
    }

    [Fact]
    public async Task Messages_MetadataEndpointDown_503AndNothingHandled()
    {
        _openId.FailWith = 500;

        using var response = await _host.PostActivityAsync(TeamsTestHost.Message(), ValidToken());

        AssertRefused(response, HttpStatusCode.ServiceUnavailable, TeamsAuthFailure.MetadataUnavailable);
        Assert.Contains(_host.Logs.Lines, l => l.EventId.Id == 3504 && l.Level == LogLevel.Error);
    }

    [Fact]
    public async Task Messages_MalformedJsonWithValidToken_400AndNothingHandled()
    {
        using var response = await _host.PostActivityAsync("{\"type\": \"message\", ", ValidToken());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(Handler.Activities);
        Assert.False(_host.ServiceUrls.IsTrusted(new Uri(TeamsTestHost.ServiceUrl)));
        Assert.Contains(_host.Logs.Lines, l => l.EventId.Id == 3501);
    }

    [Fact]
    public async Task Messages_MalformedJsonWithoutToken_401BeforeTheBodyIsRead()
    {
        using var response = await _host.PostActivityAsync("{\"type\": ", token: null);

        AssertRefused(response, HttpStatusCode.Unauthorized, TeamsAuthFailure.MissingToken);
        Assert.DoesNotContain(_host.Logs.Lines, l => l.EventId.Id == 3501);
    }

    [Fact]
    public async Task Messages_BodyOverOneMebibyte_413()
    {
        var activity = TeamsTestHost.Message(text: new string('x', TeamsHttpEndpoint.MaxActivityBytes));

        using var response = await _host.PostActivityAsync(activity, ValidToken());

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(Handler.Activities);
    }

    [Fact]
    public async Task Messages_RefusedOrAccepted_TokenNeverLogged()
    {
        var valid = ValidToken();
        var wrongAudience = new TestToken { Audience = "another-bot" }.SignWith(_key, Now);

        using var accepted = await _host.PostActivityAsync(TeamsTestHost.Message(), valid);
        using var refused = await _host.PostActivityAsync(TeamsTestHost.Message(), wrongAudience);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        foreach (var token in new[] { valid, wrongAudience })
        {
            var signature = token.Split('.')[2];
            Assert.DoesNotContain(_host.Logs.Lines, l => l.Message.Contains(signature, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Messages_HandlerThrows_500()
    {
        Handler.Respond = _ => throw new InvalidOperationException("boom");

        using var response = await _host.PostActivityAsync(TeamsTestHost.Message(), ValidToken());

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains(_host.Logs.Lines, l => l.EventId.Id == 3503 && l.Level == LogLevel.Error);
    }
}
