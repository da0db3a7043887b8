using Microsoft.Extensions.Logging;

namespace OnCallBot.Teams;

/// <summary>The Teams adapter's log messages (this part: the Bot Connector and token clients, event ids 3400-3499). Never a token or the secret.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3400, Level = LogLevel.Debug, Message = "Teams: calling the Bot Connector to {Operation} at {ServiceHost}")]
    public static partial void ConnectorCall(ILogger logger, string operation, string serviceHost);

    [LoggerMessage(EventId = 3401, Level = LogLevel.Warning, Message = "Teams: the Bot Connector refused to {Operation}: {Code} (HTTP {StatusCode}): {Detail}")]
    public static partial void ConnectorFailed(ILogger logger, string operation, string code, int statusCode, string? detail);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Warning, Message = "Teams: {Operation} got HTTP {StatusCode}; retry {Attempt} in {DelaySeconds:F1} s")]
    public static partial void Retrying(ILogger logger, string operation, int statusCode, int attempt, double delaySeconds);

    [LoggerMessage(EventId = 3403, Level = LogLevel.Warning,
        Message = "Teams: refused to {Operation} at {ServiceHost}: no validated activity came from that service URL; nothing was sent")]
    public static partial void UntrustedServiceUrl(ILogger logger, string operation, string serviceHost);

    [LoggerMessage(EventId = 3404, Level = LogLevel.Information,
        Message = "Teams: the Bot Connector refused the bot's token on {Operation} (HTTP 401); the next call fetches a new one")]
    public static partial void TokenRefused(ILogger logger, string operation);

    [LoggerMessage(EventId = 3410, Level = LogLevel.Information, Message = "Teams: got a Bot Framework token for app {AppId}, valid for {LifetimeSeconds} s")]
    public static partial void TokenFetched(ILogger logger, string appId, long lifetimeSeconds);

    [LoggerMessage(EventId = 3411, Level = LogLevel.Error,
        Message = "Teams: Microsoft Entra refused the bot's token request: {Code} {AadCode} (HTTP {StatusCode}); check Teams:AppId, Teams:AppPassword and Teams:TenantId")]
    public static partial void TokenRequestFailed(ILogger logger, string code, string aadCode, int statusCode);
}
