using Microsoft.Extensions.Configuration.Json;

namespace OnCallBot.Host.Hosting;

/// <summary>
/// Where settings come from, lowest priority first: <c>appsettings.json</c> beside the executable (the
/// shipped defaults), an optional <c>appsettings.json</c> in the current directory (the admin's own,
/// copied from <c>appsettings.example.json</c>), environment variables (<c>Storage__Provider=postgres</c>),
/// then command-line arguments (<c>--Storage:Provider=postgres</c>).
/// </summary>
internal static class SettingsSources
{
    /// <summary>
    /// Adds the admin's <c>appsettings.json</c> from the current directory just above the shipped JSON files,
    /// keeping every other source (environment, command line, and what a test host injects) where it is.
    /// </summary>
    public static void AddWorkingDirectorySettings(IConfigurationManager configuration)
    {
        var local = Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json");
        if (string.Equals(Path.GetFullPath(local), Path.Combine(AppContext.BaseDirectory, "appsettings.json"), StringComparison.Ordinal))
        {
            return;
        }
        var lastJson = configuration.Sources.ToList().FindLastIndex(s => s is JsonConfigurationSource);
        var source = new JsonConfigurationSource { Path = local, Optional = true, ReloadOnChange = false };
        source.ResolveFileProvider();
        configuration.Sources.Insert(lastJson + 1, source);
    }

    /// <summary>All sources, for the command line, which starts from an empty builder.</summary>
    public static void AddAll(IConfigurationManager configuration, string[] args)
    {
        configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        AddWorkingDirectorySettings(configuration);
        configuration.AddEnvironmentVariables();
        configuration.AddCommandLine(args);
    }
}
