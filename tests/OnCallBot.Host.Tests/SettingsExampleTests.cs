using System.Reflection;
using Microsoft.Extensions.Configuration;
using OnCallBot.Configuration;
using OnCallBot.Host.Hosting;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Paging;
using OnCallBot.Scheduling;
using OnCallBot.Scheduling.Coordination;
using OnCallBot.Scheduling.Escalation;
using OnCallBot.Slack;
using OnCallBot.Storage;
using OnCallBot.Teams;
using OnCallBot.TestKit;

namespace OnCallBot.Host.Tests;

/// <summary>appsettings.example.json is the admin's reference: every setting the bot reads must be in it.</summary>
public sealed class SettingsExampleTests
{
    private static readonly IConfigurationRoot Example = new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(SharedFixtures.RepositoryRoot, "appsettings.example.json"), optional: false)
        .Build();

    public static TheoryData<string, Type> OptionSections => new()
    {
        { StorageOptions.SectionName, typeof(StorageOptions) },
        { OnCallOptions.SectionName, typeof(OnCallOptions) },
        { PagingOptions.SectionName, typeof(PagingOptions) },
        { SlackOptions.SectionName, typeof(SlackOptions) },
        { TeamsOptions.SectionName, typeof(TeamsOptions) },
        { EscalationOptions.SectionName, typeof(EscalationOptions) },
        { CoordinationOptions.SectionName, typeof(CoordinationOptions) },
        { CoordinationJobOptions.SectionName, typeof(CoordinationJobOptions) },
        { HealthOptions.SectionName, typeof(HealthOptions) },
    };

    [Theory]
    [MemberData(nameof(OptionSections))]
    public void Example_DocumentsEverySettableKeyOfEachSection(string section, Type optionsType)
    {
        var settable = optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod!.IsPublic)
            .Select(p => p.Name);

        var documented = Example.GetSection(section).GetChildren().Select(c => c.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var missing = settable.Where(name => !documented.Contains(name)).ToList();
        Assert.True(missing.Count == 0, $"appsettings.example.json does not document {section}: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Example_BindsToValidDefaults()
    {
        var storage = Example.GetSection(StorageOptions.SectionName).Get<StorageOptions>()!;
        var paging = Example.GetSection(PagingOptions.SectionName).Get<PagingOptions>()!;

        Assert.Equal("sqlite", storage.Provider);
        Assert.Equal(TimeSpan.FromMinutes(5), paging.DirectPageTimeout);
        Assert.Equal("text", Example["Log:Format"]);
    }

    [Fact]
    public void Example_LogSettings_AreValidForTheHostLoggerAndNameEverySecretItMasks()
    {
        // As written, the Log and Serilog sections build the host's logger (a misspelt level would stop the bot).
        using var logger = LoggingSetup.Configure(new Serilog.LoggerConfiguration(), Example, (_, _) => { }).CreateLogger();

        Assert.Equal("text", Example[LoggingSetup.FormatKey]);
        Assert.Equal("Warning", Example[$"Serilog:MinimumLevel:Override:{LoggingSetup.HttpClientCategory}"]);
        // The masked settings are real, documented keys: a renamed key would silently stop being masked.
        Assert.All(SecretRedactor.SecretKeys, key => Assert.True(Example.GetSection(key).Exists(), $"appsettings.example.json does not document {key}"));
    }
}
