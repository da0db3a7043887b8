using YamlDotNet.RepresentationModel;

namespace OnCallBot.Configuration.Parsing;

internal sealed partial class ConfigParser
{
    private static readonly string[] ServiceKeys = ["id", "name", "team", "escalation_policy", "runbook", "depends_on", "aliases"];

    private sealed record ServiceDraft(
        Text Id,
        string Name,
        string Team,
        string Policy,
        Uri? Runbook,
        IReadOnlyList<Text> DependsOn,
        IReadOnlyList<Text> Aliases);

    private void ReadServices(List<YamlNode> items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            var reader = ReadMapping(items[i], $"services entry {i + 1}", ServiceKeys);
            if (reader is null)
            {
                continue;
            }
            var id = ReadId(reader, "service", _serviceIds);
            ReportUnknownKeys(reader);
            var name = RequiredText(reader, "name");

            var team = RequiredText(reader, "team");
            if (team is { } t)
            {
                Refer(RefKind.Team, t, $"the owner team of {reader.What}");
            }
            var policy = RequiredText(reader, "escalation_policy");
            if (policy is { } p)
            {
                Refer(RefKind.Policy, p, $"the escalation_policy of {reader.What}");
            }

            Uri? runbook = null;
            if (OptionalText(reader, "runbook") is { } runbookText
                && ValueParsers.ParseRunbook(runbookText.Value, out runbook) is { } runbookError)
            {
                _errors.Add(runbookText.Node, $"{runbookError} (in {reader.What})");
            }

            var dependsOn = new List<Text>();
            // A set, not a scan of the list so far: a list of a hundred thousand entries must not take n² steps.
            var listed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var dependency in TextList(reader, "depends_on", required: false, "[payments-api, ledger]") ?? [])
            {
                if (id is not null && string.Equals(dependency.Value, id, StringComparison.OrdinalIgnoreCase))
                {
                    _errors.Add(dependency.Node, $"{reader.What} depends on itself: remove {ValueText.Quoted(dependency.Value)} from its depends_on");
                    continue;
                }
                if (!listed.Add(dependency.Value))
                {
                    _errors.Add(dependency.Node, $"{ValueText.Quoted(dependency.Value)} is listed twice in the depends_on of {reader.What}");
                    continue;
                }
                dependsOn.Add(dependency);
                Refer(RefKind.Service, dependency, $"the depends_on of {reader.What}");
            }

            var aliases = new List<Text>();
            foreach (var alias in TextList(reader, "aliases", required: false, "[cart]") ?? [])
            {
                if (ValueParsers.CheckId(alias.Value, "alias") is { } aliasError)
                {
                    _errors.Add(alias.Node, $"{aliasError} (in {reader.What})");
                    continue;
                }
                aliases.Add(alias);
            }

            if (id is not null && reader.Get("id") is { } idNode)
            {
                _services.Add(new ServiceDraft(
                    new Text(id, idNode), name?.Value ?? id, team?.Value ?? string.Empty, policy?.Value ?? string.Empty,
                    runbook, dependsOn, aliases));
            }
        }
    }

    /// <summary>
    /// Services are found by id or alias (<c>/page cart</c>), so every name must lead to one service only.
    /// Returns each alias with the id of its service, for "did you mean" on references that use an alias.
    /// </summary>
    private Dictionary<string, string> CheckAliases()
    {
        var aliasOwners = new Dictionary<string, (string Service, YamlNode Node)>(StringComparer.OrdinalIgnoreCase);
        foreach (var service in _services)
        {
            foreach (var alias in service.Aliases)
            {
                var name = alias.Value;
                if (string.Equals(name, service.Id.Value, StringComparison.OrdinalIgnoreCase))
                {
                    _errors.Add(alias.Node, $"alias '{name}' of service '{service.Id.Value}' is its own id: remove it");
                }
                else if (_serviceIds.TryGetValue(name, out var other))
                {
                    _errors.Add(alias.Node, $"alias '{name}' of service '{service.Id.Value}' clashes with the id of service '{other.Value}' (line {LineOf(other.Node)}): /page {name} must find one service");
                }
                else if (aliasOwners.TryGetValue(name, out var owner))
                {
                    _errors.Add(alias.Node, string.Equals(owner.Service, service.Id.Value, StringComparison.OrdinalIgnoreCase)
                        ? $"alias '{name}' is listed twice in service '{service.Id.Value}'"
                        : $"alias '{name}' of service '{service.Id.Value}' clashes with the same alias of service '{owner.Service}' (line {LineOf(owner.Node)}): /page {name} must find one service");
                }
                else
                {
                    aliasOwners[name] = (service.Id.Value, alias.Node);
                }
            }
        }
        return aliasOwners.ToDictionary(kv => kv.Key, kv => kv.Value.Service, StringComparer.OrdinalIgnoreCase);
    }

    private void ResolveReferences(Dictionary<string, string> aliases)
    {
        var teamSchedules = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var team in _teams)
        {
            teamSchedules.TryAdd(team.Id, team.Schedule);
        }
        foreach (var reference in _references)
        {
            var (ids, noun, section) = reference.Kind switch
            {
                RefKind.User => (_userIds, "user", "users"),
                RefKind.Team or RefKind.TeamTarget => (_teamIds, "team", "teams"),
                RefKind.Schedule => (_scheduleIds, "schedule", "schedules"),
                RefKind.Policy => (_policyIds, "escalation policy", "escalation_policies"),
                _ => (_serviceIds, "service", "services"),
            };
            var id = reference.Id.Value;
            if (!ids.ContainsKey(id))
            {
                string hint;
                if (reference.Kind == RefKind.Service && aliases.TryGetValue(id, out var aliasOf))
                {
                    hint = $": {ValueText.Quoted(id)} is an alias of service '{aliasOf}'; write the service id '{aliasOf}'";
                }
                else
                {
                    hint = Suggestions.Closest(id, ids.Keys) is { } match
                        ? $"; did you mean '{match}'?"
                        : $": no {noun} with this id is defined under {section}:";
                }
                _errors.Add(reference.Id.Node, $"unknown {noun} {ValueText.Quoted(id)} in {reference.Context}{hint}");
                continue;
            }
            if (reference.Kind == RefKind.TeamTarget
                && teamSchedules.TryGetValue(id, out var schedule) && schedule is null)
            {
                _errors.Add(reference.Id.Node, $"team {ValueText.Quoted(id)} is an escalation target in {reference.Context} but has no schedule, so it would page nobody: set 'schedule:' on the team or target a schedule or user instead");
            }
        }
    }

    /// <summary>
    /// Reports one cycle per group of services that depend on each other (a strongly connected component),
    /// the shortest one through the group's first service in the file, at the entry that starts it.
    /// </summary>
    private void CheckDependencyCycles()
    {
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < _services.Count; i++)
        {
            index.TryAdd(_services[i].Id.Value, i);
        }
        var edges = _services
            .Select(s => s.DependsOn.Where(d => index.ContainsKey(d.Value)).Select(d => (Target: index[d.Value], d.Node)).ToList())
            .ToList();

        foreach (var component in StronglyConnectedComponents(edges).Where(c => c.Count > 1))
        {
            var start = component.Min();
            var members = component.ToHashSet();
            var path = ShortestCycle(start, edges, members);
            var names = path.Select(i => _services[i].Id.Value).Append(_services[start].Id.Value);
            var firstEdge = edges[start].First(e => e.Target == path[1]);
            _errors.Add(firstEdge.Node, $"dependency cycle among services: {string.Join(" -> ", names)}; a service cannot depend on itself, even indirectly: remove one of these depends_on entries");
        }
    }

    private static List<int> ShortestCycle(int start, List<List<(int Target, YamlNode Node)>> edges, HashSet<int> members)
    {
        var previous = new Dictionary<int, int>();
        var queue = new Queue<int>();
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            var current = queue.Dequeue();
            foreach (var (next, _) in edges[current])
            {
                if (!members.Contains(next))
                {
                    continue;
                }
                if (next == start)
                {
                    var path = new List<int> { current };
                    while (path[^1] != start)
                    {
                        path.Add(previous[path[^1]]);
                    }
                    path.Reverse();
                    return path;
                }
                if (previous.TryAdd(next, current))
                {
                    queue.Enqueue(next);
                }
            }
        }
        throw new InvalidOperationException("A strongly connected component always has a cycle through each member.");
    }

    /// <summary>
    /// Tarjan's algorithm; components come out in no particular order, each as a list of service indexes. It walks
    /// with a stack of its own rather than by recursion: a chain of depends_on tens of thousands of services long
    /// would otherwise overflow the thread's stack and kill the process.
    /// </summary>
    private static List<List<int>> StronglyConnectedComponents(List<List<(int Target, YamlNode Node)>> edges)
    {
        var count = edges.Count;
        var order = new int[count];
        var low = new int[count];
        var onStack = new bool[count];
        Array.Fill(order, -1);
        var stack = new Stack<int>();
        var components = new List<List<int>>();
        var counter = 0;
        // The walk's own call stack: a service and how many of its edges have been followed.
        var walk = new Stack<(int Service, int NextEdge)>();

        for (var root = 0; root < count; root++)
        {
            if (order[root] >= 0)
            {
                continue;
            }
            order[root] = low[root] = counter++;
            stack.Push(root);
            onStack[root] = true;
            walk.Push((root, 0));
            while (walk.Count > 0)
            {
                var (v, next) = walk.Pop();
                if (next < edges[v].Count)
                {
                    walk.Push((v, next + 1));
                    var w = edges[v][next].Target;
                    if (order[w] < 0)
                    {
                        order[w] = low[w] = counter++;
                        stack.Push(w);
                        onStack[w] = true;
                        walk.Push((w, 0));
                    }
                    else if (onStack[w])
                    {
                        low[v] = Math.Min(low[v], order[w]);
                    }
                    continue;
                }
                // Every edge of v is done: close its component if it is the root of one, then report back to its caller.
                if (low[v] == order[v])
                {
                    var component = new List<int>();
                    int w;
                    do
                    {
                        w = stack.Pop();
                        onStack[w] = false;
                        component.Add(w);
                    }
                    while (w != v);
                    components.Add(component);
                }
                if (walk.Count > 0)
                {
                    var caller = walk.Peek().Service;
                    low[caller] = Math.Min(low[caller], low[v]);
                }
            }
        }
        return components;
    }
}
