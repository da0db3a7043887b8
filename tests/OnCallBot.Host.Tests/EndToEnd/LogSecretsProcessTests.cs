using System.Net;
using System.Text.Json;
using OnCallBot.TestKit.Hosting;
using OnCallBot.TestKit.Slack;

namespace OnCallBot.Host.Tests.EndToEnd;

/// <summary>
/// "Secrets never appear in logs", tried where it is hardest: the real bot process at Verbose, with the HTTP client's
/// own logs (request headers included) turned on, real-looking tokens that fake Slack refuses, Socket Mode failing to
/// connect, a page that cannot be delivered and a forged request, in both log formats.
/// </summary>
[Collection(BotProcesses.Name)]
public sealed class LogSecretsProcessTests : IAsyncLifetime
{
    // Shaped like real ones, and not the fake's: every Web API call is answered invalid_auth.
    // Split so that no committed line looks like a live Slack token to a secret scanner; the values are made up.
    private const string BotToken = "xox" + "b-7203648211-7834509912387-Q2sVd9LkPaTr0mXyZb1cNe4W";
    private const string AppToken = "xapp" + "-1-A07ABCDEF12-7834509912388-3f9c2e1a7b6d4c8e0f1a2b3c4d5e6f70";
    private const string SigningSecret = "8f14e45fceea167a5a36dedd4bea2543";
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
          - { id: checkout, name: Checkout, team: payments, escalation_policy: payments }
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

    [Theory]
    [InlineData("json")]
    [InlineData("text")]
    public async Task FailingSlackSession_AtVerboseWithHttpClientLogsOn_LogsTheCallsButNoSecret(string format)
    {
        string output;
        await using (var bot = await HostProcess.StartAsync(new Dictionary<string, string>
        {
            ["Storage:ConnectionString"] = _temp.SqliteConnectionString,
            ["OnCall:ConfigPath"] = _temp.File("oncall.yaml"),
            ["Slack:BotToken"] = BotToken,
            ["Slack:AppToken"] = AppToken,
            ["Slack:SigningSecret"] = SigningSecret,
            ["Slack:ApiBaseUrl"] = _slack.ApiBaseUrl.ToString(),
            ["Log:Format"] = format,
            ["Serilog:MinimumLevel:Default"] = "Verbose",
            // What an admin sets to debug a Slack outage: the HTTP client's and ASP.NET Core's own logs, headers included.
            ["Serilog:MinimumLevel:Override:System.Net.Http.HttpClient"] = "Verbose",
            ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Verbose",
        }))
        {
            var slack = new SignedSlackClient(bot.BaseUrl, SigningSecret, _slack);
            using (var page = await slack.CommandAsync("/page", "checkout Cards are timing out", "U0GRACE007"))
            {
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            }
            using (var forged = await slack.CommandAsync("/page", "checkout forged", "U0GRACE007", secret: "not-the-secret"))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
            }

            // Socket Mode tries to connect with the app token, the page with the bot token: both are refused.
            await _slack.WaitForCallAsync(c => c.Method == "apps.connections.open" && c.Token == AppToken, Patience);
            await _slack.WaitForCallAsync(c => c.Method == "conversations.open" && c.Token == BotToken, Patience);

            // Evidence that the calls, their headers and the failures were logged (else this test could not fail).
            var inboundRequest = format == "json" ? "\"Route\":\"/slack/commands\",\"RequestMethod\":\"POST\"" : "HTTP POST /slack/commands responded 401";
            await WaitForOutputAsync(bot, "apps.connections.open", "conversations.open", "invalid_auth", "Request Headers", "Authorization", inboundRequest);
            output = bot.Output;
        }

        if (format == "json")
        {
            // One JSON object per line, even for the HTTP client's multi-line header text.
            Assert.All(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => JsonDocument.Parse(line).Dispose());
        }
        Assert.DoesNotContain(BotToken, output, StringComparison.Ordinal);
        Assert.DoesNotContain(AppToken, output, StringComparison.Ordinal);
        Assert.DoesNotContain(SigningSecret, output, StringComparison.Ordinal);
        Assert.DoesNotContain("Bearer xox", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Bearer xapp", output, StringComparison.Ordinal);
        // Nor Slack's signature header, nor any part of a token long enough to be worth stealing.
        Assert.DoesNotContain("v0=", output, StringComparison.Ordinal);
        Assert.DoesNotContain("7834509912387", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Q2sVd9LkPaTr0mXyZb1cNe4W", output, StringComparison.Ordinal);
    }

    /// <summary>Waits until the bot's output holds every one of <paramref name="needles"/>; on a timeout, shows what it did log.</summary>
    private static async Task WaitForOutputAsync(HostProcess bot, params string[] needles)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (needles.All(n => bot.Output.Contains(n, StringComparison.Ordinal)))
            {
                return;
            }
            await Task.Delay(100);
        }
        var missing = needles.Where(n => !bot.Output.Contains(n, StringComparison.Ordinal));
        throw new TimeoutException($"The log never showed {string.Join(", ", missing)}. It was:\n{bot.Output}");
    }
}
