using System.Net;

namespace OnCallBot.Slack.WebApi;

/// <summary>
/// A Web API call that Slack refused (<c>"ok": false</c>), rate limited beyond our retries, or answered with
/// something that is not a Slack response. Carries the method and Slack's <c>error</c> code, never a token.
/// </summary>
public sealed class SlackApiException : Exception
{
    /// <summary>Our code for an HTTP failure status without a Slack error body.</summary>
    public const string HttpErrorCode = "http_error";

    /// <summary>Our code for a 200 answer that is not the JSON Slack documents.</summary>
    public const string InvalidResponseCode = "invalid_response";

    public SlackApiException(string method, string error, string? needed = null, TimeSpan? retryAfter = null, HttpStatusCode? statusCode = null)
        : base(Describe(method, error, needed, statusCode))
    {
        Method = method;
        Error = error;
        Needed = needed;
        RetryAfter = retryAfter;
        StatusCode = statusCode;
    }

    public SlackApiException()
        : this("unknown", "unknown_error")
    {
    }

    public SlackApiException(string message)
        : base(message)
    {
        Method = "unknown";
        Error = "unknown_error";
    }

    public SlackApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Method = "unknown";
        Error = "unknown_error";
    }

    /// <summary>The Web API method, e.g. <c>chat.postMessage</c>.</summary>
    public string Method { get; }

    /// <summary>Slack's error code (e.g. <c>channel_not_found</c>, <c>missing_scope</c>, <c>ratelimited</c>), or one of ours.</summary>
    public string Error { get; }

    /// <summary>For <c>missing_scope</c>: the OAuth scope the app needs.</summary>
    public string? Needed { get; }

    /// <summary>For <c>ratelimited</c>: how long Slack asked us to wait.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The HTTP status when it was not 200.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>One line for a chat user: what happened and what to do next (no codes a user cannot act on).</summary>
    public string ToUserMessage() => Error switch
    {
        "missing_scope" =>
            $"The bot lacks the Slack permission '{Needed ?? "unknown"}' for {Method}. Ask a Slack admin to add it to the app and reinstall it.",
        "not_authed" or "invalid_auth" or "token_revoked" or "token_expired" or "account_inactive" or "not_allowed_token_type" =>
            "Slack rejected the bot's credentials. Ask an admin to check Slack:BotToken (and Slack:AppToken) and restart the bot.",
        "channel_not_found" =>
            "Slack cannot find that channel, or the bot cannot see it. Invite the bot to the channel and try again.",
        "not_in_channel" =>
            "The bot is not a member of that channel. Invite it with /invite and try again.",
        "is_archived" =>
            "That channel is archived. Unarchive it or use another channel.",
        "name_taken" =>
            "A channel with that name already exists. Choose another name.",
        "invalid_name_specials" or "invalid_name_punctuation" or "invalid_name_maxlength" or "invalid_name_required" or "invalid_name" =>
            "Slack refused the channel name. Use lowercase letters, digits, hyphens and underscores, at most 80 characters.",
        "user_not_found" or "users_not_found" =>
            "Slack has no such user in this workspace. Check the user or email and try again.",
        "cant_invite_self" =>
            "The bot cannot invite itself to a channel; it is added when it creates one.",
        "already_in_channel" =>
            "That person is already in the channel.",
        "restricted_action" =>
            "A workspace setting prevents the bot from doing that. Ask a Slack admin to allow it.",
        "ratelimited" =>
            "Slack is rate limiting the bot right now. Wait a minute and try again.",
        _ =>
            $"Slack refused {Method} ({Error}). Try again, and tell the on-call admins if it keeps failing.",
    };

    private static string Describe(string method, string error, string? needed, HttpStatusCode? statusCode)
    {
        var text = $"Slack API {method} failed: {error}";
        if (needed is not null)
        {
            text += $" (needed scope: {needed})";
        }
        if (statusCode is { } status)
        {
            text += $" (HTTP {(int)status})";
        }
        return text;
    }
}
