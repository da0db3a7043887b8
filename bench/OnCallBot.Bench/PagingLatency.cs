using System.Diagnostics;
using System.Globalization;
using OnCallBot.TestKit.Hosting;
using OnCallBot.TestKit.Slack;

namespace OnCallBot.Bench;

/// <summary>
/// The bot process on its embedded default (SQLite, Quartz), a fake Slack on loopback, N pages one after
/// another: how long Slack waits for the /page answer (deadline 3 s), and how long from sending /page until the
/// person on call's DM reaches Slack (target: within a second).
/// </summary>
internal static class PagingLatency
{
    private const string Secret = "bench-signing-secret";

    private const string Config = """
        users:
          - { id: alice, name: Alice Anders, time_zone: Europe/Berlin, slack: U0ALICE001 }
        schedules:
          - id: primary
            name: Primary
            time_zone: Europe/Berlin
            layers:
              - { members: [alice], shift: weekly, start: 2020-01-06, handoff: "09:00" }
        teams:
          - { id: payments, name: Payments, members: [alice] }
        escalation_policies:
          - { id: payments, name: Payments, levels: [ { timeout: 30m, targets: [ { schedule: primary } ] } ] }
        services:
          - { id: checkout, name: Checkout, team: payments, escalation_policy: payments }
        """;

    public static async Task<int> RunAsync(int pages)
    {
        var folder = Directory.CreateTempSubdirectory("oncallbot-bench-");
        await File.WriteAllTextAsync(Path.Combine(folder.FullName, "oncall.yaml"), Config);
        await using var slack = await FakeSlackServer.StartAsync(checkSpec: false);
        await using var bot = await HostProcess.StartAsync(new Dictionary<string, string>
        {
            ["Storage:ConnectionString"] = $"Data Source={Path.Combine(folder.FullName, "bench.db")}",
            ["OnCall:ConfigPath"] = Path.Combine(folder.FullName, "oncall.yaml"),
            ["Slack:BotToken"] = FakeSlackServer.BotToken,
            ["Slack:SigningSecret"] = Secret,
            ["Slack:ApiBaseUrl"] = slack.ApiBaseUrl.ToString(),
            ["Incidents:OpenChannels"] = "false",
            ["Log:Format"] = "json",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        });
        var client = new SignedSlackClient(bot.BaseUrl, Secret, slack);

        var answers = new List<double>();
        var delivered = new List<double>();
        for (var i = 1; i <= pages; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await client.CommandAsync("/page", $"checkout Bench page {i}", "U0ALICE001");
            answers.Add(clock.Elapsed.TotalMilliseconds);
            response.EnsureSuccessStatusCode();
            var expected = i;
            await slack.WaitForCallAsync(c => c.Method == "chat.postMessage" && slack.CallsTo("chat.postMessage").Count >= expected, TimeSpan.FromSeconds(30));
            delivered.Add(clock.Elapsed.TotalMilliseconds);
            // Slack's Tier 3 pacing of conversations.open (about 50 a minute) would otherwise be measured instead.
            await Task.Delay(1300);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pages: {pages}"));
        Report("/page answered (ms)", answers);
        Report("page to DM at Slack (ms)", delivered);
        folder.Delete(recursive: true);
        return 0;
    }

    private static void Report(string what, List<double> samples)
    {
        samples.Sort();
        double At(double q) => samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(q * samples.Count) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: p50 {At(0.50):0} | p95 {At(0.95):0} | max {samples[^1]:0}"));
    }
}
