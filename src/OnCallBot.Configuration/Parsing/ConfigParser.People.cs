using NodaTime;
using OnCallBot.Core.Model;
using YamlDotNet.RepresentationModel;

namespace OnCallBot.Configuration.Parsing;

internal sealed partial class ConfigParser
{
    private static readonly string[] UserKeys = ["id", "name", "time_zone", "slack", "teams", "email"];
    private static readonly string[] TeamKeys = ["id", "name", "members", "schedule", "channels"];
    private static readonly string[] ChannelKeys = ["slack", "teams"];

    private sealed record TeamDraft(string Id, string Name, IReadOnlyList<string> Members, ChatChannels Channels, string? Schedule);

    private void ReadUsers(List<YamlNode> items)
    {
        // Chat ids identify who pressed a button: two users sharing one would make acknowledgements ambiguous.
        var slackIds = new Dictionary<string, (string User, YamlNode Node)>(StringComparer.Ordinal);
        var teamsIds = new Dictionary<string, (string User, YamlNode Node)>(StringComparer.OrdinalIgnoreCase);

        for (var i = 0; i < items.Count; i++)
        {
            var reader = ReadMapping(items[i], $"users entry {i + 1}", UserKeys);
            if (reader is null)
            {
                continue;
            }
            var id = ReadId(reader, "user", _userIds);
            ReportUnknownKeys(reader);
            var name = RequiredText(reader, "name");
            var zone = ReadTimeZone(reader);

            var slack = OptionalText(reader, "slack");
            if (slack is { } s)
            {
                if (ValueParsers.CheckSlackUserId(s.Value) is { } error)
                {
                    _errors.Add(s.Node, $"{error} (in {reader.What})");
                }
                else if (!slackIds.TryAdd(s.Value, (id ?? "?", s.Node)))
                {
                    var other = slackIds[s.Value];
                    _errors.Add(s.Node, $"slack id {ValueText.Cut(s.Value)} of {reader.What} is already used by user '{other.User}' at line {LineOf(other.Node)}: each person has one Slack id");
                }
            }
            var teams = OptionalText(reader, "teams");
            if (teams is { } t && !teamsIds.TryAdd(t.Value, (id ?? "?", t.Node)))
            {
                var other = teamsIds[t.Value];
                _errors.Add(t.Node, $"teams id {ValueText.Cut(t.Value)} of {reader.What} is already used by user '{other.User}' at line {LineOf(other.Node)}: each person has one Teams id");
            }
            var email = OptionalText(reader, "email");
            if (email is { } e && ValueParsers.CheckEmail(e.Value) is { } emailError)
            {
                _errors.Add(e.Node, $"{emailError} (in {reader.What})");
            }

            if (id is not null)
            {
                _users.Add(new User(id, name?.Value ?? id, zone, slack?.Value, teams?.Value, email?.Value));
            }
        }
    }

    private void ReadTeams(List<YamlNode> items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            var reader = ReadMapping(items[i], $"teams entry {i + 1}", TeamKeys);
            if (reader is null)
            {
                continue;
            }
            var id = ReadId(reader, "team", _teamIds);
            ReportUnknownKeys(reader);
            var name = RequiredText(reader, "name");

            var members = TextList(reader, "members", required: false, "[alice, bob]") ?? [];
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var member in members)
            {
                if (!seen.Add(member.Value))
                {
                    _errors.Add(member.Node, $"user {ValueText.Quoted(member.Value)} is listed twice in the members of {reader.What}");
                }
                Refer(RefKind.User, member, $"the members of {reader.What}");
            }

            var schedule = OptionalText(reader, "schedule");
            if (schedule is { } sch)
            {
                Refer(RefKind.Schedule, sch, $"the schedule of {reader.What}");
            }

            var channels = ChatChannels.None;
            if (reader.Get("channels") is { } channelsNode
                && ReadMapping(channelsNode, $"the channels of {reader.What}", ChannelKeys) is { } channelReader)
            {
                ReportUnknownKeys(channelReader);
                var slack = OptionalText(channelReader, "slack");
                if (slack is { } s && ValueParsers.CheckSlackChannelId(s.Value) is { } error)
                {
                    _errors.Add(s.Node, $"{error} (in {channelReader.What})");
                }
                channels = new ChatChannels(slack?.Value, OptionalText(channelReader, "teams")?.Value);
            }

            if (id is not null)
            {
                _teams.Add(new TeamDraft(id, name?.Value ?? id, members.Select(m => m.Value).ToList(), channels, schedule?.Value));
            }
        }
    }

    private DateTimeZone ReadTimeZone(MappingReader reader)
    {
        if (RequiredText(reader, "time_zone") is not { } text)
        {
            return DateTimeZone.Utc;
        }
        if (ValueParsers.ParseTimeZone(text.Value, out var zone) is { } error)
        {
            _errors.Add(text.Node, $"{error} (in {reader.What})");
        }
        return zone;
    }
}
