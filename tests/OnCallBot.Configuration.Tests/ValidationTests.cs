namespace OnCallBot.Configuration.Tests;

/// <summary>
/// One test per kind of mistake: each asserts the line (and column where it matters) the error points at and the
/// words that tell the user what is wrong, and that no model comes out.
/// </summary>
public sealed class ValidationTests
{
    private const string File = "oncall.yaml";

    private static ConfigError SingleError(ConfigLoadResult result, int line, params string[] words)
    {
        Assert.False(result.IsValid);
        Assert.Null(result.Model);
        var error = Assert.Single(result.Errors);
        Assert.Equal(File, error.File);
        Assert.Equal(line, error.Line);
        foreach (var word in words)
        {
            Assert.Contains(word, error.Message, StringComparison.Ordinal);
        }
        return error;
    }

    private static ConfigLoadResult Parse(params string[] lines) => OnCallConfigLoader.Parse(Yaml.Lines(lines), File);

    [Fact]
    public void Parse_YamlSyntaxError_ReportsItsLineAndNoModel()
    {
        var result = Parse(
            /* 1 */ "users:",
            /* 2 */ "  - id: alice",
            /* 3 */ "    name: Alice",
            /* 4 */ "   time_zone: UTC");

        var error = SingleError(result, 4, "YAML syntax error");
        Assert.StartsWith("oncall.yaml:4:", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnclosedFlowList_ReportsSyntaxErrorWithLine()
    {
        var result = Parse(
            /* 1 */ "teams:",
            /* 2 */ "  - id: payments",
            /* 3 */ "    name: Payments",
            /* 4 */ "    members: [alice, bob",
            /* 5 */ "services: []");

        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Contains("YAML syntax error", error.Message, StringComparison.Ordinal);
        Assert.InRange(error.Line, 4, 5);
    }

    [Fact]
    public void Parse_KeyTwiceInOneMapping_ReportsSecondOccurrence()
    {
        var result = Parse(
            /* 1 */ "users:",
            /* 2 */ "  - id: alice",
            /* 3 */ "    name: Alice",
            /* 4 */ "    time_zone: UTC",
            /* 5 */ "    name: Alice A");

        SingleError(result, 5, "'name' appears twice");
    }

    [Fact]
    public void Parse_EmptyFile_ReportsWhatIsExpected()
    {
        var result = OnCallConfigLoader.Parse("# nothing yet\n", File);

        SingleError(result, 1, "the file is empty", "users, teams, schedules, escalation_policies and services");
    }

    [Fact]
    public void Parse_TwoDocuments_ReportsTheSecond()
    {
        var result = Parse(
            /* 1 */ "users: []",
            /* 2 */ "---",
            /* 3 */ "teams: []");

        SingleError(result, 3, "only one YAML document");
    }

    [Fact]
    public void Parse_TopLevelIsAList_ReportsWrongType()
    {
        var result = Parse(
            /* 1 */ "- id: alice");

        SingleError(result, 1, "the top level must be a mapping", "not a list");
    }

    [Fact]
    public void Parse_MisspeltKey_ReportsUnknownKeyWithSuggestion()
    {
        var result = Parse(
            /* 1 */ "users:",
            /* 2 */ "  - id: alice",
            /* 3 */ "    nmae: Alice",
            /* 4 */ "    name: Alice",
            /* 5 */ "    time_zone: UTC");

        var error = SingleError(result, 3, "unknown key 'nmae' in user 'alice'", "did you mean 'name'?");
        Assert.Equal(5, error.Column);
    }

    [Fact]
    public void Parse_MisspeltSection_ReportsUnknownTopLevelKeyWithSuggestion()
    {
        var result = Parse(
            /* 1 */ "user:",
            /* 2 */ "  - id: alice");

        SingleError(result, 1, "unknown key 'user' in the top level", "did you mean 'users'?");
    }

    [Fact]
    public void Parse_UnrelatedUnknownKey_ListsAllowedKeys()
    {
        var result = Parse(
            /* 1 */ "users:",
            /* 2 */ "  - id: alice",
            /* 3 */ "    name: Alice",
            /* 4 */ "    time_zone: UTC",
            /* 5 */ "    pager_number: 12345");

        SingleError(result, 5, "unknown key 'pager_number'", "allowed keys: id, name, time_zone, slack, teams, email");
    }

    [Fact]
    public void Parse_MissingRequiredKey_ReportsEntryLineAndWhatTheKeyIs()
    {
        var result = Parse(
            /* 1 */ "users:",
            /* 2 */ "  - id: alice",
            /* 3 */ "    name: Alice",
            /* 4 */ "  - id: bob",
            /* 5 */ "    name: Bob",
            /* 6 */ "    time_zone: UTC");

        SingleError(result, 2, "missing required key 'time_zone' in user 'alice'", "IANA zone");
    }

    [Fact]
    public void Parse_MissingId_NamesTheEntryByPosition()
    {
        var result = Parse(
            /* 1 */ "users:",
            /* 2 */ "  - id: alice",
            /* 3 */ "    name: Alice",
            /* 4 */ "    time_zone: UTC",
            /* 5 */ "  - name: Bob",
            /* 6 */ "    time_zone: UTC");

        SingleError(result, 5, "missing required key 'id' in users entry 2");
    }

    [Fact]
    public void Parse_ListGivenAsSingleValue_ReportsWrongType()
    {
        var result = Parse(
            /* 1 */ "users:",
            /* 2 */ "  - { id: alice, name: Alice, time_zone: UTC }",
            /* 3 */ "teams:",
            /* 4 */ "  - id: payments",
            /* 5 */ "    name: Payments",
            /* 6 */ "    members: alice");

        SingleError(result, 6, "'members' in team 'payments' must be a list", "[alice, bob]", "not 'alice'");
    }

    [Fact]
    public void Parse_MappingWhereValueExpected_ReportsWrongType()
    {
        var result = Parse(
            /* 1 */ "users:",
            /* 2 */ "  - id: alice",
            /* 3 */ "    name: { first: Alice }",
            /* 4 */ "    time_zone: UTC");

        SingleError(result, 3, "'name' in user 'alice' must be a single value, not a mapping");
    }

    [Fact]
    public void Parse_InvalidId_SuggestsAValidOne()
    {
        var result = Parse(
            /* 1 */ "users:",
            /* 2 */ "  - id: Alice Anders",
            /* 3 */ "    name: Alice",
            /* 4 */ "    time_zone: UTC");

        SingleError(result, 2, "user id 'Alice Anders' is not valid", "e.g. 'alice-anders'");
    }

    [Fact]
    public void Parse_DuplicateUserIdIgnoringCase_ReportsSecondWithFirstLine()
    {
        var result = Parse(
            /* 1 */ "users:",
            /* 2 */ "  - id: alice",
            /* 3 */ "    name: Alice",
            /* 4 */ "    time_zone: UTC",
            /* 5 */ "  - id: Alice",
            /* 6 */ "    name: Alice again",
            /* 7 */ "    time_zone: UTC");

        SingleError(result, 5, "duplicate user id 'Alice'", "already defined at line 2");
    }

    [Theory]
    [InlineData("teams", "team")]
    [InlineData("schedules", "schedule")]
    [InlineData("escalation_policies", "escalation policy")]
    [InlineData("services", "service")]
    public void Parse_DuplicateIdInSection_ReportsSecondWithFirstLine(string section, string noun)
    {
        var entry = section switch
        {
            "teams" => "{ id: x, name: X }",
            "schedules" => "{ id: x, name: X, time_zone: UTC, layers: [ { members: [alice], shift: daily, start: 2026-01-05, handoff: \"09:00\" } ] }",
            "escalation_policies" => "{ id: x, name: X, levels: [ { timeout: 5m, targets: [ { user: alice } ] } ] }",
            _ => "{ id: x, name: X, team: t, escalation_policy: p }",
        };
        var result = Parse(
            /* 1 */ "users: [ { id: alice, name: Alice, time_zone: UTC } ]",
            /* 2 */ section == "teams" ? "# teams below" : "teams: [ { id: t, name: T } ]",
            /* 3 */ section == "escalation_policies" ? "# policies below" : "escalation_policies: [ { id: p, name: P, levels: [ { timeout: 5m, targets: [ { user: alice } ] } ] } ]",
            /* 4 */ $"{section}:",
            /* 5 */ $"  - {entry}",
            /* 6 */ $"  - {entry}");

        SingleError(result, 6, $"duplicate {noun} id 'x'", "already defined at line 5");
    }

    [Fact]
    public void Parse_AliasEqualToAnotherServiceId_ReportsClash()
    {
        var result = Parse(
            /* 1 */ "users: [ { id: alice, name: Alice, time_zone: UTC } ]",
            /* 2 */ "teams: [ { id: t, name: T } ]",
            /* 3 */ "escalation_policies: [ { id: p, name: P, levels: [ { timeout: 5m, targets: [ { user: alice } ] } ] } ]",
            /* 4 */ "services:",
            /* 5 */ "  - { id: checkout, name: Checkout, team: t, escalation_policy: p, aliases: [cart] }",
            /* 6 */ "  - { id: cart, name: Cart, team: t, escalation_policy: p }");

        SingleError(result, 5, "alias 'cart' of service 'checkout' clashes with the id of service 'cart' (line 6)");
    }

    [Fact]
    public void Parse_AliasUsedByTwoServices_ReportsTheSecond()
    {
        var result = Parse(
            /* 1 */ "users: [ { id: alice, name: Alice, time_zone: UTC } ]",
            /* 2 */ "teams: [ { id: t, name: T } ]",
            /* 3 */ "escalation_policies: [ { id: p, name: P, levels: [ { timeout: 5m, targets: [ { user: alice } ] } ] } ]",
            /* 4 */ "services:",
            /* 5 */ "  - { id: checkout, name: Checkout, team: t, escalation_policy: p, aliases: [cart] }",
            /* 6 */ "  - { id: basket, name: Basket, team: t, escalation_policy: p, aliases: [Cart] }");

        SingleError(result, 6, "alias 'Cart' of service 'basket' clashes with the same alias of service 'checkout' (line 5)");
    }

    [Fact]
    public void Parse_UnknownUserInRotation_ReportsItWithSuggestion()
    {
        var result = Parse(
            /* 1 */ "users:",
            /* 2 */ "  - { id: alice, name: Alice, time_zone: UTC }",
            /* 3 */ "  - { id: bob, name: Bob, time_zone: UTC }",
            /* 4 */ "schedules:",
            /* 5 */ "  - id: primary",
            /* 6 */ "    name: Primary",
            /* 7 */ "    time_zone: UTC",
            /* 8 */ "    layers:",
            /* 9 */ "      - name: weekly",
            /* 10 */ "        members: [alice, bobb]",
            /* 11 */ "        shift: weekly",
            /* 12 */ "        start: 2026-01-05",
            /* 13 */ "        handoff: \"09:00\"");

        var error = SingleError(result, 10, "unknown user 'bobb'", "layer 'weekly' of schedule 'primary'", "did you mean 'bob'?");
        Assert.Equal(26, error.Column);
    }

    [Fact]
    public void Parse_UnknownTeamMember_ReportsItAndWhereToDefineIt()
    {
        var result = Parse(
            /* 1 */ "users:",
            /* 2 */ "  - { id: alice, name: Alice, time_zone: UTC }",
            /* 3 */ "teams:",
            /* 4 */ "  - id: payments",
            /* 5 */ "    name: Payments",
            /* 6 */ "    members:",
            /* 7 */ "      - alice",
            /* 8 */ "      - zoltan");

        SingleError(result, 8, "unknown user 'zoltan' in the members of team 'payments'", "defined under users:");
    }

    [Fact]
    public void Parse_UnknownUserTarget_ReportsTheLevel()
    {
        var result = Parse(
            /* 1 */ "users: [ { id: alice, name: Alice, time_zone: UTC } ]",
            /* 2 */ "escalation_policies:",
            /* 3 */ "  - id: payments",
            /* 4 */ "    name: Payments",
            /* 5 */ "    levels:",
            /* 6 */ "      - timeout: 5m",
            /* 7 */ "        targets:",
            /* 8 */ "          - user: alice",
            /* 9 */ "      - timeout: 10m",
            /* 10 */ "        targets:",
            /* 11 */ "          - user: dave");

        SingleError(result, 11, "unknown user 'dave' in level 2 of escalation policy 'payments'");
    }

    [Fact]
    public void Parse_UnknownScheduleTargetAndTeamSchedule_ReportsBoth()
    {
        var result = Parse(
            /* 1 */ "users: [ { id: alice, name: Alice, time_zone: UTC } ]",
            /* 2 */ "teams:",
            /* 3 */ "  - { id: payments, name: Payments, schedule: payments-primary }",
            /* 4 */ "escalation_policies:",
            /* 5 */ "  - id: payments",
            /* 6 */ "    name: Payments",
            /* 7 */ "    levels:",
            /* 8 */ "      - timeout: 5m",
            /* 9 */ "        targets: [ { schedule: payments-primary } ]");

        Assert.Collection(
            result.Errors,
            e =>
            {
                Assert.Equal(3, e.Line);
                Assert.Contains("unknown schedule 'payments-primary' in the schedule of team 'payments'", e.Message, StringComparison.Ordinal);
            },
            e =>
            {
                Assert.Equal(9, e.Line);
                Assert.Contains("unknown schedule 'payments-primary' in level 1 of escalation policy 'payments'", e.Message, StringComparison.Ordinal);
            });
    }

    [Fact]
    public void Parse_UnknownOwnerTeamAndPolicy_ReportsBothOnTheirLines()
    {
        var result = Parse(
            /* 1 */ "users: [ { id: alice, name: Alice, time_zone: UTC } ]",
            /* 2 */ "teams: [ { id: payments, name: Payments } ]",
            /* 3 */ "escalation_policies: [ { id: payments, name: P, levels: [ { timeout: 5m, targets: [ { user: alice } ] } ] } ]",
            /* 4 */ "services:",
            /* 5 */ "  - id: checkout",
            /* 6 */ "    name: Checkout",
            /* 7 */ "    team: paymnets",
            /* 8 */ "    escalation_policy: billing");

        Assert.Equal(2, result.Errors.Count);
        Assert.Equal(7, result.Errors[0].Line);
        Assert.Contains("unknown team 'paymnets' in the owner team of service 'checkout'; did you mean 'payments'?", result.Errors[0].Message, StringComparison.Ordinal);
        Assert.Equal(8, result.Errors[1].Line);
        Assert.Contains("unknown escalation policy 'billing'", result.Errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("escalation_policies:", result.Errors[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DependsOnAnAlias_ReportsUnknownServiceAndTheIdToUse()
    {
        var result = Parse(
            /* 1 */ "users: [ { id: alice, name: Alice, time_zone: UTC } ]",
            /* 2 */ "teams: [ { id: t, name: T } ]",
            /* 3 */ "escalation_policies: [ { id: p, name: P, levels: [ { timeout: 5m, targets: [ { user: alice } ] } ] } ]",
            /* 4 */ "services:",
            /* 5 */ "  - { id: checkout, name: Checkout, team: t, escalation_policy: p, aliases: [cart] }",
            /* 6 */ "  - { id: web, name: Web, team: t, escalation_policy: p, depends_on: [cart] }");

        SingleError(result, 6, "unknown service 'cart' in the depends_on of service 'web'", "alias of service 'checkout'");
    }

    [Fact]
    public void Parse_PolicyWithoutLevels_ReportsIt()
    {
        var result = Parse(
            /* 1 */ "escalation_policies:",
            /* 2 */ "  - id: payments",
            /* 3 */ "    name: Payments",
            /* 4 */ "    levels: []");

        SingleError(result, 4, "escalation policy 'payments' has no levels");
    }

    [Fact]
    public void Parse_LevelWithoutTargets_ReportsIt()
    {
        var result = Parse(
            /* 1 */ "users: [ { id: alice, name: Alice, time_zone: UTC } ]",
            /* 2 */ "escalation_policies:",
            /* 3 */ "  - id: payments",
            /* 4 */ "    name: Payments",
            /* 5 */ "    levels:",
            /* 6 */ "      - timeout: 5m",
            /* 7 */ "        targets: [ { user: alice } ]",
            /* 8 */ "      - timeout: 10m",
            /* 9 */ "        targets: []");

        SingleError(result, 9, "level 2 of escalation policy 'payments' has no targets");
    }

    [Fact]
    public void Parse_TargetNamingTwoKinds_ReportsIt()
    {
        var result = Parse(
            /* 1 */ "users: [ { id: alice, name: Alice, time_zone: UTC } ]",
            /* 2 */ "teams: [ { id: t, name: T } ]",
            /* 3 */ "escalation_policies:",
            /* 4 */ "  - id: payments",
            /* 5 */ "    name: Payments",
            /* 6 */ "    levels:",
            /* 7 */ "      - timeout: 5m",
            /* 8 */ "        targets:",
            /* 9 */ "          - user: alice",
            /* 10 */ "            team: t");

        SingleError(result, 9, "has both user and team", "split it into 2 targets");
    }

    [Fact]
    public void Parse_TeamTargetWithoutSchedule_ReportsThatItPagesNobody()
    {
        var result = Parse(
            /* 1 */ "teams: [ { id: payments, name: Payments } ]",
            /* 2 */ "escalation_policies:",
            /* 3 */ "  - id: payments",
            /* 4 */ "    name: Payments",
            /* 5 */ "    levels:",
            /* 6 */ "      - timeout: 5m",
            /* 7 */ "        targets: [ { team: payments } ]");

        SingleError(result, 7, "team 'payments' is an escalation target", "has no schedule");
    }

    [Theory]
    [InlineData("0m", "must be more than zero")]
    [InlineData("0h0m0s", "must be more than zero")]
    [InlineData("5 minutes", "is not a duration")]
    [InlineData("-5m", "is not a duration")]
    [InlineData("5", "has no unit", "5m")]
    [InlineData("30m1h", "is not a duration")]
    [InlineData("25h", "longer than 24h")]
    public void Parse_BadTimeout_ReportsIt(string timeout, params string[] words)
    {
        var result = Parse(
            /* 1 */ "users: [ { id: alice, name: Alice, time_zone: UTC } ]",
            /* 2 */ "escalation_policies:",
            /* 3 */ "  - id: payments",
            /* 4 */ "    name: Payments",
            /* 5 */ "    levels:",
            /* 6 */ $"      - timeout: {timeout}",
            /* 7 */ "        targets: [ { user: alice } ]");

        SingleError(result, 6, [$"timeout '{timeout}'", .. words]);
    }

    [Theory]
    [InlineData("-1", "is negative")]
    [InlineData("twice", "must be a whole number")]
    public void Parse_BadRepeat_ReportsIt(string repeat, string words)
    {
        var result = Parse(
            /* 1 */ "users: [ { id: alice, name: Alice, time_zone: UTC } ]",
            /* 2 */ "escalation_policies:",
            /* 3 */ "  - id: payments",
            /* 4 */ "    name: Payments",
            /* 5 */ $"    repeat: {repeat}",
            /* 6 */ "    levels: [ { timeout: 5m, targets: [ { user: alice } ] } ]");

        SingleError(result, 5, "repeat", words);
    }

    private static ConfigLoadResult ParseLayer(string members = "[alice]", string shift = "daily", string start = "2026-01-05", string handoff = "\"09:00\"", params string[] restrictionLines) =>
        Parse([
            /* 1 */ "users: [ { id: alice, name: Alice, time_zone: UTC } ]",
            /* 2 */ "schedules:",
            /* 3 */ "  - id: primary",
            /* 4 */ "    name: Primary",
            /* 5 */ "    time_zone: Europe/Berlin",
            /* 6 */ "    layers:",
            /* 7 */ "      - name: rota",
            /* 8 */ $"        members: {members}",
            /* 9 */ $"        shift: {shift}",
            /* 10 */ $"        start: {start}",
            /* 11 */ $"        handoff: {handoff}",
            /* 12.. */ .. restrictionLines,
        ]);

    [Fact]
    public void Parse_LayerWithoutMembers_ReportsIt()
    {
        SingleError(ParseLayer(members: "[]"), 8, "layer 'rota' of schedule 'primary' has no members");
    }

    [Fact]
    public void Parse_ScheduleWithoutLayers_ReportsIt()
    {
        var result = Parse(
            /* 1 */ "schedules:",
            /* 2 */ "  - id: primary",
            /* 3 */ "    name: Primary",
            /* 4 */ "    time_zone: UTC",
            /* 5 */ "    layers: []");

        SingleError(result, 5, "schedule 'primary' has no layers");
    }

    [Theory]
    [InlineData("0h", "must be at least 1h")]
    [InlineData("0d", "must be at least 1d")]
    [InlineData("weekly2", "is not valid", "daily, weekly, <N>h or <N>d")]
    [InlineData("fortnightly", "is not valid")]
    [InlineData("400d", "longer than a year")]
    public void Parse_BadShift_ReportsIt(string shift, params string[] words)
    {
        SingleError(ParseLayer(shift: shift), 9, [$"shift '{shift}'", .. words]);
    }

    [Theory]
    [InlineData("2026-02-30")]
    [InlineData("05.01.2026")]
    [InlineData("2026-1-5")]
    public void Parse_BadStartDate_ReportsIt(string start)
    {
        SingleError(ParseLayer(start: start), 10, $"date '{start}' is not valid", "YYYY-MM-DD");
    }

    [Theory]
    [InlineData("9am")]
    [InlineData("\"25:00\"")]
    [InlineData("\"09:60\"")]
    [InlineData("\"24:00\"")]
    public void Parse_BadHandoff_ReportsIt(string handoff)
    {
        SingleError(ParseLayer(handoff: handoff), 11, "handoff", "is not a time of day", "HH:mm");
    }

    [Fact]
    public void Parse_BadRestrictionTimes_ReportsFromAndTo()
    {
        var result = ParseLayer(restrictionLines:
        [
            /* 12 */ "        restrictions:",
            /* 13 */ "          - days: [mon]",
            /* 14 */ "            from: \"9h\"",
            /* 15 */ "            to: \"18:00:00:00\"",
        ]);

        Assert.Collection(
            result.Errors,
            e => Assert.Equal((14, true), (e.Line, e.Message.Contains("from '9h' is not a time of day", StringComparison.Ordinal))),
            e => Assert.Equal((15, true), (e.Line, e.Message.Contains("to '18:00:00:00' is not a time of day", StringComparison.Ordinal))));
    }

    [Fact]
    public void Parse_UnknownWeekday_ReportsItWithSuggestion()
    {
        var result = ParseLayer(restrictionLines:
        [
            /* 12 */ "        restrictions:",
            /* 13 */ "          - days: [mon, tue, thurs]",
            /* 14 */ "            from: \"09:00\"",
            /* 15 */ "            to: \"17:00\"",
        ]);

        var error = SingleError(result, 13, "unknown weekday 'thurs'", "did you mean 'thu'?", "mon, tue, wed, thu, fri, sat or sun");
        Assert.Equal(30, error.Column);
    }

    [Fact]
    public void Parse_UnknownTimeZone_SuggestsTheClosestIanaZone()
    {
        var result = Parse(
            /* 1 */ "users:",
            /* 2 */ "  - id: alice",
            /* 3 */ "    name: Alice",
            /* 4 */ "    time_zone: Europe/Berln");

        SingleError(result, 4, "unknown time zone 'Europe/Berln'", "did you mean 'Europe/Berlin'?");
    }

    [Fact]
    public void Parse_WindowsTimeZoneName_ReportsUnknownZoneAndIanaExample()
    {
        var result = Parse(
            /* 1 */ "users:",
            /* 2 */ "  - id: alice",
            /* 3 */ "    name: Alice",
            /* 4 */ "    time_zone: W. Europe Standard Time");

        SingleError(result, 4, "unknown time zone 'W. Europe Standard Time'", "IANA");
    }

    [Fact]
    public void Parse_DependencyCycle_NamesTheCycleAtItsFirstEdge()
    {
        var result = Parse(
            /* 1 */ "users: [ { id: alice, name: Alice, time_zone: UTC } ]",
            /* 2 */ "teams: [ { id: t, name: T } ]",
            /* 3 */ "escalation_policies: [ { id: p, name: P, levels: [ { timeout: 5m, targets: [ { user: alice } ] } ] } ]",
            /* 4 */ "services:",
            /* 5 */ "  - id: checkout",
            /* 6 */ "    name: Checkout",
            /* 7 */ "    team: t",
            /* 8 */ "    escalation_policy: p",
            /* 9 */ "    depends_on: [payments-api]",
            /* 10 */ "  - id: payments-api",
            /* 11 */ "    name: Payments API",
            /* 12 */ "    team: t",
            /* 13 */ "    escalation_policy: p",
            /* 14 */ "    depends_on: [ledger]",
            /* 15 */ "  - id: ledger",
            /* 16 */ "    name: Ledger",
            /* 17 */ "    team: t",
            /* 18 */ "    escalation_policy: p",
            /* 19 */ "    depends_on: [checkout]");

        SingleError(result, 9, "dependency cycle among services: checkout -> payments-api -> ledger -> checkout");
    }

    [Fact]
    public void Parse_TwoSeparateCycles_ReportsEach()
    {
        var result = Parse(
            /* 1 */ "users: [ { id: alice, name: Alice, time_zone: UTC } ]",
            /* 2 */ "teams: [ { id: t, name: T } ]",
            /* 3 */ "escalation_policies: [ { id: p, name: P, levels: [ { timeout: 5m, targets: [ { user: alice } ] } ] } ]",
            /* 4 */ "services:",
            /* 5 */ "  - { id: a, name: A, team: t, escalation_policy: p, depends_on: [b] }",
            /* 6 */ "  - { id: b, name: B, team: t, escalation_policy: p, depends_on: [a] }",
            /* 7 */ "  - { id: c, name: C, team: t, escalation_policy: p, depends_on: [a, d] }",
            /* 8 */ "  - { id: d, name: D, team: t, escalation_policy: p, depends_on: [c] }");

        Assert.Equal(2, result.Errors.Count);
        Assert.Equal(5, result.Errors[0].Line);
        Assert.Contains("a -> b -> a", result.Errors[0].Message, StringComparison.Ordinal);
        Assert.Equal(7, result.Errors[1].Line);
        Assert.Contains("c -> d -> c", result.Errors[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ServiceDependingOnItself_ReportsIt()
    {
        var result = Parse(
            /* 1 */ "users: [ { id: alice, name: Alice, time_zone: UTC } ]",
            /* 2 */ "teams: [ { id: t, name: T } ]",
            /* 3 */ "escalation_policies: [ { id: p, name: P, levels: [ { timeout: 5m, targets: [ { user: alice } ] } ] } ]",
            /* 4 */ "services:",
            /* 5 */ "  - id: checkout",
            /* 6 */ "    name: Checkout",
            /* 7 */ "    team: t",
            /* 8 */ "    escalation_policy: p",
            /* 9 */ "    depends_on:",
            /* 10 */ "      - Checkout");

        SingleError(result, 10, "service 'checkout' depends on itself");
    }

    [Theory]
    [InlineData("runbooks/checkout.md")]
    [InlineData("ftp://runbooks.example.com/checkout")]
    [InlineData("javascript:alert(1)")]
    public void Parse_RunbookNotAnAbsoluteHttpUrl_ReportsIt(string runbook)
    {
        var result = Parse(
            /* 1 */ "users: [ { id: alice, name: Alice, time_zone: UTC } ]",
            /* 2 */ "teams: [ { id: t, name: T } ]",
            /* 3 */ "escalation_policies: [ { id: p, name: P, levels: [ { timeout: 5m, targets: [ { user: alice } ] } ] } ]",
            /* 4 */ "services:",
            /* 5 */ "  - id: checkout",
            /* 6 */ "    name: Checkout",
            /* 7 */ "    team: t",
            /* 8 */ "    escalation_policy: p",
            /* 9 */ $"    runbook: \"{runbook}\"");

        SingleError(result, 9, $"runbook '{runbook}' is not an absolute http(s) URL");
    }

    [Fact]
    public void Parse_SlackHandleInsteadOfMemberId_ReportsIt()
    {
        var result = Parse(
            /* 1 */ "users:",
            /* 2 */ "  - id: alice",
            /* 3 */ "    name: Alice",
            /* 4 */ "    time_zone: UTC",
            /* 5 */ "    slack: \"@alice\"");

        SingleError(result, 5, "slack '@alice' is not a Slack member id", "Copy member ID");
    }

    [Fact]
    public void Parse_SameSlackIdForTwoUsers_ReportsTheSecond()
    {
        var result = Parse(
            /* 1 */ "users:",
            /* 2 */ "  - { id: alice, name: Alice, time_zone: UTC, slack: U0ALICE001 }",
            /* 3 */ "  - { id: bob, name: Bob, time_zone: UTC, slack: U0ALICE001 }");

        SingleError(result, 3, "slack id U0ALICE001 of user 'bob' is already used by user 'alice' at line 2");
    }

    [Fact]
    public void Parse_BadEmail_ReportsIt()
    {
        var result = Parse(
            /* 1 */ "users:",
            /* 2 */ "  - { id: alice, name: Alice, time_zone: UTC, email: alice-at-example.com }");

        SingleError(result, 2, "email 'alice-at-example.com' is not an email address");
    }

    [Fact]
    public void Parse_ManyMistakes_ReportsEveryOneInLineOrder()
    {
        var result = Parse(
            /* 1 */ "users:",
            /* 2 */ "  - id: alice",
            /* 3 */ "    name: Alice",
            /* 4 */ "    time_zone: Mars/Olympus",
            /* 5 */ "teams:",
            /* 6 */ "  - id: payments",
            /* 7 */ "    name: Payments",
            /* 8 */ "    members: [alice, mallory]",
            /* 9 */ "schedules:",
            /* 10 */ "  - id: primary",
            /* 11 */ "    name: Primary",
            /* 12 */ "    time_zone: UTC",
            /* 13 */ "    layers:",
            /* 14 */ "      - members: [alice]",
            /* 15 */ "        shift: 0h",
            /* 16 */ "        start: 2026-01-05",
            /* 17 */ "        handoff: \"09:00\"",
            /* 18 */ "escalation_policies:",
            /* 19 */ "  - id: payments",
            /* 20 */ "    name: Payments",
            /* 21 */ "    repeat: -2",
            /* 22 */ "    levels:",
            /* 23 */ "      - timeout: 0s",
            /* 24 */ "        targets: [ { schedule: primary } ]",
            /* 25 */ "services:",
            /* 26 */ "  - id: checkout",
            /* 27 */ "    name: Checkout",
            /* 28 */ "    team: payments",
            /* 29 */ "    escalation_policy: payments",
            /* 30 */ "    runbook: not a url",
            /* 31 */ "    colour: blue");

        Assert.Null(result.Model);
        Assert.Equal([4, 8, 15, 21, 23, 30, 31], result.Errors.Select(e => e.Line));
        Assert.All(result.Errors, e => Assert.StartsWith($"oncall.yaml:{e.Line}:", e.ToString(), StringComparison.Ordinal));
    }
}
