using Microsoft.Extensions.Logging;
using OnCallBot.Slack.Inbound;

namespace OnCallBot.Slack;

/// <summary>The Slack transport's log messages. Never a token, secret, signature or payload above Trace.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information,
        Message = "Slack is off: set Slack:BotToken and Slack:SigningSecret (HTTP) or Slack:AppToken (Socket Mode) to turn it on")]
    public static partial void SlackOff(ILogger logger);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Slack is on: HTTP endpoints {HttpEnabled}, Socket Mode {SocketModeEnabled}")]
    public static partial void SlackOn(ILogger logger, bool httpEnabled, bool socketModeEnabled);

    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning,
        Message = "Refused Slack request to {Path} from {RemoteIp}: {Failure} ({Reason})")]
    public static partial void VerificationFailed(ILogger logger, string path, SlackVerificationFailure failure, string reason, string? remoteIp);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Malformed Slack payload on {Path}: {Problem}")]
    public static partial void MalformedPayload(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Slack request to {Path} is larger than {Limit} bytes; refused")]
    public static partial void RequestTooLarge(ILogger logger, string path, int limit);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Error, Message = "Slack request to {Path} cannot be handled: {Problem}")]
    public static partial void PartMissing(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Error, Message = "The Slack handler failed on {Path}")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Error, Message = "The Slack handler failed on command {Command}; the user was told")]
    public static partial void CommandHandlerFailed(ILogger logger, Exception exception, string command);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Debug, Message = "Slack envelope of type {Type} is not handled; acknowledged")]
    public static partial void UnhandledEventEnvelope(ILogger logger, string type);

    [LoggerMessage(EventId = 1110, Level = LogLevel.Debug,
        Message = "Slack command {Command} from team {TeamId} in {ChannelId} (retry {RetryAttempt})")]
    public static partial void CommandReceived(ILogger logger, string command, string teamId, string channelId, int retryAttempt);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Debug,
        Message = "Slack interaction {Type} from team {TeamId} with {ActionCount} action(s) (retry {RetryAttempt})")]
    public static partial void InteractionReceived(ILogger logger, string type, string? teamId, int actionCount, int retryAttempt);

    [LoggerMessage(EventId = 1112, Level = LogLevel.Debug,
        Message = "Slack event {EventId} of type {Type} from team {TeamId} (retry {RetryAttempt})")]
    public static partial void EventReceived(ILogger logger, string eventId, string type, string? teamId, int retryAttempt);

    [LoggerMessage(EventId = 1113, Level = LogLevel.Information,
        Message = "Dropped Slack {What}: already received as {RequestKey} (retry {RetryAttempt}, reason {RetryReason})")]
    public static partial void DuplicateRequestDropped(ILogger logger, string what, string requestKey, int retryAttempt, string? retryReason);

    [LoggerMessage(EventId = 1116, Level = LogLevel.Error,
        Message = "Could not forget Slack {What} ({RequestKey}) after its handler failed with {Failure}; Slack's redelivery of it will be dropped")]
    public static partial void ReleaseFailed(ILogger logger, Exception exception, string what, string requestKey, string failure);

    [LoggerMessage(EventId = 1115, Level = LogLevel.Warning,
        Message = "Slack interaction {Type} carried {ActionCount} actions; Slack sends one per click, so only the first is acted on")]
    public static partial void ExtraActionsIgnored(ILogger logger, string type, int actionCount);

    [LoggerMessage(EventId = 1114, Level = LogLevel.Warning,
        Message = "The Slack handler took {ElapsedMs:F0} ms for {What}; Slack gives up after 3000 ms, so move slow work after the answer")]
    public static partial void SlowHandler(ILogger logger, string what, double elapsedMs);

    [LoggerMessage(EventId = 1200, Level = LogLevel.Debug, Message = "Calling Slack {Method}")]
    public static partial void ApiCall(ILogger logger, string method);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning,
        Message = "Slack {Method} failed: {Error} (needed scope {Needed}, HTTP {StatusCode})")]
    public static partial void ApiFailed(ILogger logger, string method, string error, string? needed, int statusCode);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Slack rate limited {Method}; retry {Attempt} in {DelaySeconds:F1} s")]
    public static partial void RateLimited(ILogger logger, string method, double delaySeconds, int attempt);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Error,
        Message = "Slack rate limited {Method} beyond our retries (Retry-After {RetryAfterSeconds} s)")]
    public static partial void RateLimitExhausted(ILogger logger, string method, double? retryAfterSeconds);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Information, Message = "Slack {Method} succeeded with a warning: {Warning}")]
    public static partial void ApiWarning(ILogger logger, string method, string warning);

    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Slack Socket Mode starting")]
    public static partial void SocketModeStarting(ILogger logger);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Slack Socket Mode connection {Connection} is up")]
    public static partial void SocketModeConnected(ILogger logger, int connection);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information,
        Message = "Slack asked Socket Mode connection {Connection} to disconnect ({Reason}); opening a new one")]
    public static partial void SocketModeDisconnectRequested(ILogger logger, int connection, string reason);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning,
        Message = "Slack Socket Mode connection {Connection} dropped (close status {CloseStatus}: {CloseDescription})")]
    public static partial void SocketModeDropped(ILogger logger, int connection, string? closeStatus, string? closeDescription);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Warning,
        Message = "Slack Socket Mode connection attempt failed ({Failures} in a row): {Problem}")]
    public static partial void SocketModeConnectionFailed(ILogger logger, Exception exception, int failures, string problem);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Information,
        Message = "Slack Socket Mode reconnecting in {DelaySeconds:F1} s ({Failures} failed attempt(s) in a row)")]
    public static partial void SocketModeReconnecting(ILogger logger, double delaySeconds, int failures);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Information, Message = "Slack Socket Mode stopped")]
    public static partial void SocketModeStopped(ILogger logger);

    [LoggerMessage(EventId = 1307, Level = LogLevel.Warning, Message = "Slack Socket Mode connection {Connection} failed to receive")]
    public static partial void SocketModeReceiveFailed(ILogger logger, Exception exception, int connection);

    [LoggerMessage(EventId = 1308, Level = LogLevel.Warning, Message = "Slack Socket Mode connection {Connection} got an unusable message: {Problem}")]
    public static partial void SocketModeBadMessage(ILogger logger, int connection, string problem);

    [LoggerMessage(EventId = 1309, Level = LogLevel.Error,
        Message = "The Slack handler failed on Socket Mode envelope {EnvelopeId} of type {Type}; not acknowledged")]
    public static partial void SocketModeEnvelopeFailed(ILogger logger, Exception exception, string type, string envelopeId);

    [LoggerMessage(EventId = 1310, Level = LogLevel.Warning, Message = "Slack Socket Mode connection {Connection} failed to send an acknowledgement")]
    public static partial void SocketModeAckFailed(ILogger logger, Exception exception, int connection);
}
