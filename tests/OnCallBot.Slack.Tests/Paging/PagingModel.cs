using NodaTime;
using OnCallBot.Core.Model;

namespace OnCallBot.Slack.Tests.Paging;

/// <summary>
/// The on-call config the Slack paging tests run against. Anna holds "primary" and Bob "secondary" all week;
/// checkout pages primary, then secondary. Carol's Slack id is one Slack cannot reach in the channel_not_found test;
/// Dave has no Slack id; Oliver pages.
/// </summary>
internal static class PagingModel
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
        ];
        EscalationPolicy[] policies =
        [
            new("checkout", "Checkout",
            [
                new EscalationLevel([new EscalationTarget(EscalationTargetKind.Schedule, "primary")], Duration.FromMinutes(5)),
                new EscalationLevel([new EscalationTarget(EscalationTargetKind.Schedule, "secondary")], Duration.FromMinutes(10)),
            ], Repeat: 0),
            new("pair", "Pair",
            [
                new EscalationLevel(
                    [new EscalationTarget(EscalationTargetKind.User, "carol"), new EscalationTarget(EscalationTargetKind.User, "anna")],
                    Duration.FromMinutes(5)),
            ], Repeat: 0),
        ];
        Team[] teams = [new("payments", "Payments", ["anna", "bob"], new ChatChannels("C0PAYMENTS", null), "primary")];
        Service[] services =
        [
            new("checkout", "Checkout", "payments", "checkout", new Uri("https://runbooks.example.com/checkout"), [], ["cart"]),
            new("ledger", "Ledger", "payments", "pair", null, [], []),
            new("search", "Search", "payments", "checkout", null, [], []),
        ];
        return new OnCallModel(users, teams, schedules, policies, services);
    }
}
