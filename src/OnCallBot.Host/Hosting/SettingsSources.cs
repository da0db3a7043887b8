namespace OnCallBot.Host.Hosting;

/// <summary>
/// Where settings come from, lowest priority first: <c>appsettings.json</c> beside the executable (the
/// shipped defaults), an optional <c>appsettings.json</c> in the current directory (the admin's own,
/// copied from <c>appsettings.example.json</c>), environment variables (<c>Storage__Provider=postgres</c>),
/// then command-line arguments (<c>--Storage:Provider=postgres</c>).
/// </summary>
internal static class SettingsSources
{
    public static void Apply(IConfigurationManager configuration, string[] args)
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        var local = Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json");
        configuration.Sources.Clear();
        configuration.AddJsonFile(shipped, optional: true, reloadOnChange: false);
        if (!string.Equals(Path.GetFullPath(shipped), Path.GetFullPath(local), StringComparison.Ordinal))
        {
            configuration.AddJsonFile(local, optional: true, reloadOnChange: false);
        }
        configuration.AddEnvironmentVariables();
        configuration.AddCommandLine(args);
    }
}
