using System.Globalization;
using OnCallBot.Core.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OnCallBot.Configuration.Parsing;

/// <summary>
/// Reads one config text into an <see cref="OnCallModel"/>, validating it as a whole. Every section is read
/// even after errors, with placeholder values standing in for invalid ones, so that all problems are reported
/// at once; the model is only built when no error was found, so placeholders never reach it.
/// </summary>
internal sealed partial class ConfigParser
{
    private static readonly string[] TopLevelKeys = ["users", "teams", "schedules", "escalation_policies", "services"];

    /// <summary>What a missing key is for, appended to "missing required key" so the fix is obvious.</summary>
    private static readonly Dictionary<string, string> KeyHints = new(StringComparer.Ordinal)
    {
        ["id"] = "the id other entries refer to, e.g. payments",
        ["name"] = "a human-readable name",
        ["time_zone"] = "an IANA zone such as Europe/Berlin",
        ["members"] = "a list of user ids, e.g. [alice, bob]",
        ["layers"] = "a list of rotations",
        ["shift"] = "daily, weekly, <N>h or <N>d",
        ["start"] = "the local date of the first shift, e.g. 2026-01-05",
        ["handoff"] = "the local time of day of every handoff, e.g. \"09:00\"",
        ["from"] = "the local time the window opens, e.g. \"09:00\"",
        ["to"] = "the local time the window closes, e.g. \"18:00\"",
        ["levels"] = "a list of escalation levels",
        ["timeout"] = "the acknowledgement timeout, e.g. 5m",
        ["targets"] = "a list of schedule:, user: or team: targets",
        ["team"] = "the id of the owning team",
        ["escalation_policy"] = "the id of an escalation policy",
    };

    private readonly ErrorSink _errors;
    private readonly List<Reference> _references = [];

    // Defined ids per kind, case-insensitive like the model's lookups; the value is the defining occurrence.
    private readonly Dictionary<string, Text> _userIds = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Text> _teamIds = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Text> _scheduleIds = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Text> _policyIds = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Text> _serviceIds = new(StringComparer.OrdinalIgnoreCase);

    private readonly List<User> _users = [];
    private readonly List<TeamDraft> _teams = [];
    private readonly List<ScheduleDraft> _schedules = [];
    private readonly List<PolicyDraft> _policies = [];
    private readonly List<ServiceDraft> _services = [];

    private ConfigParser(string file) => _errors = new ErrorSink(file);

    private enum RefKind
    {
        User,
        Team,
        Schedule,
        Policy,
        Service,
        /// <summary>A team used as an escalation target: it must exist and have a schedule to resolve to.</summary>
        TeamTarget,
    }

    /// <summary>An id used somewhere, checked once every section has been read (sections may come in any order).</summary>
    private sealed record Reference(RefKind Kind, Text Id, string Context);

    public static (OnCallModel? Model, IReadOnlyList<ConfigError> Errors) Parse(string text, string file)
    {
        var parser = new ConfigParser(file);
        var model = parser.Run(text);
        return (model, parser._errors.ToSortedList());
    }

    private OnCallModel? Run(string text)
    {
        var root = LoadRoot(text);
        if (root is null)
        {
            return null;
        }
        var top = ReadMapping(root, "the top level", TopLevelKeys);
        if (top is null)
        {
            return null;
        }
        ReportUnknownKeys(top);

        ReadUsers(Section(top, "users"));
        ReadTeams(Section(top, "teams"));
        ReadSchedules(Section(top, "schedules"));
        ReadPolicies(Section(top, "escalation_policies"));
        ReadServices(Section(top, "services"));

        var aliases = CheckAliases();
        ResolveReferences(aliases);
        CheckDependencyCycles();

        return _errors.Count == 0 ? Build() : null;
    }

    private YamlNode? LoadRoot(string text)
    {
        var stream = new YamlStream();
        var scanner = new Scanner(new StringReader(text));
        try
        {
            stream.Load(new LimitedParser(new Parser(scanner)));
        }
        catch (YamlLimitException ex)
        {
            _errors.Add(ex.Start, ex.Message);
            return null;
        }
        catch (YamlException ex)
        {
            const string duplicate = "Duplicate key ";
            var message = ex.Message.StartsWith(duplicate, StringComparison.Ordinal)
                ? $"key {ValueText.Quoted(ex.Message[duplicate.Length..])} appears twice in the same mapping: keep one"
                : $"YAML syntax error: {ex.Message.TrimEnd('.')} (check the indentation, quotes and brackets here or just above)";
            _errors.Add(ex.Start, message);
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, without a position, on some unterminated flow collections;
            // the scanner's own position is where it gave up.
            _errors.Add(scanner.CurrentPosition, "YAML syntax error: unexpected text here (an unclosed '[', '{' or quote above?)");
            return null;
        }

        if (stream.Documents.Count == 0 || YamlNodes.IsNull(stream.Documents[0].RootNode))
        {
            _errors.Add(new Mark(0, 1, 1), "the file is empty: expected the sections users, teams, schedules, escalation_policies and services (see manifests/oncall.example.yaml)");
            return null;
        }
        if (stream.Documents.Count > 1)
        {
            _errors.Add(stream.Documents[1].RootNode, "only one YAML document is allowed per file: remove the '---' separator and merge the sections");
            return null;
        }
        return stream.Documents[0].RootNode;
    }

    private OnCallModel Build()
    {
        var teams = _teams.Select(t => new Team(
            t.Id,
            t.Name,
            t.Members.Select(m => Canonical(_userIds, m)).ToList(),
            t.Channels,
            t.Schedule is { } schedule ? Canonical(_scheduleIds, schedule) : null));
        var schedules = _schedules.Select(s => new Schedule(
            s.Id,
            s.Name,
            s.TimeZone,
            s.Layers.Select(l => l with { MemberIds = l.MemberIds.Select(m => Canonical(_userIds, m)).ToList() }).ToList()));
        var policies = _policies.Select(p => new EscalationPolicy(
            p.Id,
            p.Name,
            p.Levels.Select(l => new EscalationLevel(
                l.Targets.Select(t => new EscalationTarget(t.Kind, Canonical(IdsOf(t.Kind), t.Id))).ToList(),
                l.AckTimeout)).ToList(),
            p.Repeat));
        var services = _services.Select(s => new Service(
            s.Id.Value,
            s.Name,
            Canonical(_teamIds, s.Team),
            Canonical(_policyIds, s.Policy),
            s.Runbook,
            s.DependsOn.Select(d => Canonical(_serviceIds, d.Value)).ToList(),
            s.Aliases.Select(a => a.Value).ToList()));
        return new OnCallModel(_users, teams, schedules, policies, services);
    }

    /// <summary>References are matched case-insensitively but stored as the id is spelt where it is defined.</summary>
    private static string Canonical(Dictionary<string, Text> ids, string id) => ids[id].Value;

    private Dictionary<string, Text> IdsOf(EscalationTargetKind kind) => kind switch
    {
        EscalationTargetKind.Schedule => _scheduleIds,
        EscalationTargetKind.User => _userIds,
        _ => _teamIds,
    };

    // ---- generic readers -------------------------------------------------------------------------------

    private MappingReader? ReadMapping(YamlNode node, string what, string[] allowedKeys)
    {
        if (node is not YamlMappingNode mapping)
        {
            _errors.Add(node, $"{what} must be a mapping with the keys {string.Join(", ", allowedKeys)}, not {YamlNodes.Describe(node)}");
            return null;
        }
        var reader = new MappingReader(mapping, what, allowedKeys);
        foreach (var (key, value) in mapping.Children)
        {
            if (key is not YamlScalarNode { Value: { Length: > 0 } name } scalarKey)
            {
                _errors.Add(key, $"keys in {what} must be plain words such as {allowedKeys[0]}, not {YamlNodes.Describe(key)}");
                continue;
            }
            if (allowedKeys.Contains(name, StringComparer.Ordinal))
            {
                reader.AddKnown(name, scalarKey, value);
            }
            else
            {
                reader.AddUnknown(scalarKey);
            }
        }
        return reader;
    }

    /// <summary>Called once a mapping's id is known, so the message names the entry rather than its position.</summary>
    private void ReportUnknownKeys(MappingReader reader)
    {
        foreach (var key in reader.UnknownKeys)
        {
            var name = key.Value!;
            var hint = Suggestions.Closest(name, reader.AllowedKeys) is { } match
                ? $"; did you mean '{match}'?"
                : $" (allowed keys: {string.Join(", ", reader.AllowedKeys)})";
            _errors.Add(key, $"unknown key {ValueText.Quoted(name)} in {reader.What}{hint}");
        }
    }

    private void Missing(MappingReader reader, string key)
    {
        var hint = KeyHints.TryGetValue(key, out var h) ? $" ({h})" : string.Empty;
        _errors.Add(reader.Node, $"missing required key '{key}' in {reader.What}{hint}");
    }

    private Text? RequiredText(MappingReader reader, string key) => ReadText(reader, key, required: true);

    private Text? OptionalText(MappingReader reader, string key) => ReadText(reader, key, required: false);

    private Text? ReadText(MappingReader reader, string key, bool required)
    {
        var node = reader.Get(key);
        if (node is null)
        {
            if (required)
            {
                Missing(reader, key);
            }
            return null;
        }
        if (node is not YamlScalarNode { Value: { } value })
        {
            _errors.Add(node, $"'{key}' in {reader.What} must be a single value, not {YamlNodes.Describe(node)}");
            return null;
        }
        if (value.Trim().Length == 0)
        {
            _errors.Add(node, $"'{key}' in {reader.What} is empty{(required ? " but required" : ": remove the key or give it a value")}");
            return null;
        }
        return new Text(value.Trim(), node);
    }

    /// <summary>A list of plain values; returns null when the key is absent or the value is not a list.</summary>
    private List<Text>? TextList(MappingReader reader, string key, bool required, string example)
    {
        var items = NodeList(reader, key, required, example);
        if (items is null)
        {
            return null;
        }
        var values = new List<Text>();
        foreach (var item in items)
        {
            if (item is YamlScalarNode { Value: { } value } && !YamlNodes.IsNull(item) && value.Trim().Length > 0)
            {
                values.Add(new Text(value.Trim(), item));
            }
            else
            {
                _errors.Add(item, $"each entry of '{key}' in {reader.What} must be a single value (e.g. {example}), not {YamlNodes.Describe(item)}");
            }
        }
        return values;
    }

    private List<YamlNode>? NodeList(MappingReader reader, string key, bool required, string example)
    {
        var node = reader.Get(key);
        if (node is null)
        {
            if (required)
            {
                Missing(reader, key);
            }
            return null;
        }
        if (node is not YamlSequenceNode sequence)
        {
            _errors.Add(node, $"'{key}' in {reader.What} must be a list, e.g. {example}, not {YamlNodes.Describe(node)}");
            return null;
        }
        return sequence.Children.ToList();
    }

    private List<YamlNode> Section(MappingReader top, string key) =>
        NodeList(top, key, required: false, example: $"'{key}:' followed by '- id: ...' entries") ?? [];

    /// <summary>Reads and registers an entry's id, renaming the reader to "kind 'id'" for the messages that follow.</summary>
    private string? ReadId(MappingReader reader, string kind, Dictionary<string, Text> registry)
    {
        var text = RequiredText(reader, "id");
        if (text is not { } id)
        {
            return null;
        }
        if (ValueParsers.CheckId(id.Value, $"{kind} id") is { } error)
        {
            _errors.Add(id.Node, error);
            return null;
        }
        reader.What = $"{kind} '{id.Value}'";
        if (registry.TryGetValue(id.Value, out var first))
        {
            _errors.Add(id.Node, $"duplicate {kind} id '{id.Value}': already defined at line {first.Node.Start.Line.ToString(CultureInfo.InvariantCulture)}; ids must be unique (case is ignored)");
            return id.Value;
        }
        registry[id.Value] = id;
        return id.Value;
    }

    private void Refer(RefKind kind, Text id, string context) => _references.Add(new Reference(kind, id, context));

    private static string LineOf(YamlNode node) => node.Start.Line.ToString(CultureInfo.InvariantCulture);
}
