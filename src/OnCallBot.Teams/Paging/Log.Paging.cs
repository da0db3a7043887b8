using Microsoft.Extensions.Logging;

namespace OnCallBot.Teams;

/// <summary>The Teams adapter's log messages (this part: commands and card clicks, event ids 3600-3699).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3600, Level = LogLevel.Information, Message = "Teams command {Command} from {UserId}: {Outcome}")]
    public static partial void TeamsCommandHandled(ILogger logger, string command, string? userId, string outcome);

    [LoggerMessage(EventId = 3601, Level = LogLevel.Information, Message = "Teams card action {Verb} on incident {IncidentNumber} by {UserId}: {Outcome}")]
    public static partial void TeamsCardActionHandled(ILogger logger, string verb, long incidentNumber, string? userId, string outcome);

    [LoggerMessage(EventId = 3602, Level = LogLevel.Warning, Message = "Teams: could not reply in conversation {ConversationId}: {Reason}")]
    public static partial void TeamsReplyFailed(ILogger logger, Exception exception, string? conversationId, string reason);

    [LoggerMessage(EventId = 3603, Level = LogLevel.Information, Message = "Teams card action {Verb} is not one OnCallBot acts on (data: incident {Incident})")]
    public static partial void TeamsUnknownCardAction(ILogger logger, string? verb, string incident);
}
