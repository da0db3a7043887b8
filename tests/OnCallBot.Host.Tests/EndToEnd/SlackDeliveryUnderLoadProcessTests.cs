using System.Globalization;
using System.Net;
using System.Text;
using OnCallBot.TestKit.Hosting;
using OnCallBot.TestKit.Slack;

namespace OnCallBot.Host.Tests.EndToEnd;

/// <summary>
/// Pages keep their teeth in a storm (issue 14), tried on the real bot process against a Slack stand-in that applies
/// Slack's published rate tiers over loopback (HTTP 429 with Retry-After over a limit), with incident channels on.
/// The assertions are about order and counts: which calls reached Slack before which, and how many.
/// </summary>
[Collection(BotProcesses.Name)]
public sealed class SlackDeliveryUnderLoadProcessTests : IAsyncLifetime
{
    private const string SigningSecret = "e2e-signing-secret-0123456789abcdef";
    private const int Services = 20;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly TempDirectory _temp = new();
    private FakeSlackServer _slack = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlackServer.StartAsync(new FakeSlackServerOptions { RateLimits = SlackRateLimits.Published });
        await File.WriteAllTextAsync(_temp.File("oncall.yaml"), Config());
    }

    public async Task DisposeAsync()
    {
        await _slack.DisposeAsync();
        _temp.Dispose();
    }

    /// <summary>Twenty services, each with its own level-1 person (Pnn) and level-2 person (Snn); nobody times out in a test.</summary>
    private static string Config()
    {
        var yaml = new StringBuilder("users:\n");
        for (var i = 1; i <= Services + 1; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  - {{ id: p{i:D2}, name: Primary {i:D2}, time_zone: UTC, slack: {PrimarySlack(i)} }}\n");
            yaml.Append(CultureInfo.InvariantCulture, $"  - {{ id: s{i:D2}, name: Secondary {i:D2}, time_zone: UTC, slack: U0S{i:D2}00000 }}\n");
        }
        yaml.Append("  - { id: grace, name: Grace Green, time_zone: UTC, slack: U0GRACE007 }\nteams:\n");
        yaml.Append("  - { id: ops, name: Ops, members: [grace] }\nschedules:\n");
        for (var i = 1; i <= Services + 1; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture,
                $"  - {{ id: sched{i:D2}, name: Schedule {i:D2}, time_zone: UTC, layers: [ {{ name: always, members: [p{i:D2}], shift: weekly, start: 2020-01-06, handoff: \"09:00\" }} ] }}\n");
        }
        yaml.Append("escalation_policies:\n");
        for (var i = 1; i <= Services + 1; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture,
                $"  - {{ id: pol{i:D2}, name: Policy {i:D2}, levels: [ {{ timeout: 30m, targets: [ {{ schedule: sched{i:D2} }} ] }}, {{ timeout: 30m, targets: [ {{ user: s{i:D2} }} ] }} ] }}\n");
        }
        yaml.Append("services:\n");
        for (var i = 1; i <= Services + 1; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  - {{ id: svc{i:D2}, name: Service {i:D2}, team: ops, escalation_policy: pol{i:D2} }}\n");
        }
        return yaml.ToString();
    }

    private static string PrimarySlack(int i) => string.Create(CultureInfo.InvariantCulture, $"U0P{i:D2}00000");

    private Dictionary<string, string> Settings => new()
    {
        ["Storage:ConnectionString"] = _temp.SqliteConnectionString,
        ["OnCall:ConfigPath"] = _temp.File("oncall.yaml"),
        ["Slack:BotToken"] = FakeSlackServer.BotToken,
        ["Slack:SigningSecret"] = SigningSecret,
        ["Slack:ApiBaseUrl"] = _slack.ApiBaseUrl.ToString(),
        ["Incidents:OpenChannels"] = "true",
    };

    [Fact]
    public async Task TwentyPagesAtOnce_ChannelsOn_EveryDmGoesBeforeTheChannelBacklogAndALaterPageJumpsIt()
    {
        await using var host = await HostProcess.StartAsync(Settings);
        var client = Client(host);

        var pages = await Task.WhenAll(Enumerable.Range(1, Services).Select(async i =>
        {
            using var response = await client.CommandAsync("/page", $"svc{i:D2} Storm number {i}", "U0GRACE007");
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));
        Assert.All(pages, p => Assert.True(p.StatusCode == HttpStatusCode.OK, p.Body));

        // Every level-1 person gets their page in their DM.
        await WaitForAsync(_ => DeliveredDms().Count >= Services, Patience);
        var firstDms = DeliveredDms();
        Assert.Equal(Enumerable.Range(1, Services).Select(PrimarySlack).Order(), firstDms.Select(d => _slack.UserOfDirectChannel(d.Channel!)!).Order());

        // Channel creation is Tier 2 (a burst, then about one every 3 s): twenty channels take about a minute, and no DM
        // waited for that backlog. The DMs all went before the channel openings that were still queued behind them.
        var creates = Admitted("conversations.create");
        Assert.True(creates.Count < Services, $"all {creates.Count} channels were open before the last DM: the storm never built a backlog");

        // A page made while that backlog is still queued is delivered next: before the remaining channels are opened.
        using (var late = await client.CommandAsync("/page", $"svc{Services + 1:D2} Paged during the backlog", "U0GRACE007"))
        {
            Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        }
        var lateDm = await WaitForAsync(c => !c.RateLimited && c.Method == "chat.postMessage"
            && _slack.UserOfDirectChannel(c.Channel ?? "") == PrimarySlack(Services + 1), Patience);
        Assert.True(Admitted("conversations.create").Count < Services + 1, "the late page's DM waited for every channel to be opened");

        // Everything queued still happens: every incident gets its channel, none is lost.
        await WaitForAsync(_ => Admitted("conversations.create").Count >= Services + 1, TimeSpan.FromMinutes(3));
        // One conversations.open per person, however many messages went to their DM.
        var opens = Admitted("conversations.open").GroupBy(c => c.Args.GetValueOrDefault("users")).ToList();
        Assert.All(opens, g => Assert.Single(g));
        Assert.Equal(Services + 1, opens.Count);
        Assert.True(lateDm.ReceivedAt < Admitted("conversations.create").Max(c => c.ReceivedAt));
        Assert.Empty(_slack.SpecViolations);
    }

    [Fact]
    public async Task DmChannelRateLimited_AnotherPersonsPageIsNotHeldUp()
    {
        var settings = Settings;
        // Only the DMs are under test here.
        settings["Incidents:OpenChannels"] = "false";
        await using var host = await HostProcess.StartAsync(settings);
        var client = Client(host);
        // Slack refuses the first DM (Primary 01's) with a 20 s Retry-After for that call.
        _slack.EnqueueRateLimit("chat.postMessage", retryAfterSeconds: 20);

        using (var first = await client.CommandAsync("/page", "svc01 First page", "U0GRACE007"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }
        await WaitForAsync(c => c.Method == "chat.postMessage" && _slack.UserOfDirectChannel(c.Channel ?? "") == PrimarySlack(1), Patience);
        using (var second = await client.CommandAsync("/page", "svc02 Second page", "U0GRACE007"))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        var secondDm = await WaitForAsync(c => !c.RateLimited && c.Method == "chat.postMessage"
            && _slack.UserOfDirectChannel(c.Channel ?? "") == PrimarySlack(2), Patience);
        var firstDm = await WaitForAsync(c => c.Method == "chat.postMessage" && c.ReceivedAt > secondDm.ReceivedAt
            && _slack.UserOfDirectChannel(c.Channel ?? "") == PrimarySlack(1), Patience);

        // The second person's page went out while the first one's DM was still waiting out its Retry-After; the first
        // was then delivered too, exactly once after the refusal.
        Assert.True(secondDm.ReceivedAt < firstDm.ReceivedAt);
        Assert.Equal(2, _slack.CallsTo("chat.postMessage").Count(c => _slack.UserOfDirectChannel(c.Channel ?? "") == PrimarySlack(1)));
    }

    private List<RecordedSlackCall> DeliveredDms() =>
        [.. _slack.CallsTo("chat.postMessage").Where(c => !c.RateLimited && _slack.UserOfDirectChannel(c.Channel ?? "") is not null)];

    private List<RecordedSlackCall> Admitted(string method) => [.. _slack.CallsTo(method).Where(c => !c.RateLimited)];

    private async Task<RecordedSlackCall> WaitForAsync(Func<RecordedSlackCall, bool> match, TimeSpan timeout)
    {
        try
        {
            return await _slack.WaitForCallAsync(match, timeout);
        }
        catch (TimeoutException)
        {
            var calls = string.Join("\n", _slack.Calls.TakeLast(60).Select(c => $"{c.ReceivedAt:HH:mm:ss.fff} {c.Method}{(c.RateLimited ? " (429)" : "")} {c.Channel}"));
            throw new TimeoutException($"No matching Slack call within {timeout}. Last calls:\n{calls}");
        }
    }

    private SignedSlackClient Client(HostProcess host) => new(host.BaseUrl, SigningSecret, _slack);
}
