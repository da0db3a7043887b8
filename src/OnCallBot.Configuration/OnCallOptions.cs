namespace OnCallBot.Configuration;

/// <summary>Settings of the on-call config file, bound from the <c>OnCall</c> configuration section.</summary>
public sealed class OnCallOptions
{
    public const string SectionName = "OnCall";

    /// <summary>The longest debounce accepted: longer would leave a fixed config unapplied for minutes.</summary>
    public static readonly TimeSpan MaxReloadDebounce = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Path of the on-call YAML file (<c>OnCall:ConfigPath</c>); relative paths resolve against the working
    /// directory. When empty the bot runs with an empty model (no users, teams or services) and says so at start.
    /// </summary>
    public string? ConfigPath { get; set; }

    /// <summary>
    /// How long the file must stay unchanged before it is reloaded (<c>OnCall:ReloadDebounce</c>, default 1 second),
    /// so an editor's burst of writes causes one reload of the finished file. Between 0 and 1 minute.
    /// </summary>
    public TimeSpan ReloadDebounce { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether to reload when the file changes on disk (<c>OnCall:WatchForChanges</c>, default true).</summary>
    public bool WatchForChanges { get; set; } = true;
}
