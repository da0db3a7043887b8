namespace OnCallBot.Configuration;

/// <summary>Settings of the on-call config file, bound from the <c>OnCall</c> configuration section.</summary>
public sealed class OnCallOptions
{
    public const string SectionName = "OnCall";

    /// <summary>The longest debounce accepted: longer would leave a fixed config unapplied for minutes.</summary>
    public static readonly TimeSpan MaxReloadDebounce = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Default of <see cref="MaxConfigBytes"/>: 4 MiB, far above a real config (a thousand people with their teams
    /// and schedules take a few hundred KB).
    /// </summary>
    public const long DefaultMaxConfigBytes = 4L * 1024 * 1024;

    /// <summary>The smallest <see cref="MaxConfigBytes"/> accepted (1 KiB): less would refuse even a one-team file.</summary>
    public const long MinMaxConfigBytes = 1024;

    /// <summary>The largest <see cref="MaxConfigBytes"/> accepted (64 MiB): the whole file is held in memory while it is checked.</summary>
    public const long MaxMaxConfigBytes = 64L * 1024 * 1024;

    internal const string MaxConfigBytesProblem =
        "OnCall:MaxConfigBytes must be a number of bytes between 1024 and 67108864 (64 MiB), e.g. 4194304 for 4 MiB.";

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

    /// <summary>
    /// The largest config file read, in bytes (<c>OnCall:MaxConfigBytes</c>, default 4 MiB, between 1 KiB and
    /// 64 MiB). A larger file is refused before it is read, like any invalid file: the last good config stays.
    /// </summary>
    public long MaxConfigBytes { get; set; } = DefaultMaxConfigBytes;

    internal static bool IsValidMaxConfigBytes(long value) => value is >= MinMaxConfigBytes and <= MaxMaxConfigBytes;
}
