using NodaTime;
using OnCallBot.Core.Model;
using YamlDotNet.RepresentationModel;

namespace OnCallBot.Configuration.Parsing;

internal sealed partial class ConfigParser
{
    private static readonly string[] ScheduleKeys = ["id", "name", "time_zone", "layers"];
    private static readonly string[] LayerKeys = ["name", "members", "shift", "start", "handoff", "restrictions"];
    private static readonly string[] RestrictionKeys = ["days", "from", "to"];
    private static readonly IsoDayOfWeek[] EveryDay =
    [
        IsoDayOfWeek.Monday, IsoDayOfWeek.Tuesday, IsoDayOfWeek.Wednesday, IsoDayOfWeek.Thursday,
        IsoDayOfWeek.Friday, IsoDayOfWeek.Saturday, IsoDayOfWeek.Sunday,
    ];

    private sealed record ScheduleDraft(string Id, string Name, DateTimeZone TimeZone, IReadOnlyList<ScheduleLayer> Layers);

    private void ReadSchedules(List<YamlNode> items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            var reader = ReadMapping(items[i], $"schedules entry {i + 1}", ScheduleKeys);
            if (reader is null)
            {
                continue;
            }
            var id = ReadId(reader, "schedule", _scheduleIds);
            ReportUnknownKeys(reader);
            var name = RequiredText(reader, "name");
            var zone = ReadTimeZone(reader);

            var layers = new List<ScheduleLayer>();
            var layerNodes = NodeList(reader, "layers", required: true, "'- name: weekly' entries");
            if (layerNodes is { Count: 0 })
            {
                _errors.Add(reader.Get("layers")!, $"{reader.What} has no layers: add at least one rotation under layers:");
            }
            var layerNames = new Dictionary<string, YamlNode>(StringComparer.OrdinalIgnoreCase);
            for (var n = 0; n < (layerNodes?.Count ?? 0); n++)
            {
                if (ReadLayer(layerNodes![n], n + 1, reader.What, layerNames) is { } layer)
                {
                    layers.Add(layer);
                }
            }

            if (id is not null)
            {
                _schedules.Add(new ScheduleDraft(id, name?.Value ?? id, zone, layers));
            }
        }
    }

    private ScheduleLayer? ReadLayer(YamlNode node, int number, string schedule, Dictionary<string, YamlNode> layerNames)
    {
        var reader = ReadMapping(node, $"layer {number} of {schedule}", LayerKeys);
        if (reader is null)
        {
            return null;
        }
        // The layer name is what "who is on call" answers show as the reason someone holds the pager.
        var name = OptionalText(reader, "name");
        var layerName = name?.Value ?? $"layer {number}";
        if (name is { } n)
        {
            reader.What = $"layer {ValueText.Quoted(n.Value)} of {schedule}";
            if (!layerNames.TryAdd(n.Value, n.Node))
            {
                _errors.Add(n.Node, $"{schedule} already has a layer named {ValueText.Quoted(n.Value)} (line {LineOf(layerNames[n.Value])}): give each layer its own name");
            }
        }
        ReportUnknownKeys(reader);

        var members = TextList(reader, "members", required: true, "[alice, bob]");
        if (members is { Count: 0 })
        {
            _errors.Add(reader.Get("members")!, $"{reader.What} has no members: list the ids of the users who take turns, e.g. [alice, bob]");
        }
        foreach (var member in members ?? [])
        {
            Refer(RefKind.User, member, $"the members of {reader.What}");
        }

        var shift = ShiftLength.Daily;
        if (RequiredText(reader, "shift") is { } shiftText && ValueParsers.ParseShift(shiftText.Value, out shift) is { } shiftError)
        {
            _errors.Add(shiftText.Node, $"{shiftError} (in {reader.What})");
        }
        var start = new LocalDate(2000, 1, 1);
        if (RequiredText(reader, "start") is { } startText && ValueParsers.ParseDate(startText.Value, out start) is { } dateError)
        {
            _errors.Add(startText.Node, $"start {dateError} (in {reader.What})");
        }
        var handoff = LocalTime.Midnight;
        if (RequiredText(reader, "handoff") is { } handoffText
            && ValueParsers.ParseTime(handoffText.Value, "handoff", allowEndOfDay: false, out handoff) is { } timeError)
        {
            _errors.Add(handoffText.Node, $"{timeError} (in {reader.What})");
        }

        var restrictions = new List<Restriction>();
        var restrictionNodes = NodeList(reader, "restrictions", required: false, "'- days: [mon, tue]' entries with from and to");
        for (var r = 0; r < (restrictionNodes?.Count ?? 0); r++)
        {
            if (ReadRestriction(restrictionNodes![r], $"restriction {r + 1} of {reader.What}") is { } restriction)
            {
                restrictions.Add(restriction);
            }
        }

        return new ScheduleLayer(layerName, members?.Select(m => m.Value).ToList() ?? [], shift, start.At(handoff), restrictions);
    }

    private Restriction? ReadRestriction(YamlNode node, string what)
    {
        var reader = ReadMapping(node, what, RestrictionKeys);
        if (reader is null)
        {
            return null;
        }
        ReportUnknownKeys(reader);

        IReadOnlyList<IsoDayOfWeek> days = EveryDay;
        var dayTexts = TextList(reader, "days", required: false, "[mon, tue, wed, thu, fri]");
        if (dayTexts is { Count: 0 })
        {
            _errors.Add(reader.Get("days")!, $"'days' in {what} is an empty list: list the days the window opens on, or leave days out for every day");
        }
        else if (dayTexts is not null)
        {
            var parsed = new List<IsoDayOfWeek>();
            foreach (var day in dayTexts)
            {
                if (ValueParsers.ParseWeekday(day.Value, out var weekday) is { } error)
                {
                    _errors.Add(day.Node, $"{error} (in {what})");
                }
                else if (!parsed.Contains(weekday))
                {
                    parsed.Add(weekday);
                }
            }
            days = parsed;
        }

        var from = LocalTime.Midnight;
        if (RequiredText(reader, "from") is { } fromText
            && ValueParsers.ParseTime(fromText.Value, "from", allowEndOfDay: false, out from) is { } fromError)
        {
            _errors.Add(fromText.Node, $"{fromError} (in {what})");
        }
        var to = LocalTime.Midnight;
        if (RequiredText(reader, "to") is { } toText
            && ValueParsers.ParseTime(toText.Value, "to", allowEndOfDay: true, out to) is { } toError)
        {
            _errors.Add(toText.Node, $"{toError} (in {what})");
        }
        return new Restriction(days, from, to);
    }
}
