using System.Text;
using NodaTime;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Model;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.Teams.Cards;
using OnCallBot.Teams.Connector;
using OnCallBot.TestKit;
using static OnCallBot.Teams.Tests.Cards.CardModel;

namespace OnCallBot.Teams.Tests.Cards;

public sealed class TeamsIncidentCardTests
{
    private static readonly RoleHolder AnnaCommands = new(Anna, PagedAt + Duration.FromMinutes(4));

    public static TheoryData<string, IncidentCard> Variants => new()
    {
        { "open", Card() },
        { "commander and overdue", Card(room: Room(commander: AnnaCommands), overdue: true) },
        { "no dependencies", Card(upstream: [], downstream: []) },
        { "resolved", Card(Incident(status: IncidentStatus.Resolved), Room(IncidentPhase.Resolved, AnnaCommands)) },
        { "direct page", Card(Incident(directUser: "anna")) with { Service = null, OwnerTeam = null } },
        {
            "impact and status update",
            Card(room: Room() with
            {
                ImpactStartedAt = PagedAt, ImpactEndedAt = PagedAt + Duration.FromMinutes(15), LastStatusUpdateAt = PagedAt + Duration.FromMinutes(8),
            })
        },
    };

    [SharedFixtureTheory]
    [MemberData(nameof(Variants))]
    public void Render_EveryState_ValidatesAgainstTheAdaptiveCards15Schema(string name, IncidentCard incidentCard)
    {
        var card = TeamsIncidentCard.Render(incidentCard);

        var errors = SchemaErrors(card);
        Assert.True(errors.Count == 0, $"{name}: {string.Join("\n", errors.Take(10))}");
    }

    [Fact]
    public void Render_Open_ShowsSeverityPhaseServiceRolesAndRunbook()
    {
        var card = TeamsIncidentCard.Render(Card(room: Room(commander: AnnaCommands)));

        Assert.Contains("🔥 INC-42 · SEV2 · Investigating", TextBlocks(card));
        Assert.Contains("Cards are timing out", RichLines(card));
        Assert.Contains("Checkout (owner: Payments)", RichLines(card));
        Assert.Contains("SEV2", TextBlocks(card));
        Assert.Contains("Investigating", TextBlocks(card));
        var labels = TextBlocks(card);
        Assert.True(labels.IndexOf("Commander") < labels.IndexOf("Scribe") && labels.IndexOf("Scribe") < labels.IndexOf("Comms"));
        Assert.Contains("Anna Anders", RichLines(card));
        Assert.Equal(2, RichLines(card).Count(l => l == "unfilled"));
        Assert.Contains("[Open the runbook](https://runbooks.example.com/checkout?a=1&b=%282%29)", TextBlocks(card));
        Assert.Contains("not marked", TextBlocks(card));
        Assert.Contains("none yet", TextBlocks(card));
    }

    [Fact]
    public void Render_Open_HasATakeButtonPerRole_CarryingTheIncidentNumber()
    {
        var card = TeamsIncidentCard.Render(Card());

        Assert.Equal(
            [("I'll be commander", "oncallbot.role.commander", 42L), ("I'll be scribe", "oncallbot.role.scribe", 42L), ("I'll be comms", "oncallbot.role.comms", 42L)],
            Executes(card));
    }

    [Fact]
    public void Render_UpstreamAndDownstream_NameWhoIsOnCallForEach()
    {
        var search = new Service("search", "Search", "discovery", "discovery", null, [], []);
        var card = TeamsIncidentCard.Render(Card(
            upstream: [new DependencyOnCall(PaymentsApi, [Carol])],
            downstream: [new DependencyOnCall(search, [])]));

        Assert.Contains("Upstream (what Checkout depends on)", RichLines(card));
        Assert.Contains("• Payments API: Carol Chen", RichLines(card));
        Assert.Contains("Downstream (what depends on Checkout)", RichLines(card));
        Assert.Contains("• Search: nobody on call now", RichLines(card));
    }

    [Fact]
    public void Render_StatusUpdateOverdue_WarnsWhileOpen_NotOnceResolved()
    {
        var open = TeamsIncidentCard.Render(Card(overdue: true));
        var resolved = TeamsIncidentCard.Render(Card(Incident(status: IncidentStatus.Resolved), Room(IncidentPhase.Resolved), overdue: true));

        Assert.Contains(RichLines(open), l => l.StartsWith("⚠️ A status update is overdue.", StringComparison.Ordinal));
        Assert.DoesNotContain(RichLines(resolved), l => l.Contains("overdue", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_Resolved_SaysWhoAndWhenAndHowLong_WithNoButtons()
    {
        var card = TeamsIncidentCard.Render(Card(Incident(status: IncidentStatus.Resolved), Room(IncidentPhase.Resolved, AnnaCommands)));

        Assert.Contains("✅ INC-42 · SEV2 · Resolved", TextBlocks(card));
        Assert.Contains("✅ Resolved by Anna Anders", RichLines(card));
        Assert.Contains("{{DATE(2026-01-05T09:30:00Z, SHORT)}} at {{TIME(2026-01-05T09:30:00Z)}}, 30m after the page", TextBlocks(card));
        Assert.Empty(All(card, "Action.Execute"));
        Assert.Null(card["actions"]);
    }

    [Fact]
    public void Render_ImpactAndLastUpdate_AreShownAsPeopleSayThem()
    {
        var card = TeamsIncidentCard.Render(Card(room: Room() with { ImpactStartedAt = PagedAt, LastStatusUpdateAt = PagedAt + Duration.FromMinutes(8) }));

        Assert.Contains("started {{DATE(2026-01-05T09:00:00Z, SHORT)}} at {{TIME(2026-01-05T09:00:00Z)}}, ongoing", TextBlocks(card));
        Assert.Contains("12 min ago", TextBlocks(card));
    }

    [Fact]
    public void Summary_NamesReferenceSeverityPhaseAndCommander()
    {
        Assert.Equal("🔥 INC-42 SEV2 investigating: Cards are timing out (commander: Anna Anders)", TeamsIncidentCard.Summary(Card(room: Room(commander: AnnaCommands))));
        Assert.Equal("🔥 INC-42 SEV2 investigating: Cards are timing out (commander: unfilled)", TeamsIncidentCard.Summary(Card()));
    }

    [Fact]
    public void Render_MarkupInNamesAndSummary_OnlyEverLandsInPlainTextRuns()
    {
        const string evil = "**x** [y](https://evil.example) {{TIME(2030-01-01T00:00:00Z)}}";
        var incident = Incident(evil) with { CreatedBy = Oliver with { DisplayName = evil } };
        var service = Checkout with { Name = evil };
        var card = TeamsIncidentCard.Render(Card(incident, Room(commander: AnnaCommands with { Person = Anna with { DisplayName = evil } })) with
        {
            Service = service,
            Upstream = [new DependencyOnCall(PaymentsApi with { Name = evil }, [Carol with { DisplayName = evil }])],
        });

        Assert.All(TextBlocks(card), t => Assert.DoesNotContain("evil.example", t));
        Assert.DoesNotContain(Runs(card), r => r.Contains("{{TIME(", StringComparison.Ordinal));
        Assert.True(Runs(card).Count(r => r.Contains("[y](https://evil.example)", StringComparison.Ordinal)) >= 5);
    }

    [SharedFixtureFact]
    public void Render_LargestCard_StaysUnderTeamsMessageSize_ByListingFewerDependencies()
    {
        var people = Enumerable.Range(0, 8).Select(i => Carol with { Id = $"p{i}", DisplayName = new string('名', 200) }).ToList();
        var dependencies = Enumerable.Range(0, 40)
            .Select(i => new DependencyOnCall(PaymentsApi with { Id = $"s{i}", Name = new string('服', 300) }, people))
            .ToList();
        var incidentCard = Card(Incident(new string('障', 5000)), overdue: true, upstream: dependencies, downstream: dependencies);

        var card = TeamsIncidentCard.Render(incidentCard);
        var bytes = Encoding.UTF8.GetByteCount(card.ToJsonString(ConnectorWire.Json));

        Assert.True(bytes <= TeamsIncidentCard.MaxCardBytes, $"{bytes} bytes");
        Assert.Empty(SchemaErrors(card));
        Assert.Contains(TextBlocks(card), t => t.StartsWith("• and ", StringComparison.Ordinal) && t.EndsWith(" more", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_ManyDependencies_ListsTwelveAndCountsTheRest()
    {
        var dependencies = Enumerable.Range(0, 15).Select(i => new DependencyOnCall(PaymentsApi with { Id = $"s{i}", Name = $"Service {i}" }, [Carol])).ToList();

        var card = TeamsIncidentCard.Render(Card(upstream: dependencies));

        Assert.Equal(12, RichLines(card).Count(l => l.StartsWith("• Service ", StringComparison.Ordinal)));
        Assert.Contains("• and 3 more", TextBlocks(card));
    }

    [Fact]
    public void Render_ManyOnCallForOneDependency_NamesFiveAndCountsTheRest()
    {
        var people = Enumerable.Range(1, 7).Select(i => new User($"u{i}", $"Person {i}", DateTimeZone.Utc, null, null, null)).ToList();

        var card = TeamsIncidentCard.Render(Card(upstream: [new DependencyOnCall(PaymentsApi, people)]));

        Assert.Contains("• Payments API: Person 1, Person 2, Person 3, Person 4, Person 5 and 2 more", RichLines(card));
    }
}
