using Microsoft.Extensions.Logging;

namespace OnCallBot.Slack;

/// <summary>The Slack paging feature's log messages (the same <c>Log</c> class as the transport's).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1400, Level = LogLevel.Error, Message = "Slack background work failed: {What}")]
    public static partial void BackgroundWorkFailed(ILogger logger, Exception exception, string what);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "Slack refused a response_url post with HTTP {StatusCode}: {Answer}")]
    public static partial void ResponseUrlRefused(ILogger logger, int statusCode, string answer);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information,
        Message = "Slack {Command} by {SlackUserId}: {Outcome}")]
    public static partial void PagingCommandHandled(ILogger logger, string command, string slackUserId, string outcome);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Information,
        Message = "Slack button {ActionId} on incident {IncidentNumber} by {SlackUserId}: {Outcome}")]
    public static partial void PagingActionHandled(ILogger logger, string actionId, long incidentNumber, string slackUserId, string outcome);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Warning,
        Message = "Slack {What} took longer than {DeadlineMs} ms; answered at once and will post the outcome to the response_url")]
    public static partial void AnsweringLater(ILogger logger, string what, double deadlineMs);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Warning, Message = "Could not tell Slack user {SlackUserId} the outcome of {What}")]
    public static partial void FollowUpFailed(ILogger logger, Exception exception, string slackUserId, string what);

    [LoggerMessage(EventId = 1406, Level = LogLevel.Debug, Message = "Slack button {ActionId} is not a paging action; acknowledged and ignored")]
    public static partial void UnknownAction(ILogger logger, string actionId);
}
