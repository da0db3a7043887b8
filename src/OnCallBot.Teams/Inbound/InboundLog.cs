using Microsoft.Extensions.Logging;

namespace OnCallBot.Teams;

/// <summary>The Teams inbound transport's log messages (event ids 3500-3599). Never a token, secret or payload above Trace.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3500, Level = LogLevel.Warning,
        Message = "Refused Teams request to {Path} from {RemoteIp} with {StatusCode}: {Failure} ({Reason})")]
    public static partial void TeamsRequestRefused(ILogger logger, string path, string? remoteIp, int statusCode, Inbound.TeamsAuthFailure failure, string reason);

    [LoggerMessage(EventId = 3501, Level = LogLevel.Warning, Message = "Malformed Teams activity on {Path}: {Problem}")]
    public static partial void MalformedActivity(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 3502, Level = LogLevel.Warning, Message = "Teams request to {Path} is larger than {Limit} bytes; refused")]
    public static partial void TeamsRequestTooLarge(ILogger logger, string path, int limit);

    [LoggerMessage(EventId = 3503, Level = LogLevel.Error, Message = "The Teams activity handler failed on a {Type} activity {ActivityId}")]
    public static partial void ActivityHandlerFailed(ILogger logger, Exception exception, string type, string? activityId);

    [LoggerMessage(EventId = 3504, Level = LogLevel.Error,
        Message = "Cannot fetch the Bot Framework OpenID metadata and signing keys from {MetadataUrl}; Teams requests are refused with 503 until it answers")]
    public static partial void MetadataUnavailable(ILogger logger, Exception exception, Uri metadataUrl);

    [LoggerMessage(EventId = 3505, Level = LogLevel.Information,
        Message = "A Teams request is signed with key {KeyId}, which the cached Bot Framework key set lacks: fetching the key set again")]
    public static partial void UnknownSigningKeyRefresh(ILogger logger, string keyId);

    [LoggerMessage(EventId = 3506, Level = LogLevel.Information,
        Message = "Teams {Type} activity {ActivityId} from {FromId} in conversation {ConversationId} ({ConversationType})")]
    public static partial void ActivityReceived(ILogger logger, string type, string? activityId, string? fromId, string? conversationId, string? conversationType);

    [LoggerMessage(EventId = 3507, Level = LogLevel.Information,
        Message = "Teams {Type} activity in conversation {ConversationId} (tenant {TenantId}) taken; no Teams command handler is registered yet")]
    public static partial void ActivityNotHandled(ILogger logger, string type, string conversationId, string tenantId);

    [LoggerMessage(EventId = 3508, Level = LogLevel.Warning,
        Message = "Teams invoke {Name} in conversation {ConversationId} answered 501: no Teams handler acts on invokes yet")]
    public static partial void InvokeNotHandled(ILogger logger, string name, string conversationId);

    [LoggerMessage(EventId = 3509, Level = LogLevel.Information, Message = "Trusting Teams service URL {ServiceUrl} for outbound calls (seen on a validated activity)")]
    public static partial void ServiceUrlTrusted(ILogger logger, Uri serviceUrl);
}
