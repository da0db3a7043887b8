using System.Text.Json.Nodes;
using NodaTime;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Model;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.Slack.Coordination;
using OnCallBot.Slack.Paging;
using static OnCallBot.Slack.Tests.Coordination.SlackCoordinationFlowTests;

namespace OnCallBot.Slack.Tests.Coordination;

public sealed class SlackIncidentCardTests
{
    private static readonly Instant Paged = Instant.FromUtc(2026, 1, 5, 9, 0);
    private static readonly OnCallModel Model = CoordinationModel.Build();
    private static readonly Actor Oliver = new("slack", "U0OLIVER", "Oliver Ortiz", "oliver");
    private static readonly Actor Anna = new("slack", "U0ANNA", "Anna Anders", "anna");
    private static readonly Actor TeamsTom = new("teams", "29:tom", "Tom <Teams> & co", null);

    private static Incident Incident(string summary = "Cards are timing out", IncidentStatus status = IncidentStatus.Acknowledged, Instant? resolvedAt = null) =>
        new(42, summary, "checkout", null, status, Paged, Oliver, Paged + Duration.FromMinutes(2), Anna,
            resolvedAt, resolvedAt is null ? null : Anna, EscalationState.Start(Paged), "key", 3);

    private static IncidentRoom Room(IncidentPhase phase = IncidentPhase.Identified) =>
        new(42, 2, phase, new RoleHolder(Anna, Paged), null, new RoleHolder(TeamsTom, Paged), [], [Oliver, Anna], [],
            Paged + Duration.FromMinutes(5), null, Paged + Duration.FromMinutes(10), null, 7);

    private static IncidentCard Card(Incident incident, IncidentRoom room, bool overdue = false, int upstream = 1)
    {
        var checkout = Model.Services["checkout"];
        var dependencies = Enumerable.Range(0, upstream)
            .Select(i => new DependencyOnCall(Model.Services["payments-api"] with { Name = $"Payments API {i}" }, [Model.Users["carol"], Model.Users["dave"]]))
            .ToList();
        return new IncidentCard(incident, room, checkout, Model.Teams["checkout-team"], dependencies,
            [new DependencyOnCall(Model.Services["cart"], [])], Paged + Duration.FromMinutes(22), overdue);
    }

    [Fact]
    public void Render_OpenIncident_HeaderFieldsDependenciesAndRoleButtons()
    {
        var message = SlackIncidentCard.Render(Card(Incident(), Room(), overdue: true));

        var blocks = JsonNode.Parse(message.Blocks.GetRawText())!.AsArray();
        Assert.Equal("🔥 INC-42 · SEV2 · Identified", (string?)blocks[0]!["text"]!["text"]);
        Assert.Equal("Cards are timing out", (string?)blocks[1]!["text"]!["text"]);
        Assert.Equal(
            [
                "*Service*\nCheckout (owner: Checkout Team)", "*Severity*\nSEV2", "*Phase*\nIdentified",
                "*Commander*\n<@U0ANNA>", "*Scribe*\n_unfilled_", "*Comms*\nTom &lt;Teams&gt; &amp; co",
                "*Runbook*\n<https://runbooks.example.com/checkout|Open the runbook>",
                $"*Customer impact*\nstarted <!date^{(Paged + Duration.FromMinutes(5)).ToUnixTimeSeconds()}^{{date_short_pretty}} at {{time}}|2026-01-05 09:05 UTC>, ongoing",
                "*Last status update*\n12 min ago",
            ],
            Fields(blocks));
        var text = Sections(blocks);
        Assert.Contains("⚠️ *A status update is overdue.*", text, StringComparison.Ordinal);
        Assert.Contains("*Upstream* (what Checkout depends on)\n• *Payments API 0*: <@U0CAROL>, Dave Dunn", text, StringComparison.Ordinal);
        Assert.Contains("*Downstream* (what depends on Checkout)\n• *Cart*: _nobody on call now_", text, StringComparison.Ordinal);
        Assert.Equal(
            [(SlackCoordinationActions.Commander, "42"), (SlackCoordinationActions.Scribe, "42"), (SlackCoordinationActions.Comms, "42")],
            Buttons(blocks).Select(b => ((string)b["action_id"]!, (string)b["value"]!)).ToList());
        Assert.Equal("🔥 INC-42 SEV2 identified: Cards are timing out (commander: Anna Anders)", message.Text);
    }

    [Fact]
    public void Render_ImpactEndedAndNoUpdateNotOverdue_SaysEndedNoneYetAndNoWarning()
    {
        var room = Room() with { ImpactEndedAt = Paged + Duration.FromMinutes(20), LastStatusUpdateAt = null };

        var blocks = JsonNode.Parse(SlackIncidentCard.Render(Card(Incident(), room)).Blocks.GetRawText())!.AsArray();

        var fields = Fields(blocks);
        Assert.EndsWith("|2026-01-05 09:20 UTC>", fields[7], StringComparison.Ordinal);
        Assert.Contains(", ended <!date^", fields[7], StringComparison.Ordinal);
        Assert.Equal("*Last status update*\nnone yet", fields[8]);
        Assert.DoesNotContain("overdue", AllText(blocks), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Resolved_NoButtonsAndResolvedByWithDuration()
    {
        var resolvedAt = Paged + Duration.FromMinutes(90);
        var message = SlackIncidentCard.Render(Card(Incident(status: IncidentStatus.Resolved, resolvedAt: resolvedAt), Room(IncidentPhase.Resolved), overdue: true));

        var blocks = JsonNode.Parse(message.Blocks.GetRawText())!.AsArray();
        Assert.Empty(Buttons(blocks));
        Assert.Equal("✅ INC-42 · SEV2 · Resolved", (string?)blocks[0]!["text"]!["text"]);
        Assert.Contains($"✅ *Resolved* by <@U0ANNA> <!date^{resolvedAt.ToUnixTimeSeconds()}^", AllText(blocks), StringComparison.Ordinal);
        Assert.Contains(", 1h 30m after the page.", AllText(blocks), StringComparison.Ordinal);
        Assert.DoesNotContain("overdue", AllText(blocks), StringComparison.Ordinal);
        Assert.StartsWith("✅ INC-42 SEV2 resolved: ", message.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_DirectPage_NoServiceNoRunbookNoDependencies()
    {
        var incident = Incident() with { ServiceId = null, DirectUserId = "bob" };
        var card = new IncidentCard(incident, Room(), null, null, [], [], Paged, false);

        var blocks = JsonNode.Parse(SlackIncidentCard.Render(card).Blocks.GetRawText())!.AsArray();

        var fields = Fields(blocks);
        Assert.Equal("*Service*\n_none: a direct page_", fields[0]);
        Assert.Equal("*Runbook*\n_none in the on-call config_", fields[6]);
        Assert.DoesNotContain("Upstream", AllText(blocks), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_HugeSummaryAndManyDependencies_StaysWithinBlockKitLimits()
    {
        var summary = string.Concat(Enumerable.Repeat("Cards <time> out & fail 🔥 ", 400));

        var message = SlackIncidentCard.Render(Card(Incident(summary), Room(), upstream: 40));

        var blocks = JsonNode.Parse(message.Blocks.GetRawText())!.AsArray();
        Assert.True(blocks.Count <= SlackPageMessage.MaxBlocks);
        Assert.True(((string)blocks[0]!["text"]!["text"]!).Length <= SlackPageMessage.MaxHeaderLength);
        Assert.All(blocks.Where(b => b!["text"]?["type"]?.GetValue<string>() == "mrkdwn"),
            b => Assert.True(((string)b!["text"]!["text"]!).Length <= SlackPageMessage.MaxSectionLength));
        Assert.All(Fields(blocks), f => Assert.True(f.Length <= SlackPageMessage.MaxFieldLength));
        Assert.True(Fields(blocks).Count <= 10);
        Assert.True(message.Text.Length <= SlackPageMessage.MaxFallbackTextLength);
        Assert.EndsWith("…", (string)blocks[1]!["text"]!["text"]!, StringComparison.Ordinal);
        Assert.DoesNotContain("<time>", AllText(blocks), StringComparison.Ordinal);
        Assert.Contains("• and 28 more", AllText(blocks), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(30, "just now")]
    [InlineData(60, "1 min ago")]
    [InlineData(59 * 60, "59 min ago")]
    [InlineData(2 * 3600 + 5 * 60, "2h 5m ago")]
    public void Ago_Elapsed_SaidAsPeopleSayIt(int seconds, string expected)
    {
        Assert.Equal(expected, SlackIncidentCard.Ago(Duration.FromSeconds(seconds)));
    }
}
