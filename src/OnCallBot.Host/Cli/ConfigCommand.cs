using System.CommandLine;
using System.Globalization;
using OnCallBot.Configuration;
using OnCallBot.Host.Hosting;

namespace OnCallBot.Host.Cli;

/// <summary><c>config validate FILE</c>: checks an on-call config as the bot would, without starting it.</summary>
internal static class ConfigCommand
{
    public const int Invalid = 1;

    /// <summary>A setting the check depends on (<c>OnCall:MaxConfigBytes</c>) is itself invalid.</summary>
    public const int BadSetting = 3;

    /// <param name="output">Where the verdict goes.</param>
    /// <param name="error">Where the errors go.</param>
    /// <param name="settings">Settings layered over the usual sources (tests use it).</param>
    public static Command Create(TextWriter output, TextWriter error, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var file = new Argument<FileInfo>("file") { Description = "The on-call config (YAML) to check." };
        var validate = new Command("validate", "Check an on-call config file; prints line-numbered errors and exits non-zero when it is invalid.");
        validate.Arguments.Add(file);
        validate.SetAction(parse =>
        {
            var path = parse.GetValue(file)!.FullName;
            // The same size limit as the bot's, so a file that passes here is not refused at start.
            if (MaxConfigBytes(settings) is not { } maxBytes)
            {
                error.WriteLine(OnCallOptions.MaxConfigBytesProblem);
                return BadSetting;
            }
            var result = OnCallConfigLoader.Load(path, maxBytes);
            if (!result.IsValid)
            {
                foreach (var problem in result.Errors)
                {
                    error.WriteLine(problem);
                }
                error.WriteLine($"{path}: invalid, {result.Errors.Count} error{(result.Errors.Count == 1 ? "" : "s")}");
                return Invalid;
            }
            var model = result.Model;
            output.WriteLine(
                $"{path}: valid ({model.Users.Count} users, {model.Teams.Count} teams, {model.Schedules.Count} schedules, " +
                $"{model.Policies.Count} escalation policies, {model.Services.Count} services)");
            return 0;
        });

        var config = new Command("config", "Work with the on-call configuration file.");
        config.Subcommands.Add(validate);
        return config;
    }

    /// <summary><c>OnCall:MaxConfigBytes</c> from the bot's settings sources, its default when unset, or null when invalid.</summary>
    internal static long? MaxConfigBytes(IReadOnlyDictionary<string, string?>? settings)
    {
        var configuration = new ConfigurationManager();
        SettingsSources.AddAll(configuration, []);
        configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        var text = configuration[$"{OnCallOptions.SectionName}:{nameof(OnCallOptions.MaxConfigBytes)}"];
        if (string.IsNullOrWhiteSpace(text))
        {
            return OnCallOptions.DefaultMaxConfigBytes;
        }
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && OnCallOptions.IsValidMaxConfigBytes(value)
            ? value
            : null;
    }
}
