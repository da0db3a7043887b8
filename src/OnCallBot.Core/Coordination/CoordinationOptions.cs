namespace OnCallBot.Core.Coordination;

/// <summary>Settings of incident coordination (section <c>Incidents</c>).</summary>
public sealed class CoordinationOptions
{
    public const string SectionName = "Incidents";

    /// <summary>Severity of a new incident (1 = worst, 4 = least). Default 3.</summary>
    public int DefaultSeverity { get; set; } = 3;

    /// <summary>Open a channel per incident on platforms that can. Default true.</summary>
    public bool OpenChannels { get; set; } = true;

    /// <summary>The first person to acknowledge becomes commander when nobody holds the role. Default true.</summary>
    public bool CommanderOnFirstAcknowledge { get; set; } = true;

    /// <summary>
    /// How often a status update is due, per severity ("1" to "4"). Defaults: SEV1 30 minutes, SEV2 1 hour,
    /// SEV3 4 hours, SEV4 none (no reminders).
    /// </summary>
    public Dictionary<string, TimeSpan> StatusUpdateIntervals { get; set; } = new(StringComparer.Ordinal)
    {
        ["1"] = TimeSpan.FromMinutes(30),
        ["2"] = TimeSpan.FromHours(1),
        ["3"] = TimeSpan.FromHours(4),
    };

    /// <summary>
    /// Where status updates are also posted, per severity ("1" to "4") and platform: e.g.
    /// <c>StakeholderChannels:1:slack = C0STATUS</c>. A severity without an entry posts in the incident channel only.
    /// </summary>
    public Dictionary<string, Dictionary<string, string>> StakeholderChannels { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long after resolution the incident channel is archived. Default 7 days; zero archives at once; negative never.</summary>
    public TimeSpan ArchiveChannelAfter { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Who may change severity, phase and customer impact, post status updates, resolve, take a role or give one
    /// to someone else: <c>responders</c> (default; who that is: <see cref="IncidentRoom.IsResponder"/>)
    /// or <c>anyone</c>. Acknowledging, notes and paging more people in are open to anyone.
    /// </summary>
    public string RestrictedActions { get; set; } = "responders";

    public bool RestrictToResponders => !string.Equals(RestrictedActions, "anyone", StringComparison.OrdinalIgnoreCase);

    public TimeSpan? StatusUpdateInterval(int severity) =>
        StatusUpdateIntervals.TryGetValue(severity.ToString(System.Globalization.CultureInfo.InvariantCulture), out var interval) && interval > TimeSpan.Zero
            ? interval
            : null;

    public string? StakeholderChannel(int severity, string platform) =>
        StakeholderChannels.TryGetValue(severity.ToString(System.Globalization.CultureInfo.InvariantCulture), out var byPlatform)
        && byPlatform.TryGetValue(platform, out var channel) && !string.IsNullOrWhiteSpace(channel)
            ? channel
            : null;
}
