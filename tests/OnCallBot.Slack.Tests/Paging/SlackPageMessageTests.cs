using System.Text.Json.Nodes;
using NodaTime;
using OnCallBot.Core.Model;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.Slack.Paging;

namespace OnCallBot.Slack.Tests.Paging;

public sealed class SlackPageMessageTests
{
    private static readonly Instant PagedAt = Instant.FromUtc(2026, 1, 5, 9, 0);
    private static readonly Actor Oliver = new("slack", "U0OLIVER", "Oliver Ortiz", "oliver");
    private static readonly Actor Anna = new("slack", "U0ANNA", "Anna Anders", "anna");
    private static readonly Service Checkout = new("checkout", "Checkout", "payments", "checkout", new Uri("https://runbooks.example.com/checkout?a=1&b=2"), [], []);
    private static readonly Team Payments = new("payments", "Payments", [], ChatChannels.None, null);

    private static Incident Incident(string summary = "Cards are timing out", IncidentStatus status = IncidentStatus.Triggered, bool exhausted = false) =>
        new(42, summary, "checkout", null, status, PagedAt, Oliver,
            status == IncidentStatus.Triggered ? null : PagedAt + Duration.FromMinutes(3),
            status == IncidentStatus.Triggered ? null : Anna,
            status == IncidentStatus.Resolved ? PagedAt + Duration.FromMinutes(30) : null,
            status == IncidentStatus.Resolved ? Anna : null,
            EscalationState.Start(PagedAt) with { Exhausted = exhausted }, "key", 1);

    private static PageView View(Incident incident) => new(incident, Checkout, Payments, 0, 2);

    private static JsonArray Blocks(SlackMessage message) => JsonNode.Parse(message.Blocks.GetRawText())!.AsArray();

    private static List<string> ActionIds(SlackMessage message) =>
        Blocks(message).Where(b => (string?)b!["type"] == "actions")
            .SelectMany(b => b!["elements"]!.AsArray()).Select(e => (string)e!["action_id"]!).ToList();

    private static IEnumerable<string> Texts(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key == "text" && p.Value is JsonValue v ? [(string)v!] : Texts(p.Value)),
        JsonArray a => a.SelectMany(Texts),
        _ => [],
    };

    [Fact]
    public void Page_Triggered_FallbackTextNamesReferenceServiceAndSummary()
    {
        var message = SlackPageMessage.Page(View(Incident()));

        Assert.Equal("🚨 INC-42 checkout: Cards are timing out", message.Text);
    }

    [Theory]
    [InlineData(IncidentStatus.Triggered, false, new[] { "oncallbot.ack", "oncallbot.escalate", "oncallbot.resolve" })]
    [InlineData(IncidentStatus.Triggered, true, new[] { "oncallbot.ack", "oncallbot.resolve" })]
    [InlineData(IncidentStatus.Acknowledged, false, new[] { "oncallbot.resolve" })]
    [InlineData(IncidentStatus.Resolved, false, new string[0])]
    public void Page_EachStatus_OffersOnlyTheButtonsThatStillApply(IncidentStatus status, bool exhausted, string[] expected)
    {
        var message = SlackPageMessage.Page(View(Incident(status: status, exhausted: exhausted)));

        Assert.Equal(expected, ActionIds(message));
        if (expected.Length == 0)
        {
            Assert.DoesNotContain(Blocks(message), b => (string?)b!["type"] == "actions");
        }
    }

    [Fact]
    public void Page_Acknowledged_SaysWhoAndWhenInSlackDateSyntax()
    {
        var message = SlackPageMessage.Page(View(Incident(status: IncidentStatus.Acknowledged)));

        var ackAt = (PagedAt + Duration.FromMinutes(3)).ToUnixTimeSeconds();
        Assert.Contains($"👀 Acknowledged by <@U0ANNA> <!date^{ackAt}^{{date_short_pretty}} at {{time}}|2026-01-05 09:03 UTC>", Texts(Blocks(message)));
        Assert.Equal("👀 INC-42 checkout: Cards are timing out (acknowledged by Anna Anders)", message.Text);
    }

    [Fact]
    public void Page_Resolved_SaysWhoResolvedAndWhoAcknowledged()
    {
        var message = SlackPageMessage.Page(View(Incident(status: IncidentStatus.Resolved)));

        var text = string.Join("\n", Texts(Blocks(message)));
        Assert.Contains("✅ Resolved by <@U0ANNA> <!date^", text, StringComparison.Ordinal);
        Assert.Contains("Acknowledged by <@U0ANNA>", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Page_RunbookWithAmpersand_LinkedWithSlackEscaping()
    {
        var texts = Texts(Blocks(SlackPageMessage.Page(View(Incident()))));

        Assert.Contains("*Runbook*\n<https://runbooks.example.com/checkout?a=1&amp;b=2|Open the runbook>", texts);
    }

    [Fact]
    public void Page_SummaryWithSlackControlCharacters_Escaped()
    {
        var message = SlackPageMessage.Page(View(Incident("a <b> & <!channel>")));

        Assert.Contains("a &lt;b&gt; &amp; &lt;!channel&gt;", Texts(Blocks(message)));
        Assert.Equal("🚨 INC-42 checkout: a &lt;b&gt; &amp; &lt;!channel&gt;", message.Text);
    }

    [Fact]
    public void Page_HugeSummary_EveryBlockWithinBlockKitLimitsAndCutWithEllipsis()
    {
        var summary = string.Concat(Enumerable.Repeat("Cards & refunds are timing out. ", 400));
        var incident = Incident(summary);
        var longService = Checkout with { Name = new string('S', 400) };

        var message = SlackPageMessage.Page(new PageView(incident, longService, Payments, 0, 2));
        var blocks = Blocks(message);

        var header = (string)blocks[0]!["text"]!["text"]!;
        Assert.True(header.Length <= SlackPageMessage.MaxHeaderLength, $"header is {header.Length} characters");
        Assert.EndsWith("…", header, StringComparison.Ordinal);
        var section = (string)blocks[1]!["text"]!["text"]!;
        Assert.True(section.Length <= SlackPageMessage.MaxSectionLength, $"section is {section.Length} characters");
        Assert.EndsWith("…", section, StringComparison.Ordinal);
        Assert.DoesNotContain("&am…", section, StringComparison.Ordinal);
        foreach (var field in blocks[2]!["fields"]!.AsArray())
        {
            Assert.True(((string)field!["text"]!).Length <= SlackPageMessage.MaxFieldLength);
        }
        Assert.True(message.Text.Length <= SlackPageMessage.MaxFallbackTextLength, $"text is {message.Text.Length} characters");
        foreach (var button in blocks.Where(b => (string?)b!["type"] == "actions").SelectMany(b => b!["elements"]!.AsArray()))
        {
            Assert.True(((string)button!["text"]!["text"]!).Length <= SlackPageMessage.MaxButtonTextLength);
            Assert.True(((string)button["value"]!).Length <= SlackPageMessage.MaxButtonValueLength);
            if (button["confirm"] is { } confirm)
            {
                Assert.True(((string)confirm["text"]!["text"]!).Length <= 300);
            }
        }
    }

    [Fact]
    public void Fit_CutInsideSurrogatePairOrEscape_NeverSplitsEither()
    {
        Assert.Equal("ab…", SlackText.Fit("ab&cd", 4));
        Assert.Equal("a…", SlackText.Fit("a😀😀", 3, escape: false));
        Assert.Equal("short", SlackText.Fit("short", 10));
    }

    [Fact]
    public void Date_Instant_SlackSyntaxWithUtcFallback()
    {
        Assert.Equal("<!date^1767603600^{date_short_pretty} at {time}|2026-01-05 09:00 UTC>", SlackText.Date(PagedAt));
    }

    [Fact]
    public void Mention_TeamsActor_NameAndPlatformInsteadOfSlackMention()
    {
        Assert.Equal("Tom &amp; Co (on teams)", SlackText.Mention(new Actor("teams", "29:abc", "Tom & Co", null)));
        Assert.Equal("OnCallBot", SlackText.Mention(Actor.System));
    }

    [Fact]
    public void Choice_MoreIncidentsThanFit_ListsTwentyAndSaysHowManyAreLeft()
    {
        var incidents = Enumerable.Range(1, 25).Select(n => (Incident() with { Number = n }, "Checkout")).ToList();

        var message = SlackPageMessage.Choice("25 incidents are paging you.", incidents, SlackPagingActions.Resolve);
        var blocks = Blocks(message);

        Assert.True(blocks.Count <= SlackPageMessage.MaxBlocks);
        var buttons = blocks.Select(b => b!["accessory"]).OfType<JsonNode>().ToList();
        Assert.Equal(20, buttons.Count);
        Assert.All(buttons, b => Assert.NotNull(b["confirm"]));
        Assert.Contains("5 more not shown", string.Join("\n", Texts(blocks)), StringComparison.Ordinal);
    }

    [Fact]
    public void Timeline_LongerThanTheLimit_KeepsTheNewestAndSaysHowManyAreLeftOut()
    {
        var events = Enumerable.Range(0, 500)
            .Select(i => new IncidentEvent(42, PagedAt + Duration.FromSeconds(i), IncidentEventKind.Notified, "OnCallBot", $"event {i}", []))
            .ToList();

        var text = SlackPageMessage.Timeline(Incident(), "Checkout", events, maxLength: 2000);

        Assert.True(text.Length <= 2000);
        Assert.EndsWith("event 499", text, StringComparison.Ordinal);
        Assert.Contains("earlier event(s) not shown", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Ask <@U0BOB|bob> in <#C0OPS|ops> &amp; <!here>", "Ask @bob in #ops & @here")]
    [InlineData("see <https://status.example.com|status> or <https://x.example.com>", "see status (https://status.example.com) or https://x.example.com")]
    [InlineData("1 &lt; 2", "1 < 2")]
    public void ToPlain_SlackEscapedText_PlainForEveryPlatform(string slack, string plain)
    {
        Assert.Equal(plain, SlackText.ToPlain(slack));
    }
}
