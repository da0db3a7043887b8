using System.Net;

namespace OnCallBot.Teams.Connector;

/// <summary>
/// A Bot Connector or token call that failed: refused by the service (with its error code, e.g.
/// <c>MessageWritesBlocked</c>, <c>ConversationNotFound</c>, <c>invalid_client</c>), rate limited or failing beyond our
/// retries, answered with something that is not the service's JSON, or refused by us before any request (an untrusted
/// service URL, Teams off). Carries the operation, the code and the HTTP status, never a token or the secret.
/// </summary>
public sealed class TeamsApiException : Exception
{
    /// <summary>Ours: the service URL was not proven by a validated inbound activity; nothing was sent.</summary>
    public const string UntrustedServiceUrlCode = "UntrustedServiceUrl";

    /// <summary>Ours: Teams:AppId or Teams:AppPassword is not set; nothing was sent.</summary>
    public const string TeamsOffCode = "TeamsOff";

    /// <summary>Ours: a 2xx answer without the fields the service documents.</summary>
    public const string InvalidResponseCode = "InvalidResponse";

    /// <summary>Ours: an HTTP failure whose body names no error code.</summary>
    public const string HttpErrorCode = "HttpError";

    /// <summary>The token operation's name, as in <see cref="Operation"/>.</summary>
    public const string TokenOperation = "get a token";

    public TeamsApiException(string operation, string code, HttpStatusCode? statusCode = null, string? detail = null, TimeSpan? retryAfter = null)
        : base(Describe(operation, code, statusCode, detail))
    {
        Operation = operation;
        Code = code;
        StatusCode = statusCode;
        Detail = detail;
        RetryAfter = retryAfter;
    }

    public TeamsApiException()
        : this("unknown", HttpErrorCode)
    {
    }

    public TeamsApiException(string message)
        : base(message)
    {
        Operation = "unknown";
        Code = HttpErrorCode;
    }

    public TeamsApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Operation = "unknown";
        Code = HttpErrorCode;
    }

    /// <summary>What was being done, in words: <c>send a message</c>, <c>reply</c>, <c>update a message</c>, <c>create a conversation</c>, <see cref="TokenOperation"/>.</summary>
    public string Operation { get; }

    /// <summary>The service's error code (the Connector's <c>error.code</c> or <c>subCode</c>, the identity platform's <c>error</c>), or one of ours.</summary>
    public string Code { get; }

    /// <summary>The HTTP status, when there was an answer.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The service's own message (one line, cut), or our explanation; never a secret.</summary>
    public string? Detail { get; }

    /// <summary>For a 429 or 503 left after our retries: how long the service asked us to wait.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>True when the person blocked or uninstalled the bot: a retry cannot succeed until they undo it.</summary>
    public bool IsBlockedByUser => Code is "MessageWritesBlocked" or "ConversationBlockedByUser";

    /// <summary>One line for a chat user or the audit trail: what happened and what to do next.</summary>
    public string ToUserMessage() => Code switch
    {
        "MessageWritesBlocked" or "ConversationBlockedByUser" =>
            "The person has blocked or uninstalled the bot in Teams, so the message was not delivered; ask them to unblock it, or reach them another way.",
        "BotNotInConversationRoster" =>
            "The bot is no longer in that Teams conversation (removed from the team or chat); add the OnCallBot app back and try again.",
        "BotDisabledByAdmin" =>
            "A Teams admin has blocked the OnCallBot app; ask them to allow it in the Teams admin center.",
        "ConversationNotFound" =>
            "Teams cannot find that conversation (deleted, or the bot was removed from it); add the app again or use another chat.",
        "ActivityNotFoundInConversation" =>
            "Teams cannot find that message any more (it was deleted); a new one has to be sent.",
        "MessageSizeTooBig" =>
            "The message is too large for Teams; tell the on-call admins, as the bot should have shortened it.",
        UntrustedServiceUrlCode =>
            "The bot has no verified Teams request from that Teams service yet, so it sends nothing there; message the bot in Teams once, then try again.",
        TeamsOffCode =>
            "Teams is off: an admin has to set Teams:AppId and Teams:AppPassword and restart the bot.",
        "invalid_client" =>
            "Microsoft Entra refused the bot's client secret: an admin has to put the current secret of the Teams:AppId app in Teams:AppPassword and restart the bot.",
        "unauthorized_client" =>
            "Microsoft Entra does not know the bot's app: an admin has to check Teams:AppId (and Teams:TenantId for a single-tenant bot).",
        "invalid_request" when Detail?.Contains("AADSTS90002", StringComparison.Ordinal) == true =>
            "Microsoft Entra does not know the tenant in Teams:TenantId: an admin has to correct it (or empty it for a multi-tenant bot).",
        _ when Operation == TokenOperation && StatusCode is not null && (int)StatusCode < 500 && StatusCode != HttpStatusCode.TooManyRequests =>
            $"Microsoft Entra refused the bot's token request ({Code}): an admin has to check Teams:AppId, Teams:AppPassword and Teams:TenantId.",
        _ => StatusCode switch
        {
            HttpStatusCode.Unauthorized =>
                "The Bot Connector refused the bot's credentials: an admin has to check Teams:AppId, Teams:AppPassword and Teams:TenantId.",
            HttpStatusCode.Forbidden =>
                $"Teams did not let the bot {Operation} ({Code}); check that the OnCallBot app is installed where it posts.",
            HttpStatusCode.NotFound =>
                $"Teams cannot find that conversation or message ({Code}); it may have been deleted, or the bot removed from it.",
            HttpStatusCode.RequestEntityTooLarge =>
                "The message is too large for Teams; tell the on-call admins, as the bot should have shortened it.",
            HttpStatusCode.TooManyRequests =>
                "Teams is rate limiting the bot right now; wait a minute and try again.",
            { } status when (int)status >= 500 =>
                $"Teams failed to {Operation} (HTTP {(int)status}, {Code}); try again, and tell the on-call admins if it keeps failing.",
            _ => $"Teams refused to {Operation} ({Code}); try again, and tell the on-call admins if it keeps failing.",
        },
    };

    private static string Describe(string operation, string code, HttpStatusCode? statusCode, string? detail)
    {
        var text = $"Teams could not {operation}: {code}";
        if (statusCode is { } status)
        {
            text += $" (HTTP {(int)status})";
        }
        if (!string.IsNullOrEmpty(detail))
        {
            text += $": {detail}";
        }
        return text;
    }
}
