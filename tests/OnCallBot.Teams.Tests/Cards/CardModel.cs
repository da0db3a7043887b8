using System.Text.Json;
using System.Text.Json.Nodes;
using NodaTime;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Model;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.TestKit;

namespace OnCallBot.Teams.Tests.Cards;

/// <summary>The incidents the card tests render, and what they read back out of a card.</summary>
internal static class CardModel
{
    public static readonly Instant PagedAt = Instant.FromUtc(2026, 1, 5, 9, 0);
    public static readonly Actor Oliver = new("teams", "29:oliver", "Oliver Ortiz", "oliver");
    public static readonly Actor Anna = new("teams", "29:anna", "Anna Anders", "anna");
    public static readonly Actor SlackBen = new("slack", "U0BEN", "Ben Brown", "ben");
    public static readonly Service Checkout = new("checkout", "Checkout", "payments", "checkout", new Uri("https://runbooks.example.com/checkout?a=1&b=(2)"), ["payments-api"], []);
    public static readonly Service PaymentsApi = new("payments-api", "Payments API", "payments", "payments", null, [], []);
    public static readonly Team Payments = new("payments", "Payments", [], ChatChannels.None, null);
    public static readonly User Carol = new("carol", "Carol Chen", DateTimeZone.Utc, null, "29:carol", null);

    public static Incident Incident(
        string summary = "Cards are timing out", IncidentStatus status = IncidentStatus.Triggered, bool exhausted = false, string? directUser = null) =>
        new(42, summary, directUser is null ? "checkout" : null, directUser, status, PagedAt, Oliver,
            status == IncidentStatus.Triggered ? null : PagedAt + Duration.FromMinutes(3),
            status == IncidentStatus.Triggered ? null : Anna,
            status == IncidentStatus.Resolved ? PagedAt + Duration.FromMinutes(30) : null,
            status == IncidentStatus.Resolved ? Anna : null,
            EscalationState.Start(PagedAt) with { Exhausted = exhausted }, "key", 1);

    public static PageView View(Incident incident, Service? service = null, Team? team = null) =>
        new(incident, service ?? (incident.ServiceId is null ? null : Checkout), team ?? Payments, 0, 2);

    public static IncidentRoom Room(IncidentPhase phase = IncidentPhase.Investigating, RoleHolder? commander = null) =>
        new(42, 2, phase, commander, null, null, [], [], [], null, null, null, null, 1);

    public static IncidentCard Card(
        Incident? incident = null, IncidentRoom? room = null, bool overdue = false,
        IReadOnlyList<DependencyOnCall>? upstream = null, IReadOnlyList<DependencyOnCall>? downstream = null) =>
        new(incident ?? Incident(), room ?? Room(), Checkout, Payments,
            upstream ?? [new DependencyOnCall(PaymentsApi, [Carol])], downstream ?? [], PagedAt + Duration.FromMinutes(20), overdue);

    /// <summary>The Adaptive Cards 1.5 schema's complaints about a card; empty when it conforms.</summary>
    public static IReadOnlyList<string> SchemaErrors(JsonObject card)
    {
        using var schema = JsonDocument.Parse(SharedFixtures.ReadText("teams/adaptivecards/adaptive-card.schema.1.5.0.json"));
        return new JsonSchemaValidator().Validate(schema.RootElement, JsonSerializer.SerializeToElement(card));
    }

    /// <summary>Every element of a type, anywhere in the card (body, columns, show-card cards).</summary>
    public static IEnumerable<JsonObject> All(JsonNode? node, string type) => node switch
    {
        JsonObject o => ((string?)o["type"] == type ? [o] : Enumerable.Empty<JsonObject>()).Concat(o.SelectMany(p => All(p.Value, type))),
        JsonArray a => a.SelectMany(n => All(n, type)),
        _ => [],
    };

    public static List<string> TextBlocks(JsonObject card) => All(card, "TextBlock").Select(t => (string)t["text"]!).ToList();

    public static List<string> Runs(JsonObject card) => All(card, "TextRun").Select(t => (string)t["text"]!).ToList();

    /// <summary>Each rich text block's runs joined: the lines as a reader sees them.</summary>
    public static List<string> RichLines(JsonObject card) =>
        All(card, "RichTextBlock").Select(b => string.Concat(b["inlines"]!.AsArray().Select(r => (string)r!["text"]!))).ToList();

    /// <summary>Every line of the card, rich or plain.</summary>
    public static string AllText(JsonObject card) => string.Join("\n", TextBlocks(card).Concat(RichLines(card)));

    public static List<(string Title, string Verb, long Incident)> Executes(JsonObject card) =>
        All(card, "Action.Execute").Select(a => ((string)a["title"]!, (string)a["verb"]!, (long)a["data"]!["incident"]!)).ToList();
}
