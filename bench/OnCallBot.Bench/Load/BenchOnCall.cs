using System.Globalization;
using System.Text;

namespace OnCallBot.Bench.Load;

/// <summary>One service of a generated on-call config, and who its levels page.</summary>
internal sealed record BenchService(string Id, string Level1SlackId, string? Level2SlackId);

/// <summary>
/// Generated on-call configs (YAML, as an admin would write them) for the load scenarios, and the people in them.
/// </summary>
internal sealed class BenchOnCall
{
    private BenchOnCall(string yaml, IReadOnlyList<BenchService> services, IReadOnlyList<string> slackIds)
    {
        Yaml = yaml;
        Services = services;
        SlackIds = slackIds;
    }

    public string Yaml { get; }

    public IReadOnlyList<BenchService> Services { get; }

    /// <summary>Every person's Slack id (level 1 and 2 people, rotation members, reporters).</summary>
    public IReadOnlyList<string> SlackIds { get; }

    /// <summary>People who type /page: in the config, on call for nothing.</summary>
    public IReadOnlyList<string> Reporters => [.. SlackIds.Where(id => id.StartsWith("U9", StringComparison.Ordinal))];

    /// <summary>
    /// <paramref name="services"/> services, each with a level-1 and a level-2 person of its own (nobody is on two
    /// services), so every page notifies people no other page notifies.
    /// </summary>
    public static BenchOnCall DistinctPeople(int services, TimeSpan level1Timeout, TimeSpan level2Timeout, int reporters = 20)
    {
        var yaml = new StringBuilder();
        var list = new List<BenchService>(services);
        var ids = new List<string>(services * 2 + reporters);
        yaml.AppendLine("users:");
        for (var i = 0; i < services; i++)
        {
            var service = new BenchService(ServiceId(i), SlackId(1, i), SlackId(2, i));
            list.Add(service);
            User(yaml, $"l1-{i:D6}", service.Level1SlackId);
            User(yaml, $"l2-{i:D6}", service.Level2SlackId!);
            ids.Add(service.Level1SlackId);
            ids.Add(service.Level2SlackId!);
        }
        AddReporters(yaml, ids, reporters);
        yaml.AppendLine("teams:");
        yaml.AppendLine("  - { id: bench, name: Bench }");
        yaml.AppendLine("escalation_policies:");
        for (var i = 0; i < services; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture,
                $"  - {{ id: p-{i:D6}, name: Policy {i}, levels: [ {{ timeout: {Duration(level1Timeout)}, targets: [ {{ user: l1-{i:D6} }} ] }}, ");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"{{ timeout: {Duration(level2Timeout)}, targets: [ {{ user: l2-{i:D6} }} ] }} ] }}");
        }
        yaml.AppendLine("services:");
        for (var i = 0; i < services; i++)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - {{ id: {ServiceId(i)}, name: Service {i}, team: bench, escalation_policy: p-{i:D6} }}");
        }
        return new BenchOnCall(yaml.ToString(), list, ids);
    }

    /// <summary>
    /// <paramref name="users"/> people in teams of <paramref name="teamSize"/>, one service per team: level 1 is the
    /// team's weekly rotation, level 2 the team's last member. Whoever is on call this week gets that team's pages.
    /// </summary>
    public static BenchOnCall Rotations(int users, int teamSize, TimeSpan timeout, int reporters = 20)
    {
        var teams = users / teamSize;
        var yaml = new StringBuilder();
        var ids = new List<string>(users + reporters);
        yaml.AppendLine("users:");
        for (var u = 0; u < teams * teamSize; u++)
        {
            User(yaml, $"u-{u:D6}", SlackId(5, u));
            ids.Add(SlackId(5, u));
        }
        AddReporters(yaml, ids, reporters);
        string Members(int team) => string.Join(", ", Enumerable.Range(team * teamSize, teamSize).Select(u => $"u-{u:D6}"));
        yaml.AppendLine("teams:");
        for (var t = 0; t < teams; t++)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - {{ id: t-{t:D4}, name: Team {t}, members: [{Members(t)}] }}");
        }
        yaml.AppendLine("schedules:");
        for (var t = 0; t < teams; t++)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture,
                $"  - {{ id: s-{t:D4}, name: Rotation {t}, time_zone: Europe/Berlin, layers: [ {{ members: [{Members(t)}], shift: weekly, start: 2020-01-06, handoff: \"09:00\" }} ] }}");
        }
        yaml.AppendLine("escalation_policies:");
        for (var t = 0; t < teams; t++)
        {
            var last = $"u-{(t * teamSize) + teamSize - 1:D6}";
            yaml.AppendLine(CultureInfo.InvariantCulture,
                $"  - {{ id: p-{t:D4}, name: Policy {t}, levels: [ {{ timeout: {Duration(timeout)}, targets: [ {{ schedule: s-{t:D4} }} ] }}, {{ timeout: {Duration(timeout)}, targets: [ {{ user: {last} }} ] }} ] }}");
        }
        yaml.AppendLine("services:");
        var services = new List<BenchService>(teams);
        for (var t = 0; t < teams; t++)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - {{ id: {ServiceId(t)}, name: Service {t}, team: t-{t:D4}, escalation_policy: p-{t:D4} }}");
            // Who holds the rotation this week is the bot's to work out; the bench does not need it.
            services.Add(new BenchService(ServiceId(t), string.Empty, SlackId(5, (t * teamSize) + teamSize - 1)));
        }
        return new BenchOnCall(yaml.ToString(), services, ids);
    }

    private static string ServiceId(int i) => $"svc-{i:D6}";

    // Slack member ids: U, a digit for the role (1: level 1, 2: level 2, 5: rotation member, 9: reporter), a number.
    private static string SlackId(int role, int i) => string.Create(CultureInfo.InvariantCulture, $"U{role}{i:D7}");

    private static void User(StringBuilder yaml, string id, string slackId) =>
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  - {{ id: {id}, name: Person {id}, time_zone: Europe/Berlin, slack: {slackId} }}");

    private static void AddReporters(StringBuilder yaml, List<string> ids, int reporters)
    {
        for (var r = 0; r < reporters; r++)
        {
            User(yaml, $"reporter-{r:D3}", SlackId(9, r));
            ids.Add(SlackId(9, r));
        }
    }

    /// <summary>A duration as the config writes it: <c>30m</c>, <c>90s</c>, <c>1h</c>.</summary>
    private static string Duration(TimeSpan value)
    {
        var text = new StringBuilder();
        if (value.Hours + (value.Days * 24) > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{value.Hours + (value.Days * 24)}h");
        }
        if (value.Minutes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{value.Minutes}m");
        }
        if (value.Seconds > 0 || text.Length == 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{value.Seconds}s");
        }
        return text.ToString();
    }
}
