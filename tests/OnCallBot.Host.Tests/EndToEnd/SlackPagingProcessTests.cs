using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using OnCallBot.TestKit.Hosting;
using OnCallBot.TestKit.Slack;

namespace OnCallBot.Host.Tests.EndToEnd;

/// <summary>
/// The acceptance of paging, tried as a user would: the real bot process, pointed at a fake Slack over loopback,
/// paged with a signed slash command, killed with SIGKILL in the middle of an escalation, and started again.
/// </summary>
[Collection(BotProcesses.Name)]
public sealed class SlackPagingProcessTests : IAsyncLifetime
{
    private const string SigningSecret = "e2e-signing-secret-0123456789abcdef";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    // Alice holds the pager around the clock; level 1 gives her two seconds to acknowledge, then Dave is paged.
    private const string Config = """
        users:
          - { id: alice, name: Alice Anders, time_zone: Europe/Berlin, slack: U0ALICE001 }
          - { id: dave, name: Dave Duarte, time_zone: Europe/Berlin, slack: U0DAVE0004 }
          - { id: grace, name: Grace Green, time_zone: America/Chicago, slack: U0GRACE007 }
        teams:
          - { id: payments, name: Payments, members: [alice, dave], channels: { slack: C0PAYMENTS } }
        schedules:
          - id: payments-primary
            name: Payments primary
            time_zone: Europe/Berlin
            layers:
              - { name: always, members: [alice], shift: weekly, start: 2020-01-06, handoff: "09:00" }
        escalation_policies:
          - id: payments
            name: Payments
            levels:
              - { timeout: 2s, targets: [ { schedule: payments-primary } ] }
              - { timeout: 10m, targets: [ { user: dave } ] }
        services:
          - { id: checkout, name: Checkout, team: payments, escalation_policy: payments, aliases: [cart] }
        """;

    private readonly TempDirectory _temp = new();
    private FakeSlackServer _slack = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlackServer.StartAsync();
        await File.WriteAllTextAsync(_temp.File("oncall.yaml"), Config);
    }

    public async Task DisposeAsync()
    {
        await _slack.DisposeAsync();
        _temp.Dispose();
    }

    private Dictionary<string, string> Settings => new()
    {
        ["Storage:ConnectionString"] = _temp.SqliteConnectionString,
        ["OnCall:ConfigPath"] = _temp.File("oncall.yaml"),
        ["Slack:BotToken"] = FakeSlackServer.BotToken,
        ["Slack:SigningSecret"] = SigningSecret,
        ["Slack:ApiBaseUrl"] = _slack.ApiBaseUrl.ToString(),
        // The coordination channel is not under test here; keep the fake Slack's call log about paging.
        ["Incidents:OpenChannels"] = "false",
    };

    [Fact]
    public async Task Page_KilledMidEscalationAndRestarted_EscalatesOnceAndNeverNotifiesTwice()
    {
        long incident;
        await using (var first = await HostProcess.StartAsync(Settings))
        {
            using var response = await Client(first).CommandAsync("/page", "checkout Cards are timing out", "U0GRACE007");
            var reply = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, reply);
            Assert.Contains("Alice Anders", reply);
            incident = ParseIncidentNumber(reply);

            // Alice's page arrives in her DM (the process schedules it, Quartz sends it).
            await WaitForAsync(c => c.Method == "conversations.open" && c.Args.GetValueOrDefault("users") == "U0ALICE001", Patience);
            await WaitForAsync(c => c.Method == "chat.postMessage", Patience);
            // Once the timeline says she was notified, the message's id is stored (so it can be updated later).
            await WaitForTimelineAsync(first, incident, "Notified Alice Anders on slack");

            // The crash: no graceful shutdown, the level-2 step still pending in the store.
            await first.KillAsync();
        }
        // Stay down past the level-1 timeout, so the level-2 step comes due while no bot runs.
        await Task.Delay(TimeSpan.FromSeconds(2));

        await using var second = await HostProcess.StartAsync(Settings);
        // The step came due while the bot was down (or comes due now): Dave is paged once.
        await WaitForAsync(c => c.Method == "conversations.open" && c.Args.GetValueOrDefault("users") == "U0DAVE0004", Patience);
        await WaitForAsync(c => c.Method == "chat.postMessage" && _slack.CallsTo("chat.postMessage").Count >= 2, Patience);

        // Dave acknowledges with the button; every copy of the page is rewritten, which also proves no third copy exists.
        using var click = await Client(second).ButtonAsync("oncallbot.ack", incident.ToString(CultureInfo.InvariantCulture), "U0DAVE0004");
        Assert.Equal(HttpStatusCode.OK, click.StatusCode);
        await WaitForAsync(c => c.Method == "chat.update" && _slack.CallsTo("chat.update").Count >= 2, Patience);

        Assert.Single(_slack.CallsTo("conversations.open"), c => c.Args.GetValueOrDefault("users") == "U0ALICE001");
        Assert.Single(_slack.CallsTo("conversations.open"), c => c.Args.GetValueOrDefault("users") == "U0DAVE0004");
        Assert.Equal(2, _slack.CallsTo("chat.postMessage").Count);
        // Block Kit JSON escapes '<' and '>' (\u003C): read it back as text.
        Assert.All(_slack.CallsTo("chat.update"), update =>
            Assert.Contains("Acknowledged by <@U0DAVE0004>", System.Text.RegularExpressions.Regex.Unescape(update.Args.GetValueOrDefault("blocks") ?? "")));
        Assert.Empty(_slack.SpecViolations);
        // One record per step, and a true one: nothing stopped while sending, so no line may say a page may be lost.
        using var timeline = await Client(second).CommandAsync("/incident", $"timeline INC-{incident}", "U0GRACE007");
        var trail = await timeline.Content.ReadAsStringAsync();
        Assert.Contains("Notified Dave Duarte on slack", trail, StringComparison.Ordinal);
        Assert.DoesNotContain("may not have been notified", trail, StringComparison.Ordinal);
        Assert.Equal(1, System.Text.RegularExpressions.Regex.Count(trail, "Notified Dave Duarte on slack"));
    }

    [Fact]
    public async Task Page_SameCommandSentToTheBotRestartedAfterAKill_NotRunAgain()
    {
        const string trigger = "13345224609.738474920.replayed";
        var signedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await using (var first = await HostProcess.StartAsync(Settings))
        {
            using var paged = await Client(first).CommandAsync("/page", "checkout Cards are timing out", "U0GRACE007", timestamp: signedAt, triggerId: trigger);
            Assert.Contains("INC-1 paged", await paged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            await first.KillAsync();
        }

        await using var second = await HostProcess.StartAsync(Settings);
        using var replay = await Client(second).CommandAsync("/page", "checkout Cards are timing out", "U0GRACE007", timestamp: signedAt, triggerId: trigger);
        using var timeline = await Client(second).CommandAsync("/incident", "timeline INC-2", "U0GRACE007");

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Contains("OnCallBot already received this command, so it was not run again.", await replay.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("No incident INC-2.", await timeline.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_BadOrStaleSignature_Gets401AndPagesNobody()
    {
        await using var host = await HostProcess.StartAsync(Settings);

        using var forged = await Client(host).CommandAsync("/page", "checkout Cards are timing out", "U0GRACE007", secret: "not-the-secret");
        using var stale = await Client(host).CommandAsync("/page", "checkout Cards are timing out", "U0GRACE007",
            timestamp: DateTimeOffset.UtcNow.AddMinutes(-6).ToUnixTimeSeconds());

        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        using var health = await new HttpClient { BaseAddress = host.BaseUrl }.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Empty(_slack.CallsTo("chat.postMessage"));
        Assert.Empty(_slack.CallsTo("conversations.open"));
    }

    /// <summary>Asks the bot for the incident's timeline, as a user would, until it shows <paramref name="line"/>.</summary>
    private async Task WaitForTimelineAsync(HostProcess host, long incident, string line)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        var reply = "";
        while (DateTimeOffset.UtcNow < deadline)
        {
            using var response = await Client(host).CommandAsync("/incident", $"timeline INC-{incident}", "U0GRACE007");
            reply = await response.Content.ReadAsStringAsync();
            if (reply.Contains(line, StringComparison.Ordinal))
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The timeline of INC-{incident} never showed '{line}'. Last answer: {reply}");
    }

    /// <summary>Waits for a Slack call; on a timeout the failure shows every call made, to see where the flow stopped.</summary>
    private async Task<RecordedSlackCall> WaitForAsync(Func<RecordedSlackCall, bool> match, TimeSpan timeout)
    {
        try
        {
            return await _slack.WaitForCallAsync(match, timeout);
        }
        catch (TimeoutException)
        {
            var calls = string.Join("\n", _slack.Calls.Select(c => $"{c.Method} {string.Join(", ", c.Args.Where(a => a.Key != "blocks").Select(a => $"{a.Key}={a.Value}"))}"));
            throw new TimeoutException($"No matching Slack call within {timeout}. Calls so far:\n{calls}");
        }
    }

    private SignedSlackClient Client(HostProcess host) => new(host.BaseUrl, SigningSecret, _slack);

    private static long ParseIncidentNumber(string reply)
    {
        var text = JsonNode.Parse(reply)!["text"]!.GetValue<string>();
        var start = text.IndexOf("INC-", StringComparison.Ordinal) + 4;
        var end = start;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }
        return long.Parse(text[start..end], CultureInfo.InvariantCulture);
    }
}
