using System.Globalization;
using NodaTime;
using NodaTime.Text;
using Quartz;

namespace OnCallBot.Scheduling.Coordination;

/// <summary>The three kinds of coordination work the scheduler wakes up.</summary>
internal enum CoordinationWork
{
    OpenChannels,
    StatusReminder,
    ArchiveChannels,
}

/// <summary>
/// What a Quartz trigger of the coordination group carries: which incident, and when the work was due. Kept as strings
/// in the trigger's job data, like escalation wake-ups, so the stored form does not depend on the serializer.
/// </summary>
internal sealed record CoordinationWakeUp(long IncidentNumber, Instant DueAt)
{
    public const string Group = "coordination";

    private const string IncidentKey = "incident";
    private const string DueKey = "due";

    /// <summary>The shared durable job of each kind.</summary>
    public static JobKey JobKeyFor(CoordinationWork work) => new(Name(work), Group);

    /// <summary>One key per kind and incident (<c>open-channels-42</c>, <c>status-reminder-42</c>, <c>archive-42</c>): scheduling again replaces.</summary>
    public static TriggerKey TriggerKeyFor(CoordinationWork work, long incidentNumber) =>
        new(TriggerPrefix(work) + incidentNumber.ToString(CultureInfo.InvariantCulture), Group);

    public static string Name(CoordinationWork work) => work switch
    {
        CoordinationWork.OpenChannels => "open-channels",
        CoordinationWork.StatusReminder => "status-reminder",
        CoordinationWork.ArchiveChannels => "archive-channels",
        _ => throw new ArgumentOutOfRangeException(nameof(work), work, "Unknown coordination work."),
    };

    private static string TriggerPrefix(CoordinationWork work) => work switch
    {
        CoordinationWork.ArchiveChannels => "archive-",
        _ => Name(work) + "-",
    };

    public JobDataMap ToJobData() => new()
    {
        [IncidentKey] = IncidentNumber.ToString(CultureInfo.InvariantCulture),
        [DueKey] = InstantPattern.ExtendedIso.Format(DueAt),
    };

    public static CoordinationWakeUp? FromJobData(JobDataMap data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.GetString(IncidentKey) is { } incident
            && long.TryParse(incident, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            && data.GetString(DueKey) is { } dueText
            && InstantPattern.ExtendedIso.Parse(dueText) is { Success: true } due
                ? new CoordinationWakeUp(number, due.Value)
                : null;
    }
}
