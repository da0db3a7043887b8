using System.Collections.Frozen;
using NodaTime;

namespace OnCallBot.Core.Model;

/// <summary>
/// One validated, immutable version of the on-call configuration: who exists, who owns what, and how to
/// escalate. Built only by the config loader after the whole file validated, and swapped atomically on reload.
/// Ids and aliases are matched case-insensitively.
/// </summary>
public sealed class OnCallModel
{
    private readonly FrozenDictionary<string, Service> _servicesByNameOrAlias;

    public OnCallModel(
        IEnumerable<User> users,
        IEnumerable<Team> teams,
        IEnumerable<Schedule> schedules,
        IEnumerable<EscalationPolicy> policies,
        IEnumerable<Service> services)
    {
        Users = users.ToFrozenDictionary(u => u.Id, StringComparer.OrdinalIgnoreCase);
        Teams = teams.ToFrozenDictionary(t => t.Id, StringComparer.OrdinalIgnoreCase);
        Schedules = schedules.ToFrozenDictionary(s => s.Id, StringComparer.OrdinalIgnoreCase);
        Policies = policies.ToFrozenDictionary(p => p.Id, StringComparer.OrdinalIgnoreCase);
        Services = services.ToFrozenDictionary(s => s.Id, StringComparer.OrdinalIgnoreCase);

        var byName = new Dictionary<string, Service>(StringComparer.OrdinalIgnoreCase);
        foreach (var service in Services.Values)
        {
            byName[service.Id] = service;
            foreach (var alias in service.Aliases)
            {
                byName.TryAdd(alias, service);
            }
        }
        _servicesByNameOrAlias = byName.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    public static OnCallModel Empty { get; } = new([], [], [], [], []);

    public FrozenDictionary<string, User> Users { get; }
    public FrozenDictionary<string, Team> Teams { get; }
    public FrozenDictionary<string, Schedule> Schedules { get; }
    public FrozenDictionary<string, EscalationPolicy> Policies { get; }
    public FrozenDictionary<string, Service> Services { get; }

    /// <summary>Finds a service by id or alias.</summary>
    public Service? FindService(string nameOrAlias) =>
        _servicesByNameOrAlias.GetValueOrDefault(nameOrAlias.Trim());

    /// <summary>
    /// The services whose id or alias is closest to <paramref name="text"/> (prefix, substring, then edit distance),
    /// best first, so an unknown name can be answered with "did you mean".
    /// </summary>
    public IReadOnlyList<Service> SuggestServices(string text, int max = 3)
    {
        var needle = text.Trim().ToLowerInvariant();
        return _servicesByNameOrAlias
            .Select(kv => (Service: kv.Value, Score: Closeness(needle, kv.Key.ToLowerInvariant())))
            .Where(x => x.Score < int.MaxValue)
            .GroupBy(x => x.Service.Id, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.MinBy(x => x.Score))
            .OrderBy(x => x.Score)
            .ThenBy(x => x.Service.Id, StringComparer.Ordinal)
            .Take(max)
            .Select(x => x.Service)
            .ToList();
    }

    public Team? FindTeam(string id) => Teams.GetValueOrDefault(id);
    public Schedule? FindSchedule(string id) => Schedules.GetValueOrDefault(id);
    public User? FindUser(string id) => Users.GetValueOrDefault(id);

    public User? FindUserBySlackId(string slackUserId) =>
        Users.Values.FirstOrDefault(u => string.Equals(u.SlackUserId, slackUserId, StringComparison.Ordinal));

    public User? FindUserByTeamsId(string teamsUserId) =>
        Users.Values.FirstOrDefault(u => string.Equals(u.TeamsUserId, teamsUserId, StringComparison.OrdinalIgnoreCase));

    /// <summary>Services that <paramref name="serviceId"/> depends on directly (upstream).</summary>
    public IReadOnlyList<Service> Upstream(string serviceId) =>
        Services.TryGetValue(serviceId, out var service)
            ? service.DependsOn.Select(id => Services[id]).ToList()
            : [];

    /// <summary>Services that depend directly on <paramref name="serviceId"/> (downstream).</summary>
    public IReadOnlyList<Service> Downstream(string serviceId) =>
        Services.Values
            .Where(s => s.DependsOn.Contains(serviceId, StringComparer.OrdinalIgnoreCase))
            .OrderBy(s => s.Id, StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// The zone to show a service's times in: that of the first schedule its escalation policy reaches
    /// (directly or through a team), else UTC.
    /// </summary>
    public DateTimeZone TimeZoneOf(Service service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var targets = Policies.TryGetValue(service.EscalationPolicyId, out var policy)
            ? policy.Levels.SelectMany(l => l.Targets)
            : [];
        foreach (var target in targets)
        {
            var scheduleId = target.Kind switch
            {
                EscalationTargetKind.Schedule => target.Id,
                EscalationTargetKind.Team => FindTeam(target.Id)?.ScheduleId,
                _ => null,
            };
            if (scheduleId is not null && FindSchedule(scheduleId) is { } schedule)
            {
                return schedule.TimeZone;
            }
        }
        return DateTimeZone.Utc;
    }

    private static int Closeness(string needle, string candidate)
    {
        if (candidate.StartsWith(needle, StringComparison.Ordinal) || needle.StartsWith(candidate, StringComparison.Ordinal))
        {
            return 0;
        }
        if (candidate.Contains(needle, StringComparison.Ordinal) || needle.Contains(candidate, StringComparison.Ordinal))
        {
            return 1;
        }
        var distance = EditDistance(needle, candidate);
        // Beyond a third of the longer name, a suggestion is noise rather than help.
        return distance <= Math.Max(2, Math.Max(needle.Length, candidate.Length) / 3) ? 1 + distance : int.MaxValue;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
