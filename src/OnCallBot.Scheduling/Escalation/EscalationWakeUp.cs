using System.Globalization;
using NodaTime;
using NodaTime.Text;
using Quartz;

namespace OnCallBot.Scheduling.Escalation;

/// <summary>
/// What a Quartz trigger of the escalation group carries: which step of which incident, and when it was due. Kept as
/// strings in the trigger's job data, so the stored form does not depend on the serializer's handling of numbers.
/// </summary>
internal sealed record EscalationWakeUp(long IncidentNumber, int Step, Instant DueAt)
{
    /// <summary>The job's group. Triggers live in one group per incident (<see cref="GroupFor"/>).</summary>
    public const string Group = "escalation";

    private const string IncidentKey = "incident";
    private const string StepKey = "step";
    private const string DueKey = "due";

    /// <summary>
    /// One key per step, in a group per incident. A step's successor is never stored under the key of the trigger that
    /// is firing it, so nothing Quartz does to the firing trigger afterwards (its completion, or the clean-up of a
    /// crashed host's fired triggers when another PostgreSQL host recovers them) can reach the next step's wake-up.
    /// </summary>
    public static TriggerKey TriggerKeyFor(long incidentNumber, int step) =>
        new($"escalation-{incidentNumber.ToString(CultureInfo.InvariantCulture)}-step-{step.ToString(CultureInfo.InvariantCulture)}", GroupFor(incidentNumber));

    /// <summary>The trigger group holding an incident's escalation wake-ups.</summary>
    public static string GroupFor(long incidentNumber) => "escalation-" + incidentNumber.ToString(CultureInfo.InvariantCulture);

    public JobDataMap ToJobData() => new()
    {
        [IncidentKey] = IncidentNumber.ToString(CultureInfo.InvariantCulture),
        [StepKey] = Step.ToString(CultureInfo.InvariantCulture),
        [DueKey] = InstantPattern.ExtendedIso.Format(DueAt),
    };

    public static EscalationWakeUp? FromJobData(JobDataMap data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.GetString(IncidentKey) is { } incident
            && long.TryParse(incident, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            && data.GetString(StepKey) is { } stepText
            && int.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out var step)
            && data.GetString(DueKey) is { } dueText
            && InstantPattern.ExtendedIso.Parse(dueText) is { Success: true } due
                ? new EscalationWakeUp(number, step, due.Value)
                : null;
    }
}
