using Microsoft.Extensions.Logging;

namespace OnCallBot.Scheduling;

/// <summary>The scheduling project's log messages: those of incident coordination's timers.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5100, Level = LogLevel.Debug, Message = "Scheduled {Work} of {Incident} at {DueAt}")]
    public static partial void CoordinationScheduled(ILogger logger, string work, string incident, DateTimeOffset dueAt);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Debug, Message = "Cancelled the pending status reminder of {Incident}: {Removed}")]
    public static partial void StatusReminderCancelled(ILogger logger, string incident, bool removed);

    [LoggerMessage(EventId = 5110, Level = LogLevel.Information, Message = "Ran {Work} of {Incident}, {Lateness} after it was due")]
    public static partial void CoordinationRan(ILogger logger, string work, string incident, TimeSpan lateness);

    [LoggerMessage(EventId = 5111, Level = LogLevel.Error, Message = "{Work} of {Incident} failed ({Lateness} after it was due); it will be tried again")]
    public static partial void CoordinationFailed(ILogger logger, Exception exception, string work, string incident, TimeSpan lateness);

    [LoggerMessage(EventId = 5112, Level = LogLevel.Warning, Message = "{Work} of {Incident} was interrupted by shutdown; it is handed back to the scheduler")]
    public static partial void CoordinationInterrupted(ILogger logger, string work, string incident);

    [LoggerMessage(EventId = 5113, Level = LogLevel.Warning, Message = "{Work} of {Incident} will be tried again at {RetryAt}")]
    public static partial void CoordinationRetryScheduled(ILogger logger, string work, string incident, DateTimeOffset retryAt);

    [LoggerMessage(EventId = 5114, Level = LogLevel.Information,
        Message = "{Work} of {Incident} failed after scheduling its next run at {PendingAt}; that run is kept instead of a retry")]
    public static partial void CoordinationSuccessorKept(ILogger logger, string work, string incident, DateTimeOffset pendingAt);

    [LoggerMessage(EventId = 5115, Level = LogLevel.Critical,
        Message = "Could not reschedule {Work} of {Incident} after it failed; it will not run again unless someone acts on the incident")]
    public static partial void CoordinationRetryNotScheduled(ILogger logger, Exception exception, string work, string incident);

    [LoggerMessage(EventId = 5116, Level = LogLevel.Error, Message = "{Work} wake-up {TriggerKey} carries no valid incident number and due time; it is dropped")]
    public static partial void CoordinationWakeUpUnreadable(ILogger logger, string work, string triggerKey);
}
