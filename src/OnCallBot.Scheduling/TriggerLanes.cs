using Quartz;

namespace OnCallBot.Scheduling;

/// <summary>
/// How escalation and coordination share the scheduler, so that a backlog of coordination work (thousands of channel,
/// reminder and archive triggers after a burst of pages) never holds back an escalation step: someone is waiting to
/// be paged, and a channel can open a minute later.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><description>Threads: <see cref="MaxConcurrency"/> jobs at once on a host. Coordination triggers carry the
/// execution group <see cref="CoordinationExecutionGroup"/>, limited to <see cref="CoordinationMaxConcurrent"/> of
/// them on each host, so the rest are always free for escalation. Quartz acquires triggers by next fire time, then
/// priority, and reads past a trigger whose group is at its limit, so an escalation step due after the whole
/// coordination backlog is still acquired and run while that backlog drains.</description></item>
/// <item><description>Priority: escalation <see cref="EscalationPriority"/> above coordination
/// <see cref="CoordinationPriority"/> (Quartz's default is 5): among triggers due at the same instant, escalation is
/// acquired first.</description></item>
/// <item><description>Misfires: each of our triggers fires as late as it has to within <see cref="LateFiringWindow"/>
/// through normal acquisition, in due order. Past a trigger's misfire threshold Quartz leaves it to the misfire
/// handler, which rewrites triggers to "now" a batch per transaction while holding the store's lock: under load that
/// turned thousands of overdue triggers into a loop of rewrites that starved firing, and erased their order. A trigger
/// older than the window (one left by a host that was down that long) still fires once, at once (FireNow).</description></item>
/// </list>
/// Triggers stored before these settings existed keep Quartz's defaults until they are next scheduled.
/// </remarks>
internal static class TriggerLanes
{
    /// <summary>
    /// Jobs running at once on one host. They are asynchronous and wait on the chat platform and the store, not the CPU,
    /// so a slot costs little; twenty means a step held by one person's DM pacing (many services paging the same
    /// person at once, about one message a second per DM) or a Retry-After does not hold up the pages of everyone
    /// else. Writes still take turns at the store's one writer.
    /// </summary>
    public const int MaxConcurrency = 20;

    /// <summary>The execution group of coordination triggers (channels, status reminders, archiving).</summary>
    public const string CoordinationExecutionGroup = "coordination";

    /// <summary>
    /// Coordination jobs running at once on one host: the remaining <c>MaxConcurrency - CoordinationMaxConcurrent</c>
    /// threads are escalation's whatever the coordination backlog.
    /// </summary>
    public const int CoordinationMaxConcurrent = 4;

    /// <summary>Escalation steps' priority: first among triggers due at the same instant.</summary>
    public const int EscalationPriority = 10;

    /// <summary>Coordination triggers' priority, below escalation's and Quartz's default.</summary>
    public const int CoordinationPriority = 3;

    /// <summary>How late one of our triggers may fire through normal acquisition before it counts as misfired.</summary>
    public static readonly TimeSpan LateFiringWindow = TimeSpan.FromHours(1);

    /// <summary>Gives an escalation step's trigger its lane: high priority, no execution group, the late-firing window.</summary>
    public static TriggerBuilder<T> AsEscalation<T>(this TriggerBuilder<T> trigger)
        where T : IJob
    {
        ArgumentNullException.ThrowIfNull(trigger);
        return trigger.WithPriority(EscalationPriority).WithMisfireThreshold(LateFiringWindow);
    }

    /// <summary>Gives a coordination trigger its lane: low priority, the limited execution group, the late-firing window.</summary>
    public static TriggerBuilder<T> AsCoordination<T>(this TriggerBuilder<T> trigger)
        where T : IJob
    {
        ArgumentNullException.ThrowIfNull(trigger);
        return trigger.WithPriority(CoordinationPriority)
            .WithExecutionGroup(CoordinationExecutionGroup)
            .WithMisfireThreshold(LateFiringWindow);
    }
}
