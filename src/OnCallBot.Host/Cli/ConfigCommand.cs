using System.CommandLine;
using OnCallBot.Configuration;

namespace OnCallBot.Host.Cli;

/// <summary><c>config validate FILE</c>: checks an on-call config as the bot would, without starting it.</summary>
internal static class ConfigCommand
{
    public const int Invalid = 1;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<FileInfo>("file") { Description = "The on-call config (YAML) to check." };
        var validate = new Command("validate", "Check an on-call config file; prints line-numbered errors and exits non-zero when it is invalid.");
        validate.Arguments.Add(file);
        validate.SetAction(parse =>
        {
            var path = parse.GetValue(file)!.FullName;
            var result = OnCallConfigLoader.Load(path);
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
}
