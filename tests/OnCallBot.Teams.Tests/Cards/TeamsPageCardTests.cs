using System.Text.Json.Nodes;
using OnCallBot.Core.Paging;
using OnCallBot.Teams.Cards;
using OnCallBot.TestKit;
using static OnCallBot.Teams.Tests.Cards.CardModel;

namespace OnCallBot.Teams.Tests.Cards;

public sealed class TeamsPageCardTests
{
    public static TheoryData<string, IncidentStatus, bool, string?> Variants => new()
    {
        { "triggered", IncidentStatus.Triggered, false, null },
        { "exhausted", IncidentStatus.Triggered, true, null },
        { "direct page", IncidentStatus.Triggered, false, "anna" },
        { "acknowledged", IncidentStatus.Acknowledged, false, null },
        { "resolved", IncidentStatus.Resolved, false, null },
    };

    [SharedFixtureTheory]
    [MemberData(nameof(Variants))]
    public void Render_EveryState_ValidatesAgainstTheAdaptiveCards15Schema(string name, IncidentStatus status, bool exhausted, string? directUser)
    {
        var card = TeamsPageCard.Render(View(Incident(status: status, exhausted: exhausted, directUser: directUser)));

        var errors = SchemaErrors(card);
        Assert.True(errors.Count == 0, $"{name}: {string.Join("\n", errors.Take(10))}");
        Assert.Equal("1.5", (string?)card["version"]);
    }

    [SharedFixtureFact]
    public void SchemaCheck_RefusesACardThatBreaksIt()
    {
        var card = TeamsPageCard.Render(View(Incident()));
        card["body"]!.AsArray().Add(new JsonObject { ["type"] = "TextBlock", ["text"] = "x", ["markdown"] = true });
        card["actions"]!.AsArray().Add(new JsonObject { ["type"] = "Action.Execute", ["title"] = "x", ["data"] = 42 });

        Assert.NotEmpty(SchemaErrors(card));
    }

    [Theory]
    [InlineData(IncidentStatus.Triggered, false, new[] { "oncallbot.ack", "oncallbot.escalate", "oncallbot.resolve" })]
    [InlineData(IncidentStatus.Triggered, true, new[] { "oncallbot.ack", "oncallbot.resolve" })]
    [InlineData(IncidentStatus.Acknowledged, false, new[] { "oncallbot.resolve" })]
    [InlineData(IncidentStatus.Resolved, false, new string[0])]
    public void Render_EachStatus_OffersOnlyTheButtonsThatStillApply_EachCarryingTheIncidentNumber(IncidentStatus status, bool exhausted, string[] verbs)
    {
        var card = TeamsPageCard.Render(View(Incident(status: status, exhausted: exhausted)));

        var executes = Executes(card);
        Assert.Equal(verbs, executes.Select(e => e.Verb));
        Assert.All(executes, e => Assert.Equal(42, e.Incident));
        if (verbs.Length == 0)
        {
            Assert.Null(card["actions"]);
        }
    }

    [Fact]
    public void Render_Triggered_ShowsReferenceServiceSummaryWhoPagedAndTheLevel()
    {
        var card = TeamsPageCard.Render(View(Incident()));

        var text = AllText(card);
        Assert.Contains("🚨 INC-42 · Checkout", RichLines(card));
        Assert.Contains("Cards are timing out", RichLines(card));
        Assert.Contains("Checkout (checkout)", RichLines(card));
        Assert.Contains("Payments", RichLines(card));
        Assert.Contains("Oliver Ortiz", RichLines(card));
        Assert.Contains("Level 1 of 2", TextBlocks(card));
        Assert.Contains("Paging level 1 of 2. Acknowledge to stop the escalation.", TextBlocks(card));
        Assert.Contains("{{DATE(2026-01-05T09:00:00Z, SHORT)}} at {{TIME(2026-01-05T09:00:00Z)}}", TextBlocks(card));
        Assert.Contains("[Open the runbook](https://runbooks.example.com/checkout?a=1&b=%282%29)", TextBlocks(card));
        Assert.DoesNotContain("Acknowledged", text);
    }

    [Fact]
    public void Render_Triggered_AcknowledgeIsPositive_AndResolveAsksFirst()
    {
        var card = TeamsPageCard.Render(View(Incident()));

        var actions = card["actions"]!.AsArray();
        Assert.Equal(("Action.Execute", "Acknowledge", "positive"), ((string?)actions[0]!["type"], (string?)actions[0]!["title"], (string?)actions[0]!["style"]));
        var resolve = actions[^1]!;
        Assert.Equal("Action.ShowCard", (string?)resolve["type"]);
        Assert.Equal("Resolve", (string?)resolve["title"]);
        Assert.Contains("This closes INC-42 (Cards are timing out) and stops paging everyone.", RichLines(resolve["card"]!.AsObject()));
        var confirm = resolve["card"]!["actions"]![0]!;
        Assert.Equal(("Action.Execute", "oncallbot.resolve", "destructive"), ((string?)confirm["type"], (string?)confirm["verb"], (string?)confirm["style"]));
    }

    [Fact]
    public void Render_Acknowledged_SaysWhoAndWhen_AndTheSummarySaysSo()
    {
        var view = View(Incident(status: IncidentStatus.Acknowledged));

        var card = TeamsPageCard.Render(view);

        Assert.Contains("👀 Acknowledged by Anna Anders", RichLines(card));
        Assert.Contains("{{DATE(2026-01-05T09:03:00Z, SHORT)}} at {{TIME(2026-01-05T09:03:00Z)}}", TextBlocks(card));
        Assert.DoesNotContain(TextBlocks(card), t => t.StartsWith("Paging level", StringComparison.Ordinal));
        Assert.Equal("👀 INC-42 checkout: Cards are timing out (acknowledged by Anna Anders)", TeamsPageCard.Summary(view));
        Assert.Equal(TeamsPageCard.Summary(view), (string?)card["fallbackText"]);
    }

    [Fact]
    public void Render_Resolved_SaysWhoResolvedAndWhoAcknowledged_WithNoButtons()
    {
        var card = TeamsPageCard.Render(View(Incident(status: IncidentStatus.Resolved)));

        Assert.Contains("✅ Resolved by Anna Anders", RichLines(card));
        Assert.Contains("{{DATE(2026-01-05T09:30:00Z, SHORT)}} at {{TIME(2026-01-05T09:30:00Z)}}", TextBlocks(card));
        Assert.Contains("👀 Acknowledged by Anna Anders", RichLines(card));
        Assert.Empty(All(card, "Action.Execute"));
        Assert.Empty(All(card, "Action.ShowCard"));
    }

    [Fact]
    public void Render_DirectPage_SaysSo_AndNamesNoService()
    {
        var card = TeamsPageCard.Render(View(Incident(directUser: "anna")));

        Assert.Contains("🚨 INC-42 · Direct page", RichLines(card));
        Assert.Contains("Direct page", TextBlocks(card));
        Assert.Contains("You were paged directly. Acknowledge to stop the repeats.", TextBlocks(card));
    }

    [Fact]
    public void Render_ServiceGoneFromTheConfig_SaysSo()
    {
        var card = TeamsPageCard.Render(new OnCallBot.Core.Ports.PageView(Incident(), null, null, 0, 2));

        Assert.Contains("checkout (no longer in the on-call config)", RichLines(card));
    }

    [Fact]
    public void Render_PersonFromSlack_IsNamedWithTheirPlatform()
    {
        var incident = Incident(status: IncidentStatus.Acknowledged) with { AcknowledgedBy = SlackBen };

        var card = TeamsPageCard.Render(View(incident));

        Assert.Contains("👀 Acknowledged by Ben Brown (on slack)", RichLines(card));
    }

    [Fact]
    public void Render_MarkupInTextPeopleTyped_OnlyEverLandsInPlainTextRuns()
    {
        const string summary = "**pwned** [click](https://evil.example) <at>everyone</at> _x_ {{DATE(2030-01-01T00:00:00Z, SHORT)}}";
        const string name = "[Anna](https://evil.example) **Boss**";
        var incident = Incident(summary, IncidentStatus.Acknowledged) with { AcknowledgedBy = Anna with { DisplayName = name } };

        var card = TeamsPageCard.Render(View(incident));

        // No TextBlock (Markdown) holds any of it; TextRuns (no Markdown) show it as typed, with no working {{DATE}}.
        Assert.All(TextBlocks(card), t => Assert.DoesNotContain("evil.example", t));
        Assert.All(TextBlocks(card), t => Assert.DoesNotContain("pwned", t));
        Assert.Contains(Runs(card), r => r.Contains("**pwned** [click](https://evil.example) <at>everyone</at> _x_", StringComparison.Ordinal));
        Assert.Contains(Runs(card), r => r == name);
        Assert.DoesNotContain(Runs(card), r => r.Contains("{{DATE(", StringComparison.Ordinal));
        Assert.Contains(Runs(card), r => r.Contains("{\u2060{DATE(2030-01-01T00:00:00Z, SHORT)}}", StringComparison.Ordinal));
    }

    [SharedFixtureFact]
    public void Render_HugeTextPeopleTyped_IsCutAndTheCardStillValidates()
    {
        var incident = Incident(new string('é', 10_000) + "🚨") with { CreatedBy = Oliver with { DisplayName = new string('名', 500) } };

        var card = TeamsPageCard.Render(View(incident));

        Assert.Empty(SchemaErrors(card));
        Assert.Contains(Runs(card), r => r.Length == TeamsPageCard.MaxSummaryLength && r.EndsWith('…'));
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(card.ToJsonString()) < 24 * 1024);
    }

    [Fact]
    public void Render_ControlCharactersAndLineBreaksInANameOrSummary_AreCleaned()
    {
        var incident = Incident("line one\nline two\u202Eevil") with { CreatedBy = Oliver with { DisplayName = "Oli\u0000ver\r\nOrtiz" } };

        var card = TeamsPageCard.Render(View(incident));

        Assert.Contains("line one line twoevil", Runs(card));
        Assert.Contains("Oliver Ortiz", Runs(card));
    }

    [Fact]
    public void Render_ResolvedWithoutWho_StillSaysResolved()
    {
        var incident = Incident(status: IncidentStatus.Resolved) with { ResolvedBy = null, ResolvedAt = null };

        var card = TeamsPageCard.Render(View(incident));

        Assert.Contains("✅ **Resolved**", TextBlocks(card));
    }
}
