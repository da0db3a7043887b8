using System.Globalization;
using NodaTime;
using OnCallBot.Core.Model;
using YamlDotNet.RepresentationModel;

namespace OnCallBot.Configuration.Parsing;

internal sealed partial class ConfigParser
{
    private static readonly string[] PolicyKeys = ["id", "name", "repeat", "levels"];
    private static readonly string[] LevelKeys = ["timeout", "targets"];
    private static readonly string[] TargetKeys = ["schedule", "user", "team"];

    private sealed record PolicyDraft(string Id, string Name, IReadOnlyList<LevelDraft> Levels, int Repeat);

    private sealed record LevelDraft(IReadOnlyList<(EscalationTargetKind Kind, string Id)> Targets, Duration AckTimeout);

    private void ReadPolicies(List<YamlNode> items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            var reader = ReadMapping(items[i], $"escalation_policies entry {i + 1}", PolicyKeys);
            if (reader is null)
            {
                continue;
            }
            var id = ReadId(reader, "escalation policy", _policyIds);
            ReportUnknownKeys(reader);
            var name = RequiredText(reader, "name");

            var repeat = 0;
            if (OptionalText(reader, "repeat") is { } repeatText)
            {
                if (!int.TryParse(repeatText.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out repeat))
                {
                    _errors.Add(repeatText.Node, $"repeat {ValueText.Quoted(repeatText.Value)} in {reader.What} must be a whole number: how many more times to run all levels (0 = once)");
                }
                else if (repeat < 0)
                {
                    _errors.Add(repeatText.Node, $"repeat {repeat.ToString(CultureInfo.InvariantCulture)} in {reader.What} is negative: use 0 to run the levels once, 1 to run them twice, ...");
                }
            }

            var levels = new List<LevelDraft>();
            var levelNodes = NodeList(reader, "levels", required: true, "'- timeout: 5m' entries with targets");
            if (levelNodes is { Count: 0 })
            {
                _errors.Add(reader.Get("levels")!, $"{reader.What} has no levels: add at least one level with targets and a timeout");
            }
            for (var n = 0; n < (levelNodes?.Count ?? 0); n++)
            {
                if (ReadLevel(levelNodes![n], $"level {n + 1} of {reader.What}") is { } level)
                {
                    levels.Add(level);
                }
            }

            if (id is not null)
            {
                _policies.Add(new PolicyDraft(id, name?.Value ?? id, levels, repeat));
            }
        }
    }

    private LevelDraft? ReadLevel(YamlNode node, string what)
    {
        var reader = ReadMapping(node, what, LevelKeys);
        if (reader is null)
        {
            return null;
        }
        ReportUnknownKeys(reader);

        var timeout = Duration.Zero;
        if (RequiredText(reader, "timeout") is { } timeoutText
            && ValueParsers.ParseTimeout(timeoutText.Value, out timeout) is { } error)
        {
            _errors.Add(timeoutText.Node, $"{error} (in {what})");
        }

        var targets = new List<(EscalationTargetKind, string)>();
        var targetNodes = NodeList(reader, "targets", required: true, "'- schedule: payments-primary'");
        if (targetNodes is { Count: 0 })
        {
            _errors.Add(reader.Get("targets")!, $"{what} has no targets: add a schedule:, user: or team: target to notify");
        }
        foreach (var targetNode in targetNodes ?? [])
        {
            if (ReadTarget(targetNode, what) is { } target)
            {
                targets.Add(target);
            }
        }
        return new LevelDraft(targets, timeout);
    }

    private (EscalationTargetKind Kind, string Id)? ReadTarget(YamlNode node, string level)
    {
        var reader = ReadMapping(node, $"a target of {level}", TargetKeys);
        if (reader is null)
        {
            return null;
        }
        ReportUnknownKeys(reader);
        var given = TargetKeys.Where(k => reader.Get(k) is not null).ToList();
        if (given.Count != 1)
        {
            _errors.Add(node, given.Count == 0
                ? $"a target of {level} names nobody: give exactly one of schedule:, user: or team:"
                : $"a target of {level} has both {string.Join(" and ", given)}: a target names exactly one, so split it into {given.Count.ToString(CultureInfo.InvariantCulture)} targets");
            return null;
        }
        var key = given[0];
        if (RequiredText(reader, key) is not { } id)
        {
            return null;
        }
        var (kind, refKind) = key switch
        {
            "schedule" => (EscalationTargetKind.Schedule, RefKind.Schedule),
            "user" => (EscalationTargetKind.User, RefKind.User),
            _ => (EscalationTargetKind.Team, RefKind.TeamTarget),
        };
        Refer(refKind, id, level);
        return (kind, id.Value);
    }
}
