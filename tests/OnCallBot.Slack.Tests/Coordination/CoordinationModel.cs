using NodaTime;
using OnCallBot.Core.Model;

namespace OnCallBot.Slack.Tests.Coordination;

/// <summary>
/// The on-call config of the Slack coordination tests. Checkout (runbook; owned by the Checkout team) pages Anna, then
/// Bob; it depends on Payments API, where Carol is on call, and Cart depends on it, where Dave (no Slack id) is on
/// call. Oliver pages; the stranger is in Slack but not in the config.
/// </summary>
internal static class CoordinationModel
{
    public const string AnnaSlack = "U0ANNA";
    public const string BobSlack = "U0BOB";
    public const string CarolSlack = "U0CAROL";
    public const string OliverSlack = "U0OLIVER";
    public const string StrangerSlack = "U0STRANGER";

    public static OnCallModel Build()
    {
        var zone = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
        User[] users =
        [
            new("anna", "Anna Anders", zone, AnnaSlack, null, null),
            new("bob", "Bob Berg", zone, BobSlack, null, null),
            new("carol", "Carol Clark", zone, CarolSlack, null, null),
            new("dave", "Dave Dunn", zone, null, null, null),
            new("oliver", "Oliver Ortiz", zone, OliverSlack, null, null),
        ];
        var start = new LocalDateTime(2026, 1, 5, 9, 0);
        Schedule[] schedules =
        [
            new("primary", "Primary", zone, [new ScheduleLayer("weekly", ["anna"], ShiftLength.Weekly, start, [])]),
            new("secondary", "Secondary", zone, [new ScheduleLayer("weekly", ["bob"], ShiftLength.Weekly, start, [])]),
            new("payments", "Payments", zone, [new ScheduleLayer("weekly", ["carol"], ShiftLength.Weekly, start, [])]),
            new("storefront", "Storefront", zone, [new ScheduleLayer("weekly", ["dave"], ShiftLength.Weekly, start, [])]),
        ];
        EscalationPolicy[] policies =
        [
            new("checkout", "Checkout",
            [
                new EscalationLevel([new EscalationTarget(EscalationTargetKind.Schedule, "primary")], Duration.FromMinutes(5)),
                new EscalationLevel([new EscalationTarget(EscalationTargetKind.Schedule, "secondary")], Duration.FromMinutes(10)),
            ], Repeat: 0),
            new("payments", "Payments", [new EscalationLevel([new EscalationTarget(EscalationTargetKind.Schedule, "payments")], Duration.FromMinutes(5))], Repeat: 0),
            new("storefront", "Storefront", [new EscalationLevel([new EscalationTarget(EscalationTargetKind.Schedule, "storefront")], Duration.FromMinutes(5))], Repeat: 0),
        ];
        Team[] teams =
        [
            new("checkout-team", "Checkout Team", ["anna", "bob"], new ChatChannels("C0CHECKOUT", null), "primary"),
            new("payments-team", "Payments Team", ["carol"], ChatChannels.None, "payments"),
            new("storefront-team", "Storefront Team", ["dave"], ChatChannels.None, "storefront"),
        ];
        Service[] services =
        [
            new("checkout", "Checkout", "checkout-team", "checkout", new Uri("https://runbooks.example.com/checkout"), ["payments-api"], []),
            new("payments-api", "Payments API", "payments-team", "payments", null, [], ["payments"]),
            new("cart", "Cart", "storefront-team", "storefront", null, ["checkout"], []),
        ];
        return new OnCallModel(users, teams, schedules, policies, services);
    }
}
