using System.Text.RegularExpressions;
using OnCallBot.TestKit.Hosting;
using OnCallBot.TestKit.Slack;

namespace OnCallBot.Host.Tests.EndToEnd;

/// <summary>
/// The acceptance of incident coordination, tried as a user would, through the real bot process and a fake Slack:
/// a page opens #inc-N-... with the responders and the card; "I'll be commander" updates the card; a status update
/// reaches the stakeholder channel; no update within the interval reminds the comms holder; resolve posts a summary.
/// </summary>
[Collection(BotProcesses.Name)]
public sealed class SlackIncidentProcessTests : IAsyncLifetime
{
    private const string SigningSecret = "e2e-incident-signing-secret-0123";
    private const string StakeholderChannel = "C0STATUS01";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private const string Config = """
        users:
          - { id: alice, name: Alice Anders, time_zone: Europe/Berlin, slack: U0ALICE001 }
          - { id: grace, name: Grace Green, time_zone: America/Chicago, slack: U0GRACE007 }
        teams:
          - { id: payments, name: Payments, members: [alice, grace] }
        schedules:
          - id: payments-primary
            name: Payments primary
            time_zone: Europe/Berlin
            layers:
              - { name: always, members: [alice], shift: weekly, start: 2020-01-06, handoff: "09:00" }
        escalation_policies:
          - { id: payments, name: Payments, levels: [ { timeout: 30m, targets: [ { schedule: payments-primary } ] } ] }
        services:
          - { id: checkout, name: Checkout, team: payments, escalation_policy: payments, runbook: "https://runbooks.example.com/checkout" }
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

    [Fact]
    public async Task Page_OpensChannelWithCardRolesStatusReminderAndSummary()
    {
        await using var bot = await HostProcess.StartAsync(new Dictionary<string, string>
        {
            ["Storage:ConnectionString"] = _temp.SqliteConnectionString,
            ["OnCall:ConfigPath"] = _temp.File("oncall.yaml"),
            ["Slack:BotToken"] = FakeSlackServer.BotToken,
            ["Slack:SigningSecret"] = SigningSecret,
            ["Slack:ApiBaseUrl"] = _slack.ApiBaseUrl.ToString(),
            // SEV1 from the start, with a status update due every two seconds, mirrored to the stakeholder channel.
            ["Incidents:DefaultSeverity"] = "1",
            ["Incidents:StatusUpdateIntervals:1"] = "00:00:02",
            ["Incidents:StakeholderChannels:1:slack"] = StakeholderChannel,
        });
        var slack = new SignedSlackClient(bot.BaseUrl, SigningSecret, _slack);

        using (var page = await slack.CommandAsync("/page", "checkout Cards are timing out", "U0GRACE007"))
        {
            Assert.Contains("INC-1", await page.Content.ReadAsStringAsync());
        }

        // The channel, with the pager and the person paged in it, its topic, the card and the runbook.
        var created = await WaitForAsync(c => c.Method == "conversations.create");
        Assert.Equal("inc-1-cards-are-timing-out", created.Args["name"]);
        var invite = await WaitForAsync(c => c.Method == "conversations.invite" && Invited(c).Contains("U0ALICE001"));
        var channel = invite.Args["channel"];
        await WaitForAsync(c => c.Method == "conversations.invite" && c.Args["channel"] == channel && Invited(c).Contains("U0GRACE007"));
        await WaitForAsync(c => c.Method == "conversations.setTopic" && c.Args["channel"] == channel && c.Args["topic"].Contains("SEV1", StringComparison.Ordinal));
        var card = await WaitForAsync(c => c.Method == "chat.postMessage" && c.Args["channel"] == channel && Blocks(c).Contains("oncallbot.role.commander", StringComparison.Ordinal));
        Assert.Contains("_unfilled_", Blocks(card));
        await WaitForAsync(c => c.Method == "pins.add" && c.Args["channel"] == channel);

        // "I'll be commander" by Alice: the card shows her; "I'll be comms" by Grace.
        using (await slack.ButtonAsync("oncallbot.role.commander", "1", "U0ALICE001", channel)) { }
        await WaitForAsync(c => c.Method == "chat.update" && c.Args["channel"] == channel && Blocks(c).Contains("<@U0ALICE001>", StringComparison.Ordinal));
        using (await slack.ButtonAsync("oncallbot.role.comms", "1", "U0GRACE007", channel)) { }
        await WaitForAsync(c => c.Method == "chat.update" && c.Args["channel"] == channel && Blocks(c).Contains("<@U0GRACE007>", StringComparison.Ordinal));

        // A status update, typed in the incident channel: posted there and in the SEV1 stakeholder channel.
        using (await slack.CommandAsync("/incident", "status Mitigated by rollback", "U0GRACE007", channelId: channel)) { }
        await WaitForAsync(c => c.Method == "chat.postMessage" && c.Args["channel"] == StakeholderChannel && c.Args["text"].Contains("Mitigated by rollback", StringComparison.Ordinal));

        // No further update within two seconds: the comms holder, Grace, is reminded by DM.
        await WaitForAsync(c => c.Method == "conversations.open" && c.Args.GetValueOrDefault("users") == "U0GRACE007");
        await WaitForAsync(c => c.Method == "chat.postMessage" && c.Args["text"].Contains("status update for INC-1", StringComparison.OrdinalIgnoreCase));

        // Resolve from the channel: the summary is posted there.
        using (await slack.CommandAsync("/incident", "resolve", "U0ALICE001", channelId: channel)) { }
        var summary = await WaitForAsync(c => c.Method == "chat.postMessage" && c.Args["channel"] == channel && c.Args["text"].Contains("INC-1: Cards are timing out", StringComparison.Ordinal));
        Assert.Contains("never acknowledged", summary.Args["text"]);
        Assert.Contains("Alice Anders", summary.Args["text"]);
        Assert.Empty(_slack.SpecViolations);
    }

    private static string[] Invited(RecordedSlackCall call) => call.Args.GetValueOrDefault("users", "").Split(',');

    // Block Kit JSON escapes '<' and '>' (\u003C): read it back as text.
    private static string Blocks(RecordedSlackCall call) => Regex.Unescape(call.Args.GetValueOrDefault("blocks") ?? "");

    private async Task<RecordedSlackCall> WaitForAsync(Func<RecordedSlackCall, bool> match)
    {
        try
        {
            return await _slack.WaitForCallAsync(c => Safe(match, c), Patience);
        }
        catch (TimeoutException)
        {
            var calls = string.Join("\n", _slack.Calls.Select(c => $"{c.Method} {string.Join(", ", c.Args.Where(a => a.Key != "blocks").Select(a => $"{a.Key}={a.Value}"))}"));
            throw new TimeoutException($"No matching Slack call within {Patience}. Calls so far:\n{calls}");
        }
    }

    private static bool Safe(Func<RecordedSlackCall, bool> match, RecordedSlackCall call)
    {
        try
        {
            return match(call);
        }
        catch (KeyNotFoundException)
        {
            return false;
        }
    }
}
