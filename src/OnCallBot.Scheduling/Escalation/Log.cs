using Microsoft.Extensions.Logging;

namespace OnCallBot.Scheduling;

/// <summary>The scheduling project's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Debug, Message = "Scheduled escalation step {Step} of {Incident} at {DueAt}")]
    public static partial void StepScheduled(ILogger logger, string incident, int step, DateTimeOffset dueAt);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Debug,
        Message = "Kept the pending wake-up of {Incident} (step {PendingStep} at {PendingDueAt}) over a request for step {Step} at {DueAt}: it is no later in the escalation and no later in time")]
    public static partial void PendingWakeUpKept(ILogger logger, string incident, int pendingStep, DateTimeOffset pendingDueAt, int step, DateTimeOffset dueAt);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Debug, Message = "Cancelled the pending wake-up of {Incident}: {Removed}")]
    public static partial void WakeUpCancelled(ILogger logger, string incident, bool removed);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Information, Message = "Ran escalation step {Step} of {Incident}, {Lateness} after it was due")]
    public static partial void StepRan(ILogger logger, string incident, int step, TimeSpan lateness);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Error,
        Message = "Escalation step {Step} of {Incident} failed ({Lateness} after it was due); it will be tried again")]
    public static partial void StepFailed(ILogger logger, Exception exception, string incident, int step, TimeSpan lateness);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Warning,
        Message = "Escalation step {Step} of {Incident} was interrupted by shutdown; it is handed back to the scheduler")]
    public static partial void StepInterrupted(ILogger logger, string incident, int step);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Warning, Message = "Escalation step {Step} of {Incident} will be tried again at {RetryAt}")]
    public static partial void StepRetryScheduled(ILogger logger, string incident, int step, DateTimeOffset retryAt);

    [LoggerMessage(EventId = 5014, Level = LogLevel.Information,
        Message = "{Incident} no longer has an escalation step pending after step {Step} failed; nothing to try again")]
    public static partial void NothingToRetry(ILogger logger, string incident, int step);

    [LoggerMessage(EventId = 5015, Level = LogLevel.Critical,
        Message = "Could not reschedule escalation of {Incident} after step {Step} failed; it stays pending in the store and is rescheduled when a host next starts")]
    public static partial void RetryNotScheduled(ILogger logger, Exception exception, string incident, int step);

    [LoggerMessage(EventId = 5016, Level = LogLevel.Error,
        Message = "Escalation wake-up {TriggerKey} carries no valid incident number, step and due time; it is dropped")]
    public static partial void WakeUpUnreadable(ILogger logger, string triggerKey);

    [LoggerMessage(EventId = 5017, Level = LogLevel.Information,
        Message = "Escalation step {Step} of {Incident} is being run by another wake-up (it holds the step's lease); this one sent nothing and comes back at {RetryAt}, when that lease ends")]
    public static partial void StepBusy(ILogger logger, string incident, int step, DateTimeOffset retryAt);

    [LoggerMessage(EventId = 5018, Level = LogLevel.Warning,
        Message = "Escalation step {Step} of {Incident} stalled past its lease and another run took it over; this run stopped")]
    public static partial void StepSuperseded(ILogger logger, string incident, int step);

    [LoggerMessage(EventId = 5019, Level = LogLevel.Debug, Message = "Escalation step {Step} of {Incident} had already run (or the incident moved on); nothing to do")]
    public static partial void StepAlreadyDone(ILogger logger, string incident, int step);

    [LoggerMessage(EventId = 5020, Level = LogLevel.Information, Message = "Rebuilt escalation wake-ups from the store: {Count} incidents with a step pending")]
    public static partial void Reconciled(ILogger logger, int count);

    [LoggerMessage(EventId = 5021, Level = LogLevel.Error, Message = "Could not rebuild escalation wake-ups from the store; trying again in {RetryDelay}")]
    public static partial void ReconcileFailed(ILogger logger, Exception exception, TimeSpan retryDelay);

    [LoggerMessage(EventId = 5022, Level = LogLevel.Debug, Message = "Escalation step {Step} of {Incident} is due now; it runs on this host at once")]
    public static partial void StepRunningNow(ILogger logger, string incident, int step);

    [LoggerMessage(EventId = 5023, Level = LogLevel.Warning,
        Message = "Stopped with {Count} first escalation steps not yet run; they are pending in the store and run when a host next starts (on PostgreSQL, within about two minutes on any running host)")]
    public static partial void PromptStepsLeft(ILogger logger, int count);

    [LoggerMessage(EventId = 5024, Level = LogLevel.Warning, Message = "Gave the scheduler {Count} escalation steps overdue by more than {Grace} (queued on a host that stopped, or behind a backlog); those it already held are unchanged")]
    public static partial void OverdueRescheduled(ILogger logger, int count, TimeSpan grace);

    [LoggerMessage(EventId = 5025, Level = LogLevel.Error, Message = "Could not look for overdue escalation steps; looking again in {Interval}")]
    public static partial void SweepFailed(ILogger logger, Exception exception, TimeSpan interval);
}
