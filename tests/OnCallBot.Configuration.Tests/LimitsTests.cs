using System.Collections;
using System.Text;
using OnCallBot.Configuration.Parsing;

namespace OnCallBot.Configuration.Tests;

/// <summary>
/// Files made to hurt the bot (nested 30,000 levels deep, aliases of aliases, 200 KB values, bytes that are not
/// UTF-8, a file of gigabytes) are refused with an error at the place that crosses the line, never a crash.
/// </summary>
public sealed class LimitsTests : IDisposable
{
    private const string File = "oncall.yaml";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static ConfigError SingleError(ConfigLoadResult result)
    {
        Assert.False(result.IsValid, "the file was accepted");
        return Assert.Single(result.Errors);
    }

    private string WriteBytes(byte[] bytes)
    {
        var path = _dir.File("oncall.yaml");
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    // ---- nesting (a stack overflow kills the process: no catch can keep the last good config) -------------

    [Fact]
    public void Parse_FlowListsNested30000Deep_ReportsNestedTooDeepWhereTheLimitIsCrossed()
    {
        // The top-level mapping is level 1 and the k-th '[' (column 7 + k) level k + 1: the 64th '[', at column 71,
        // opens level 65.
        var text = "users: " + new string('[', 30_000) + new string(']', 30_000) + "\n";

        var error = SingleError(OnCallConfigLoader.Parse(text, File));

        Assert.Equal((1, 71), (error.Line, error.Column));
        Assert.StartsWith("oncall.yaml:1:71: nested too deep", error.ToString(), StringComparison.Ordinal);
        Assert.Contains($"more than {LimitedParser.MaxDepth} levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NestedExactlyToTheLimit_IsReadAndJudgedOnItsContent()
    {
        // 63 lists under the top level: 64 levels, the most allowed.
        var text = "users: " + new string('[', 63) + new string(']', 63) + "\n";

        var error = SingleError(OnCallConfigLoader.Parse(text, File));

        Assert.Contains("users entry 1 must be a mapping", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_IndentedMappingsNestedTooDeep_ReportsTheLineThatOpensLevel65()
    {
        // Line k holds "a:" indented by 2(k-1); the mapping under it starts on line k + 1 at column 2k + 1 and is
        // level k + 1, so level 65 starts on line 65 at column 129.
        var text = string.Concat(Enumerable.Range(0, 100).Select(k => new string(' ', 2 * k) + "a:\n"));

        var error = SingleError(OnCallConfigLoader.Parse(text, File));

        Assert.Equal((65, 129), (error.Line, error.Column));
        Assert.StartsWith("nested too deep", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AliasInsideTheListItNames_ReportsTheCycleAtTheAlias()
    {
        // YamlDotNet makes this list contain itself; hashing it as a mapping key would recurse forever.
        var result = OnCallConfigLoader.Parse(Yaml.Lines(
            /* 1 */ "users:",
            /* 2 */ "  - ? &k [*k]",
            /* 3 */ "    : v"), File);

        var error = SingleError(result);
        Assert.Equal((2, 11), (error.Line, error.Column));
        Assert.Contains("alias '*k' is inside the list or mapping it refers to", error.Message, StringComparison.Ordinal);
    }

    // ---- aliases ------------------------------------------------------------------------------------------

    [Fact]
    public void Parse_AliasesOfABigList_ReportsTheAliasThatPassesTheExpansionLimit()
    {
        // The anchored list is 1,001 nodes (itself and 1,000 values); the 100th alias brings the total to 100,100.
        var text = Yaml.Lines(
            /* 1 */ "x: &a [" + string.Join(", ", Enumerable.Repeat("v", 1000)) + "]",
            /* 2 */ "y: [" + string.Join(", ", Enumerable.Repeat("*a", 200)) + "]");

        var error = SingleError(OnCallConfigLoader.Parse(text, File));

        Assert.Equal((2, 5 + (99 * 4)), (error.Line, error.Column));
        Assert.Contains("YAML aliases stand for too much: with '*a' the aliases so far stand for 100,100", error.Message, StringComparison.Ordinal);
        Assert.Contains("at most 100,000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BillionLaughs_IsRefusedAtTheAliasThatPassesTheLimitBeforeAnyExpansion()
    {
        // Nine levels of ten aliases each stand for a billion values; as a mapping key, YamlDotNet would hash
        // every one of them.
        var lines = new List<string> { "users:", "  - l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]" };
        for (var i = 1; i <= 8; i++)
        {
            lines.Add($"    l{i}: &l{i} [" + string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 10)) + "]");
        }
        lines.Add("    ? *l8");
        lines.Add("    : boom");

        var error = SingleError(OnCallConfigLoader.Parse(Yaml.Lines([.. lines]), File));

        Assert.Contains("YAML aliases stand for too much", error.Message, StringComparison.Ordinal);
        // l4 holds ten aliases of l3 (11,111 nodes each): the 8th of them passes 100,000.
        Assert.Equal(6, error.Line);
    }

    [Fact]
    public void Parse_MoreThanAThousandAliases_ReportsTheFirstOneOverTheLimit()
    {
        var text = Yaml.Lines(
            /* 1 */ "x: &s v",
            /* 2 */ "y: [" + string.Join(", ", Enumerable.Repeat("*s", LimitedParser.MaxAliases + 5)) + "]");

        var error = SingleError(OnCallConfigLoader.Parse(text, File));

        Assert.Equal((2, 5 + (LimitedParser.MaxAliases * 4)), (error.Line, error.Column));
        Assert.Contains("too many YAML aliases: '*s' is alias number 1,001 and at most 1,000 are allowed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AFewAliasesSharingValues_LoadsAsUsual()
    {
        var result = OnCallConfigLoader.Parse(Yaml.Lines(
            "users:",
            "  - { id: alice, name: Alice, time_zone: &berlin Europe/Berlin }",
            "  - { id: bob, name: Bob, time_zone: *berlin }",
            "teams:",
            "  - { id: payments, name: Payments, members: &people [alice, bob] }",
            "  - { id: platform, name: Platform, members: *people }"), File);

        Assert.True(result.IsValid, result.FormatErrors());
        Assert.Equal("Europe/Berlin", result.Model.Users["bob"].TimeZone.Id);
        Assert.Equal(["alice", "bob"], result.Model.Teams["platform"].MemberIds);
    }

    // ---- long values --------------------------------------------------------------------------------------

    [Fact]
    public void Parse_TimeZoneOf200KB_MessageIsShortSaysTheValueWasCutAndSuggestsNothing()
    {
        var zone = new string('x', 200_000);
        var result = OnCallConfigLoader.Parse(Yaml.Lines(
            "users:",
            "  - id: alice",
            "    name: Alice",
            "    time_zone: " + zone), File);

        var error = SingleError(result);
        Assert.Equal((4, 16), (error.Line, error.Column));
        Assert.StartsWith($"unknown time zone '{new string('x', ValueText.MaxShown)}…' (200,000 characters, cut)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("did you mean", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 300, $"the message is {error.Message.Length} characters long");
    }

    [Fact]
    public void Closest_InputLongerThanAnyId_IsComparedWithNoCandidate()
    {
        var candidates = new CountingEnumerable(["Europe/Berlin", "UTC"]);

        var match = Suggestions.Closest(new string('x', Suggestions.MaxInputLength + 1), candidates);

        Assert.Null(match);
        Assert.Equal(0, candidates.Enumerations);
    }

    [Fact]
    public void Closest_InputOfAnIdsLength_StillGetsSuggestions()
    {
        var candidates = new CountingEnumerable(["Europe/Berlin", "UTC"]);

        Assert.Equal("Europe/Berlin", Suggestions.Closest("Europe/Berln", candidates));
        Assert.Equal(1, candidates.Enumerations);
    }

    public static TheoryData<string, string> LongValueFiles => new()
    {
        // An unknown key, an unknown member id, an email, a layer name that later messages repeat.
        { "users:\n  - { id: alice, name: Alice, time_zone: UTC, LONG: 1 }\n", "unknown key 'LLLL" },
        { "users: [ { id: alice, name: Alice, time_zone: UTC } ]\nteams: [ { id: t, name: T, members: [LONG] } ]\n", "unknown user 'LLLL" },
        { "users: [ { id: alice, name: Alice, time_zone: UTC, email: LONG } ]\n", "email 'LLLL" },
        {
            "users: [ { id: alice, name: Alice, time_zone: UTC } ]\n" +
            "schedules: [ { id: s, name: S, time_zone: UTC, layers: [ { name: LONG, members: [alice], shift: daily, start: 2026-01-05, handoff: '25:00' } ] } ]\n",
            "handoff '25:00' is not a time of day"
        },
    };

    [Theory]
    [MemberData(nameof(LongValueFiles))]
    public void Parse_LongValue_IsEchoedCutWithItsLength(string template, string messageStart)
    {
        var result = OnCallConfigLoader.Parse(template.Replace("LONG", new string('L', 100_000), StringComparison.Ordinal), File);

        var error = SingleError(result);
        Assert.StartsWith(messageStart, error.Message, StringComparison.Ordinal);
        Assert.Contains("(100,000 characters, cut)", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 400, $"the message is {error.Message.Length} characters long");
    }

    // ---- encoding -----------------------------------------------------------------------------------------

    [Fact]
    public void Load_InvalidUtf8_ReportsTheLineAndColumnOfTheFirstBadByte()
    {
        // Line 3 reads "    name: Zoë" and then a byte that can never start a UTF-8 character: column 14,
        // since ë is one character (two bytes).
        const string before = "users:\n  - id: zoe\n    name: Zoë";
        var bytes = Encoding.UTF8.GetBytes(before)
            .Concat(new byte[] { 0xFF })
            .Concat(Encoding.UTF8.GetBytes("\n    time_zone: UTC\n"))
            .ToArray();
        var path = WriteBytes(bytes);

        var error = SingleError(OnCallConfigLoader.Load(path));

        Assert.Equal((path, 3, 14), (error.File, error.Line, error.Column));
        Assert.StartsWith($"{path}:3:14: invalid UTF-8: the bytes 0xFF 0x0A 0x20 0x20 at byte offset {Encoding.UTF8.GetByteCount(before)} ", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("save the file as UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_TruncatedMultiByteCharacter_IsInvalidUtf8AtItsPosition()
    {
        // "é" is C3 A9; a lone C3 followed by a newline is not a character.
        var bytes = Encoding.UTF8.GetBytes("users:\n  - id: ren")
            .Concat(new byte[] { 0xC3 })
            .Concat(Encoding.UTF8.GetBytes("\n"))
            .ToArray();
        var path = WriteBytes(bytes);

        var error = SingleError(await OnCallConfigLoader.LoadAsync(path, CancellationToken.None));

        Assert.Equal((2, 12), (error.Line, error.Column));
        Assert.Contains("invalid UTF-8: the bytes 0xC3 0x0A", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Utf16File_SaysToSaveItAsUtf8()
    {
        var path = WriteBytes(Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("users: []\n")).ToArray());

        var error = SingleError(OnCallConfigLoader.Load(path));

        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.Contains("looks like UTF-16", error.Message, StringComparison.Ordinal);
        Assert.Contains("save it as UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Utf8WithByteOrderMark_LoadsAndHashesTheTextWithoutIt()
    {
        const string text = "users: [ { id: zoe, name: Zoë, time_zone: UTC } ]\n";
        var path = WriteBytes(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(text)).ToArray());

        var result = OnCallConfigLoader.Load(path);

        Assert.True(result.IsValid, result.FormatErrors());
        Assert.Equal("Zoë", result.Model.Users["zoe"].DisplayName);
        Assert.Equal(text, result.Content);
        Assert.Equal(OnCallConfigLoader.Sha256Of(text), result.Sha256);
    }

    // ---- size ---------------------------------------------------------------------------------------------

    [Fact]
    public void Load_FileLargerThanTheLimit_IsRefusedWithItsSizeAndTheLimit()
    {
        var path = WriteBytes(Encoding.UTF8.GetBytes("# " + new string('x', 2_000) + "\nusers: []\n"));

        var error = SingleError(OnCallConfigLoader.Load(path, maxBytes: 1_024));

        Assert.Equal((0, 0), (error.Line, error.Column));
        Assert.Equal(
            $"{path}: the file is 2,013 bytes, more than the limit of 1,024 bytes (OnCall:MaxConfigBytes); an on-call config is far smaller: check that this is the right file, or raise OnCall:MaxConfigBytes",
            error.ToString());
    }

    [Fact]
    public async Task LoadAsync_FileOfExactlyTheLimit_IsRead()
    {
        var text = "users: []\n# " + new string('x', 1_024 - 13) + "\n";
        var path = WriteBytes(Encoding.UTF8.GetBytes(text));
        Assert.Equal(1_024, new FileInfo(path).Length);

        var result = await OnCallConfigLoader.LoadAsync(path, maxBytes: 1_024, CancellationToken.None);

        Assert.True(result.IsValid, result.FormatErrors());
    }

    [Fact]
    public void Load_DefaultLimit_IsFourMebibytes()
    {
        var path = WriteBytes(Encoding.UTF8.GetBytes("users: []\n#" + new string('x', (int)OnCallOptions.DefaultMaxConfigBytes) + "\n"));

        var error = SingleError(OnCallConfigLoader.Load(path));

        Assert.Equal(4 * 1024 * 1024, OnCallOptions.DefaultMaxConfigBytes);
        Assert.Contains("more than the limit of 4,194,304 bytes", error.Message, StringComparison.Ordinal);
    }

    // ---- other recursion ----------------------------------------------------------------------------------

    [Fact]
    public void Parse_DependencyChainOf5000Services_IsCheckedWithoutOverflowingTheStack()
    {
        // s0 depends on s1, s1 on s2, ...: a recursive cycle search would go 5,000 calls deep. Run on a thread
        // with a small stack, as a hot reload's thread-pool thread has, so a recursion would certainly overflow.
        const int count = 5_000;
        var text = new StringBuilder(Yaml.Lines(
            "users: [ { id: a, name: A, time_zone: UTC } ]",
            "teams: [ { id: t, name: T, members: [a] } ]",
            "escalation_policies: [ { id: p, name: P, levels: [ { timeout: 5m, targets: [ { user: a } ] } ] } ]",
            "services:"));
        for (var i = 0; i < count; i++)
        {
            text.Append("  - { id: s").Append(i).Append(", name: S, team: t, escalation_policy: p")
                .Append(i + 1 < count ? $", depends_on: [s{i + 1}]" : string.Empty).Append(" }\n");
        }
        ConfigLoadResult? result = null;
        var thread = new Thread(() => result = OnCallConfigLoader.Parse(text.ToString(), File), maxStackSize: 256 * 1024);

        thread.Start();
        thread.Join();

        Assert.NotNull(result);
        Assert.True(result.IsValid, result.FormatErrors());
        Assert.Equal(count, result.Model.Services.Count);
    }

    /// <summary>Counts how often it is enumerated, so a test can see that nothing was compared.</summary>
    private sealed class CountingEnumerable(IReadOnlyList<string> items) : IEnumerable<string>
    {
        public int Enumerations { get; private set; }

        public IEnumerator<string> GetEnumerator()
        {
            Enumerations++;
            return items.GetEnumerator();
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
