using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using OnCallBot.TestKit;

namespace OnCallBot.Teams.Tests.Inbound;

/// <summary>
/// The real Bot Framework token and key from <c>../shared/fixtures/teams/auth/</c> on a fixed clock, and every activity
/// of <c>../shared/fixtures/teams/activities/</c> driven through <c>POST /api/messages</c>.
/// </summary>
public sealed class TeamsFixtureActivitiesTests
{
    private static (string Token, DateTimeOffset NotBefore, DateTimeOffset Expires, string Audience, string ServiceUrl) RealToken()
    {
        using var vector = JsonDocument.Parse(SharedFixtures.ReadText("teams/auth/botframework_jwt_test_vector.sentry.json"));
        var payload = vector.RootElement.GetProperty("payload");
        return (vector.RootElement.GetProperty("token").GetString()!,
            DateTimeOffset.FromUnixTimeSeconds(payload.GetProperty("nbf").GetInt64()),
            DateTimeOffset.FromUnixTimeSeconds(payload.GetProperty("exp").GetInt64()),
            payload.GetProperty("aud").GetString()!,
            payload.GetProperty("serviceurl").GetString()!);
    }

    private static JsonObject[] RealKeys() =>
        [.. JsonNode.Parse(SharedFixtures.ReadText("teams/auth/botframework_jwks_msteams_key_excerpt.sentry.json"))!["keys"]!.AsArray().Select(k => k!.AsObject().DeepClone().AsObject())];

    private static string ActivityFixture(string name) => SharedFixtures.ReadText("teams/activities/" + name);

    [SharedFixtureFact]
    public async Task Messages_RealBotFrameworkTokenOnAFixedClock_Handled()
    {
        var real = RealToken();
        Assert.Equal(TeamsTestHost.AppId, real.Audience);
        await using var openId = await FakeBotFrameworkOpenId.StartAsync();
        openId.PublishRaw(RealKeys());
        var time = new FakeTimeProvider(real.NotBefore.AddMinutes(10));
        await using var host = await TeamsTestHost.StartAsync(time, TeamsTestHost.Config(openId.MetadataUrl));
        var activity = ActivityFixture("message_channel_at_mention.sentry.json");
        Assert.Equal(real.ServiceUrl, JsonNode.Parse(activity)!["serviceUrl"]!.GetValue<string>());

        using var response = await host.PostActivityAsync(activity, real.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var handled = Assert.Single(host.Handler!.Activities);
        Assert.Equal("help", handled.CommandText);
        Assert.True(host.ServiceUrls.IsTrusted(new Uri(real.ServiceUrl)));
    }

    [SharedFixtureFact]
    public async Task Messages_RealTokenSixMinutesAfterItsExpiry_401()
    {
        var real = RealToken();
        await using var openId = await FakeBotFrameworkOpenId.StartAsync();
        openId.PublishRaw(RealKeys());
        var time = new FakeTimeProvider(real.Expires.AddMinutes(6));
        await using var host = await TeamsTestHost.StartAsync(time, TeamsTestHost.Config(openId.MetadataUrl));

        using var response = await host.PostActivityAsync(ActivityFixture("message_channel_at_mention.sentry.json"), real.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(host.Handler!.Activities);
    }

    [SharedFixtureFact]
    public async Task Messages_RealTokenWithTheRealKeyStrippedOfItsMsteamsEndorsement_403()
    {
        var real = RealToken();
        await using var openId = await FakeBotFrameworkOpenId.StartAsync();
        var keys = RealKeys();
        keys[0]["endorsements"] = new JsonArray("skype");
        openId.PublishRaw(keys);
        var time = new FakeTimeProvider(real.NotBefore.AddMinutes(10));
        await using var host = await TeamsTestHost.StartAsync(time, TeamsTestHost.Config(openId.MetadataUrl));

        using var response = await host.PostActivityAsync(ActivityFixture("message_channel_at_mention.sentry.json"), real.Token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(host.Handler!.Activities);
    }

    [SharedFixtureFact]
    public async Task Messages_RealTokenForAnotherAppId_401()
    {
        var real = RealToken();
        await using var openId = await FakeBotFrameworkOpenId.StartAsync();
        openId.PublishRaw(RealKeys());
        var time = new FakeTimeProvider(real.NotBefore.AddMinutes(10));
        var config = TeamsTestHost.Config(openId.MetadataUrl);
        config["Teams:AppId"] = "11111111-2222-3333-4444-555555555555";
        await using var host = await TeamsTestHost.StartAsync(time, config);

        using var response = await host.PostActivityAsync(ActivityFixture("message_channel_at_mention.sentry.json"), real.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(host.Handler!.Activities);
    }

    /// <summary>
    /// Every activity fixture, signed for its own serviceUrl by a key endorsed for msteams, reaches the handler; the one
    /// without a channelId is refused with 403, since no endorsement can vouch for an activity that names no channel.
    /// </summary>
    [SharedFixtureFact]
    public async Task Messages_EveryFixtureActivity_HandledOrRefusedForItsMissingChannel()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
        using var key = new TestSigningKey("fixture-key", "msteams");
        await using var openId = await FakeBotFrameworkOpenId.StartAsync();
        openId.Publish(key);
        await using var host = await TeamsTestHost.StartAsync(time, TeamsTestHost.Config(openId.MetadataUrl));
        var files = Directory.GetFiles(SharedFixtures.PathOf("teams/activities"), "*.json").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);

        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            var json = JsonNode.Parse(text)!;
            var token = new TestToken { ServiceUrl = json["serviceUrl"]!.GetValue<string>() }.SignWith(key, time.GetUtcNow());
            var before = host.Handler!.Activities.Count;

            using var response = await host.PostActivityAsync(text, token);

            var expected = json["channelId"] is null ? HttpStatusCode.Forbidden : HttpStatusCode.OK;
            Assert.True(expected == response.StatusCode, $"{Path.GetFileName(file)}: expected {expected}, got {response.StatusCode}");
            Assert.Equal(before + (expected == HttpStatusCode.OK ? 1 : 0), host.Handler.Activities.Count);
        }
    }
}
