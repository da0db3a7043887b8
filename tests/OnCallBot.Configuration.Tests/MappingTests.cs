using NodaTime;
using OnCallBot.Core.Model;

namespace OnCallBot.Configuration.Tests;

/// <summary>How valid YAML maps onto the Core records: defaults, formats and how references are stored.</summary>
public sealed class MappingTests
{
    private static OnCallModel Valid(params string[] lines)
    {
        var result = OnCallConfigLoader.Parse(Yaml.Lines(lines), "oncall.yaml");
        Assert.True(result.IsValid, result.FormatErrors());
        Assert.Empty(result.Errors);
        return result.Model;
    }

    [Fact]
    public void Parse_ReferencesInOtherCase_AreStoredAsTheDefiningId()
    {
        var model = Valid(
            "users: [ { id: alice, name: Alice, time_zone: UTC } ]",
            "teams: [ { id: payments, name: Payments, members: [ALICE], schedule: Primary } ]",
            "schedules:",
            "  - id: primary",
            "    name: Primary",
            "    time_zone: UTC",
            "    layers: [ { members: [Alice], shift: daily, start: 2026-01-05, handoff: \"09:00\" } ]",
            "escalation_policies: [ { id: payments, name: P, levels: [ { timeout: 90s, targets: [ { user: Alice }, { schedule: PRIMARY } ] } ] } ]",
            "services:",
            "  - { id: api, name: API, team: Payments, escalation_policy: PAYMENTS }",
            "  - { id: web, name: Web, team: payments, escalation_policy: payments, depends_on: [API] }");

        Assert.Equal(["alice"], model.Teams["payments"].MemberIds);
        Assert.Equal("primary", model.Teams["payments"].ScheduleId);
        Assert.Equal(["alice"], model.Schedules["primary"].Layers[0].MemberIds);
        Assert.Equal(
            [new EscalationTarget(EscalationTargetKind.User, "alice"), new EscalationTarget(EscalationTargetKind.Schedule, "primary")],
            model.Policies["payments"].Levels[0].Targets);
        Assert.Equal("payments", model.Services["api"].OwnerTeamId);
        Assert.Equal("payments", model.Services["api"].EscalationPolicyId);
        Assert.Equal(["api"], model.Services["web"].DependsOn);
    }

    [Fact]
    public void Parse_OptionalKeysLeftOut_UseTheDocumentedDefaults()
    {
        var model = Valid(
            "users: [ { id: alice, name: Alice, time_zone: UTC } ]",
            "teams: [ { id: payments, name: Payments } ]",
            "schedules:",
            "  - id: primary",
            "    name: Primary",
            "    time_zone: UTC",
            "    layers:",
            "      - members: [alice]",
            "        shift: 3d",
            "        start: 2026-01-05",
            "        handoff: \"9:30\"",
            "        restrictions:",
            "          - from: \"22:00\"",
            "            to: \"24:00\"",
            "escalation_policies: [ { id: p, name: P, levels: [ { timeout: 1h30m, targets: [ { user: alice } ] } ] } ]",
            "services: [ { id: api, name: API, team: payments, escalation_policy: p } ]");

        var user = model.Users["alice"];
        Assert.Null(user.SlackUserId);
        Assert.Null(user.TeamsUserId);
        Assert.Null(user.Email);
        Assert.Equal(DateTimeZone.Utc.Id, user.TimeZone.Id);
        var team = model.Teams["payments"];
        Assert.Empty(team.MemberIds);
        Assert.Null(team.ScheduleId);
        Assert.Equal(ChatChannels.None, team.Channels);

        var layer = Assert.Single(model.Schedules["primary"].Layers);
        Assert.Equal("layer 1", layer.Name);
        Assert.Equal(ShiftLength.OfDays(3), layer.ShiftLength);
        Assert.Equal(new LocalDateTime(2026, 1, 5, 9, 30), layer.Start);
        var window = Assert.Single(layer.Restrictions);
        Assert.Equal(7, window.Days.Count);
        Assert.Equal(new LocalTime(22, 0), window.From);
        Assert.Equal(LocalTime.Midnight, window.To);

        var policy = model.Policies["p"];
        Assert.Equal(0, policy.Repeat);
        Assert.Equal(Duration.FromMinutes(90), policy.Levels[0].AckTimeout);

        var service = model.Services["api"];
        Assert.Null(service.RunbookUrl);
        Assert.Empty(service.DependsOn);
        Assert.Empty(service.Aliases);
    }

    [Fact]
    public void Parse_EmptySections_GiveAnEmptyModel()
    {
        var model = Valid("users: []", "teams:", "services: []");

        Assert.Empty(model.Users);
        Assert.Empty(model.Teams);
        Assert.Empty(model.Services);
    }

    [Fact]
    public void Parse_SameText_HasTheSameSha256()
    {
        // SHA-256("abc"), a published test vector: the hash is of the text's UTF-8 bytes.
        var result = OnCallConfigLoader.Parse("abc", "x.yaml");

        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", result.Sha256);
        Assert.Equal("abc", result.Content);
    }

    [Fact]
    public void Load_MissingFile_NamesTheAbsolutePath()
    {
        var relative = Path.Combine("no-such-dir-" + Guid.NewGuid().ToString("N"), "oncall.yaml");

        var result = OnCallConfigLoader.Load(relative);

        var expected = Path.Combine(Environment.CurrentDirectory, relative);
        var error = Assert.Single(result.Errors);
        Assert.Equal($"on-call config file not found: {expected} (set OnCall:ConfigPath)", error.Message);
        Assert.Equal(expected, error.File);
        Assert.Equal(0, error.Line);
        Assert.Equal($"{expected}: on-call config file not found: {expected} (set OnCall:ConfigPath)", error.ToString());
        Assert.Null(result.Model);
        Assert.Null(result.Content);
    }

    [Fact]
    public void Load_FileOnDisk_ReportsErrorsWithTheAbsolutePath()
    {
        using var dir = new TempDirectory();
        var path = dir.File("oncall.yaml");
        File.WriteAllText(path, Yaml.Lines("users:", "  - id: alice", "    name: Alice", "    time_zone: Nowhere/City"));

        var result = OnCallConfigLoader.Load(path);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith($"{path}:4:16: unknown time zone 'Nowhere/City'", error.ToString(), StringComparison.Ordinal);
    }
}
