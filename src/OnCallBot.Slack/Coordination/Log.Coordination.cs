using Microsoft.Extensions.Logging;

namespace OnCallBot.Slack;

/// <summary>The Slack incident-coordination feature's log messages (the same <c>Log</c> class as the transport's).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1500, Level = LogLevel.Warning,
        Message = "The card of {Incident} was posted in {ChannelId} but could not be pinned: {Problem}")]
    public static partial void CardNotPinned(ILogger logger, Exception exception, string incident, string channelId, string problem);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Information,
        Message = "Slack button {ActionId} on incident {IncidentNumber} by {SlackUserId}: {Outcome}")]
    public static partial void RoleActionHandled(ILogger logger, string actionId, long incidentNumber, string slackUserId, string outcome);
}
