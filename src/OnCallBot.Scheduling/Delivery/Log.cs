using Microsoft.Extensions.Logging;

namespace OnCallBot.Scheduling.Delivery;

/// <summary>The outbox worker's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5200, Level = LogLevel.Warning,
        Message = "Outbox work {Kind} #{ItemId} for incident {Incident} on {Platform} failed (attempt {Attempt}); it stays in the outbox")]
    public static partial void WorkFaulted(ILogger logger, Exception exception, string kind, long itemId, long incident, string platform, int attempt);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Error, Message = "The outbox could not be read; trying again in {Delay}")]
    public static partial void DispatchFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Information, Message = "Outbox worker started for {Platforms}")]
    public static partial void WorkerStarted(ILogger logger, string platforms);
}
