using System.Text.RegularExpressions;
using OnCallBot.Host.Cli;
using OnCallBot.TestKit;

namespace OnCallBot.Host.Tests.Cli;

public sealed class CliTests : IDisposable
{
    private static readonly string ExampleConfig = Path.Combine(SharedFixtures.RepositoryRoot, "manifests", "oncall.example.yaml");
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await OnCallCli.RunAsync(args, output, error,
            new Dictionary<string, string?> { ["Storage:ConnectionString"] = _temp.SqliteConnectionString });
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task ConfigValidate_ExampleConfig_SaysValidAndExitsZero()
    {
        var (exit, output, _) = await RunAsync("config", "validate", ExampleConfig);

        Assert.Equal(0, exit);
        Assert.Contains("valid (7 users, 2 teams, 2 schedules, 2 escalation policies, 4 services)", output);
    }

    [Fact]
    public async Task ConfigValidate_BrokenFile_PrintsLineNumberedErrorsAndExitsNonZero()
    {
        var broken = _temp.File("broken.yaml");
        await File.WriteAllTextAsync(broken, """
            users:
              - id: alice
                name: Alice
                time_zone: Europe/Berlln
            schedules:
              - id: primary
                name: Primary
                time_zone: Europe/Berlin
                layers:
                  - members: [alice, bobby]
                    shift: weekly
                    start: 2026-01-05
                    handoff: "09:00"
            """);

        var (exit, _, error) = await RunAsync("config", "validate", broken);

        Assert.Equal(1, exit);
        Assert.Contains($"{broken}:4:", error);     // the unknown time zone
        Assert.Contains($"{broken}:10:", error);    // the unknown user in the rotation
        Assert.Contains("bobby", error);
        Assert.Contains("invalid, 2 errors", error);
    }

    [Fact]
    public async Task Who_ServiceOnBerlinSpringForwardNight_NamesThePersonAndTheirWindow()
    {
        // 01:30 UTC on 29 March is 03:30 CEST, the first hour after the clocks jump. The bottom weekly layer has
        // carol (week 11 from 5 January); office hours are over, so she holds the pager from Friday 17:00 (her
        // office-hours day too) until Monday 09:00 CEST.
        var (exit, output, error) = await RunAsync("who", "checkout", "--at", "2026-03-29T01:30:00Z", "--config", ExampleConfig);

        Assert.True(exit == 0, error);
        Assert.Contains("On call: Carol Castillo (carol), paged at level 1", output);
        Assert.Contains("Thu 2026-03-26 17:00 CET to Mon 2026-03-30 09:00 CEST", output);
        Assert.Contains("user dave: Dave Duarte (dave), always", output);
    }

    [Fact]
    public async Task Who_Alias_FindsTheServiceAndUsesOfficeHoursLayer()
    {
        var (exit, output, _) = await RunAsync("who", "cart", "--at", "2026-03-30T10:00", "--config", ExampleConfig);

        Assert.Equal(0, exit);
        Assert.Contains("Checkout (checkout)", output);
        Assert.Contains("On call: Bob Becker (bob)", output);
        Assert.Contains("from layer 'office-hours'", output);
    }

    [Fact]
    public async Task Who_LocalTimeSkippedByDst_RefusesAndOffersOffsets()
    {
        var (exit, _, error) = await RunAsync("who", "payments-primary", "--at", "2026-03-29T02:30", "--config", ExampleConfig);

        Assert.Equal(3, exit);
        Assert.Contains("does not exist in Europe/Berlin", error);
        Assert.Contains("2026-03-29T02:30+01:00", error);
    }

    [Fact]
    public async Task Who_LocalTimeSkippedByDst_EveryOffsetItSuggestsIsAccepted()
    {
        var (_, _, refusal) = await RunAsync("who", "payments-primary", "--at", "2026-03-29T02:30", "--config", ExampleConfig);
        var suggestions = Regex.Matches(refusal, @"2026-03-29T02:30[+-]\d\d:\d\d").Select(m => m.Value).ToList();

        Assert.Equal(2, suggestions.Count);
        foreach (var suggestion in suggestions)
        {
            var (exit, output, error) = await RunAsync("who", "payments-primary", "--at", suggestion, "--config", ExampleConfig);
            Assert.True(exit == 0, $"{suggestion}: {error}");
            Assert.Contains("On call: Carol Castillo (carol)", output);
        }
    }

    [Theory]
    [InlineData("2026-03-29T03:30+02:00")]
    [InlineData("2026-03-29T01:30Z")]
    [InlineData("2026-03-29T02:30+01:00")]
    [InlineData("2026-03-29 03:30+02:00")]
    public async Task Who_MinutesOnlyInstantWithOffsetOrZ_AnswersForThatInstant(string at)
    {
        var (exit, output, error) = await RunAsync("who", "payments-primary", "--at", at, "--config", ExampleConfig);

        Assert.True(exit == 0, error);
        Assert.Contains("at Sun 2026-03-29 03:30 CEST (2026-03-29T01:30:00Z)", output);
    }

    /// <summary>The README's <c>who</c> commands, exactly as written there (the config path taken from the repository root).</summary>
    public static TheoryData<string> ReadmeWhoCommands()
    {
        var readme = File.ReadAllText(Path.Combine(SharedFixtures.RepositoryRoot, "README.md"));
        var commands = new TheoryData<string>();
        foreach (Match line in Regex.Matches(readme, @"^dotnet run --project src/OnCallBot.Host -- (who .+)$", RegexOptions.Multiline))
        {
            commands.Add(line.Groups[1].Value.Trim());
        }
        return commands;
    }

    [Theory]
    [MemberData(nameof(ReadmeWhoCommands))]
    public async Task Who_ReadmeExample_Answers(string command)
    {
        var args = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var config = Array.IndexOf(args, "--config");
        args[config + 1] = Path.Combine(SharedFixtures.RepositoryRoot, args[config + 1]);

        var (exit, output, error) = await RunAsync(args);

        Assert.True(exit == 0, $"{command}: {error}");
        Assert.Contains("On call:", output);
    }

    [Fact]
    public async Task Who_ReadmeAtExamples_EachIsAccepted()
    {
        var readme = File.ReadAllText(Path.Combine(SharedFixtures.RepositoryRoot, "README.md"));
        var paragraph = readme[readme.IndexOf("`--at` takes", StringComparison.Ordinal)..];
        paragraph = paragraph[..paragraph.IndexOf("\n\n", StringComparison.Ordinal)];
        var examples = Regex.Matches(paragraph, @"`(\d{4}-\d\d-\d\dT[^`]+)`").Select(m => m.Groups[1].Value).ToList();

        Assert.NotEmpty(examples);
        foreach (var at in examples)
        {
            var (exit, _, error) = await RunAsync("who", "payments-primary", "--at", at, "--config", ExampleConfig);
            Assert.True(exit == 0, $"{at}: {error}");
        }
    }

    [Theory]
    [InlineData("9999-12-30T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59Z")]
    [InlineData("9999-12-31T00:00")]
    [InlineData("-9998-01-01T00:00:00Z")]
    [InlineData("-9998-01-01T00:00")]
    [InlineData("-9998-01-01T00:00:00+05:00")]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("9000-06-01T00:00:00Z")]
    public async Task Who_InstantOutsideTheSupportedRange_ExitsThreeWithOneLineNamingTheRange(string at)
    {
        var (exit, output, error) = await RunAsync("who", "checkout", "--at", at, "--config", ExampleConfig);

        Assert.Equal(3, exit);
        Assert.Empty(output);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("1900-01-01", line);
        Assert.Contains("9000-01-01", line);
        Assert.DoesNotContain("Exception", line);
    }

    [Theory]
    [InlineData("1900-01-01T00:00:00Z")]
    [InlineData("8999-12-31T23:59:59Z")]
    public async Task Who_InstantAtTheEdgeOfTheSupportedRange_Answers(string at)
    {
        var (exit, output, error) = await RunAsync("who", "checkout", "--at", at, "--config", ExampleConfig);

        Assert.True(exit == 0, error);
        Assert.Contains("On call:", output);
    }

    [Fact]
    public async Task Who_FridayNoonInsideOfficeHours_NamesTheOfficeHoursLayerAndTheStretchParts()
    {
        // Carol holds the weekly layer's week and Friday's office hours: one unbroken stretch from Thursday 17:00
        // to Monday 09:00, but at Friday noon it is the office-hours layer that puts her there.
        var (exit, output, error) = await RunAsync("who", "payments-primary", "--at", "2026-03-27T12:00", "--config", ExampleConfig);

        Assert.True(exit == 0, error);
        Assert.Contains("On call: Carol Castillo (carol), Thu 2026-03-26 17:00 CET to Mon 2026-03-30 09:00 CEST, from layer 'office-hours'", output);
        Assert.Contains("Thu 2026-03-26 17:00 CET to Fri 2026-03-27 09:00 CET: layer 'weekly'", output);
        Assert.Contains("Fri 2026-03-27 09:00 CET to Fri 2026-03-27 17:00 CET: layer 'office-hours' (at the instant asked)", output);
        Assert.Contains("Fri 2026-03-27 17:00 CET to Mon 2026-03-30 09:00 CEST: layer 'weekly'", output);
    }

    [Fact]
    public async Task Who_ServiceOnFridayNoon_NamesTheOfficeHoursLayerForTheScheduleTarget()
    {
        var (exit, output, error) = await RunAsync("who", "checkout", "--at", "2026-03-27T12:00", "--config", ExampleConfig);

        Assert.True(exit == 0, error);
        Assert.Contains("schedule payments-primary: Carol Castillo (carol), Thu 2026-03-26 17:00 CET to Mon 2026-03-30 09:00 CEST, from layer 'office-hours'", output);
    }

    [Fact]
    public async Task Who_UnknownService_SuggestsTheClosestAndExitsNonZero()
    {
        var (exit, output, error) = await RunAsync("who", "chekout", "--config", ExampleConfig);

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Contains("Did you mean: checkout?", error);
    }

    [Fact]
    public async Task Who_ScheduleOnNewYorkSpringForward_GivesTheElevenHourNightShift()
    {
        var (exit, output, _) = await RunAsync("who", "platform-primary", "--at", "2026-03-08T07:30:00Z", "--config", ExampleConfig);

        Assert.Equal(0, exit);
        Assert.Contains("On call: Erin Evans (erin), Sat 2026-03-07 20:00 EST to Sun 2026-03-08 08:00 EDT", output);
        Assert.Contains("Next: Frank Foster (frank) from Sun 2026-03-08 08:00 EDT", output);
    }

    [Fact]
    public async Task Who_BrokenConfig_ExitsNonZeroWithTheErrors()
    {
        var broken = _temp.File("broken.yaml");
        await File.WriteAllTextAsync(broken, "users: [");

        var (exit, _, error) = await RunAsync("who", "checkout", "--config", broken);

        Assert.Equal(1, exit);
        Assert.Contains(broken, error);
    }
}
