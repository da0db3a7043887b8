using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OnCallBot.TestKit;
using OnCallBot.TestKit.Slack;

namespace OnCallBot.Slack.Tests.Fakes;

/// <summary>
/// The Slack stand-in's rate limits (TestKit's <see cref="SlackRateLimitEnforcer"/> and the fake server in rate-limit
/// mode), which process tests and benchmarks trust to refuse what Slack would refuse: on a fake clock, no timing.
/// </summary>
public sealed class SlackRateLimitStandInTests
{
    private const string Workspace = FakeSlackServer.BotToken;

    [Fact]
    public void TryAdmit_Tier2PastItsBurst_RefusedWithTheSecondsUntilTheNextToken()
    {
        var time = new FakeTimeProvider();
        var limits = new SlackRateLimitEnforcer(SlackRateLimits.Published, time);

        var answers = Enumerable.Range(0, 6).Select(_ => limits.TryAdmit(Workspace, "conversations.create", null)).ToList();

        Assert.All(answers.Take(5), a => Assert.Null(a));
        // 20 a minute: one token every 3 s.
        Assert.Equal(TimeSpan.FromSeconds(3), answers[5]);
    }

    [Fact]
    public void TryAdmit_RefusedCalls_SpendNothingAndTheNextTokenComesOnTime()
    {
        var time = new FakeTimeProvider();
        var limits = new SlackRateLimitEnforcer(SlackRateLimits.Published, time);
        for (var i = 0; i < 5; i++)
        {
            Assert.Null(limits.TryAdmit(Workspace, "pins.add", null));
        }

        time.Advance(TimeSpan.FromSeconds(1));
        var early = limits.TryAdmit(Workspace, "pins.add", null);
        time.Advance(TimeSpan.FromSeconds(1));
        var stillEarly = limits.TryAdmit(Workspace, "pins.add", null);
        time.Advance(TimeSpan.FromSeconds(1));
        var onTime = limits.TryAdmit(Workspace, "pins.add", null);
        var afterIt = limits.TryAdmit(Workspace, "pins.add", null);

        Assert.Equal(TimeSpan.FromSeconds(2), early);
        Assert.Equal(TimeSpan.FromSeconds(1), stillEarly);
        Assert.Null(onTime);
        Assert.Equal(TimeSpan.FromSeconds(3), afterIt);
    }

    [Theory]
    [InlineData("apps.connections.open", 1, 2)]
    [InlineData("conversations.create", 20, 5)]
    [InlineData("conversations.open", 50, 10)]
    [InlineData("users.info", 100, 20)]
    public void TryAdmit_CalledEverySecondForTenMinutes_AdmitsTheTiersRatePerMinutePlusItsBurst(string method, int perMinute, int burst)
    {
        var time = new FakeTimeProvider();
        var limits = new SlackRateLimitEnforcer(SlackRateLimits.Published, time);

        var admitted = 0;
        // From the first second to the one ten minutes later: ten minutes of refill.
        for (var second = 0; second <= 600; second++)
        {
            // Ten tries a second: a caller that ignores Retry-After gets no more than one that honours it.
            for (var i = 0; i < 10; i++)
            {
                admitted += limits.TryAdmit(Workspace, method, null) is null ? 1 : 0;
            }
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(burst + (perMinute * 10), admitted);
    }

    [Fact]
    public void TryAdmit_PostMessage_PacedPerChannelAtOneASecondNotForTheWholeWorkspace()
    {
        var time = new FakeTimeProvider();
        var limits = new SlackRateLimitEnforcer(SlackRateLimits.Published, time);

        var toAlice = Enumerable.Range(0, 4).Select(_ => limits.TryAdmit(Workspace, "chat.postMessage", "D0ALICE")).ToList();
        var toBob = limits.TryAdmit(Workspace, "chat.postMessage", "D0BOB");
        time.Advance(TimeSpan.FromSeconds(1));
        var toAliceLater = limits.TryAdmit(Workspace, "chat.postMessage", "D0ALICE");

        Assert.All(toAlice.Take(3), a => Assert.Null(a));
        Assert.Equal(TimeSpan.FromSeconds(1), toAlice[3]);
        Assert.Null(toBob);
        Assert.Null(toAliceLater);
    }

    [Fact]
    public void TryAdmit_WorkspaceWidePostMessageLimitSet_AppliesAcrossChannelsToo()
    {
        var time = new FakeTimeProvider();
        var limits = new SlackRateLimitEnforcer(SlackRateLimits.Published with { PostMessagePerWorkspace = new SlackRateAllowance(300, 2) }, time);

        var first = limits.TryAdmit(Workspace, "chat.postMessage", "D0ALICE");
        var second = limits.TryAdmit(Workspace, "chat.postMessage", "D0BOB");
        var third = limits.TryAdmit(Workspace, "chat.postMessage", "D0CAROL");

        Assert.Null(first);
        Assert.Null(second);
        // 300 a minute: a token every 0.2 s, which Slack's whole-second Retry-After rounds up to 1.
        Assert.Equal(TimeSpan.FromSeconds(1), third);
    }

    [Fact]
    public void TryAdmit_OneMethodOrWorkspaceExhausted_OthersUnaffected()
    {
        var time = new FakeTimeProvider();
        var limits = new SlackRateLimitEnforcer(SlackRateLimits.Published, time);
        for (var i = 0; i < 5; i++)
        {
            Assert.Null(limits.TryAdmit(Workspace, "conversations.create", null));
        }

        Assert.NotNull(limits.TryAdmit(Workspace, "conversations.create", null));
        Assert.Null(limits.TryAdmit(Workspace, "conversations.setTopic", null));
        Assert.Null(limits.TryAdmit(Workspace, "conversations.open", null));
        Assert.Null(limits.TryAdmit("xoxb-another-workspace", "conversations.create", null));
        Assert.Null(limits.TryAdmit(Workspace, "views.publish", null));
    }

    [SharedFixtureFact]
    public void MethodTiers_AgreeWithSlacksTierTable()
    {
        using var table = JsonDocument.Parse(SharedFixtures.ReadText("slack/spec/java-slack-sdk_rate_limit_tiers.json"));

        foreach (var (method, tier) in SlackRateLimits.MethodTiers)
        {
            var published = table.RootElement.GetProperty(method).GetString();
            Assert.Equal(tier == SlackMethodTier.PostMessage ? "SpecialTier_chat_postMessage" : tier.ToString(), published);
        }
    }

    [Fact]
    public async Task FakeSlackServer_WithRateLimits_Answers429WithRetryAfterAsSlackAndRecordsEveryCall()
    {
        var time = new FakeTimeProvider();
        await using var slack = await FakeSlackServer.StartAsync(new FakeSlackServerOptions { CheckSpec = false, RateLimits = SlackRateLimits.Published, TimeProvider = time });
        using var http = new HttpClient();

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await CallAsync(http, slack, "conversations.create", $"name=inc-{i}"));
        }
        var refused = answers[5];
        var body = await refused.Content.ReadAsStringAsync();
        time.Advance(TimeSpan.FromSeconds(3));
        using var later = await CallAsync(http, slack, "conversations.create", "name=inc-later");

        Assert.All(answers.Take(5), a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), refused.Headers.RetryAfter?.Delta);
        using (var json = JsonDocument.Parse(body))
        {
            Assert.False(json.RootElement.GetProperty("ok").GetBoolean());
            Assert.Equal("ratelimited", json.RootElement.GetProperty("error").GetString());
        }
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        var calls = slack.CallsTo("conversations.create");
        Assert.Equal(7, calls.Count);
        Assert.Equal([false, false, false, false, false, true, false], calls.Select(c => c.RateLimited));
        Assert.Equal(time.GetUtcNow() - TimeSpan.FromSeconds(3), calls[5].ReceivedAt);
        Assert.Equal(time.GetUtcNow(), calls[6].ReceivedAt);
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task FakeSlackServer_WithRateLimits_ScriptedAnswerWaitsForTheNextAdmittedCall()
    {
        var time = new FakeTimeProvider();
        await using var slack = await FakeSlackServer.StartAsync(new FakeSlackServerOptions { CheckSpec = false, RateLimits = SlackRateLimits.Published, TimeProvider = time });
        using var http = new HttpClient();
        for (var i = 0; i < 3; i++)
        {
            using var ok = await CallAsync(http, slack, "chat.postMessage", "channel=D0ALICE&text=hi");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        slack.EnqueueError("chat.postMessage", "channel_not_found");

        using var refused = await CallAsync(http, slack, "chat.postMessage", "channel=D0ALICE&text=hi");
        time.Advance(TimeSpan.FromSeconds(1));
        using var scripted = await CallAsync(http, slack, "chat.postMessage", "channel=D0ALICE&text=hi");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.Contains("channel_not_found", await scripted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("D0ALICE", slack.CallsTo("chat.postMessage")[^1].Channel);
    }

    [Fact]
    public async Task FakeSlackServer_ConversationsOpen_SameDirectChannelForTheSameUserAsSlack()
    {
        await using var slack = await FakeSlackServer.StartAsync(checkSpec: false);
        using var http = new HttpClient();
        var seeded = slack.DirectChannelFor("U0ALICE001");

        var first = await OpenedChannelAsync(http, slack, "U0ALICE001");
        var again = await OpenedChannelAsync(http, slack, "U0ALICE001");
        var bob = await OpenedChannelAsync(http, slack, "U0BOB00002");

        Assert.Equal(seeded, first);
        Assert.Equal(seeded, again);
        Assert.NotEqual(seeded, bob);
        Assert.Equal("U0BOB00002", slack.UserOfDirectChannel(bob));
        Assert.Null(slack.UserOfDirectChannel("D0NOBODY"));
    }

    private static async Task<string> OpenedChannelAsync(HttpClient http, FakeSlackServer slack, string user)
    {
        using var answer = await CallAsync(http, slack, "conversations.open", "users=" + user);
        using var json = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("channel").GetProperty("id").GetString()!;
    }

    private static async Task<HttpResponseMessage> CallAsync(HttpClient http, FakeSlackServer slack, string method, string form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(slack.ApiBaseUrl, method))
        {
            Content = new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", FakeSlackServer.BotToken);
        return await http.SendAsync(request);
    }
}
