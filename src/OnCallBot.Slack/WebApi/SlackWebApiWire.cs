using System.Text.Json;
using System.Text.Json.Serialization;
using Refit;

namespace OnCallBot.Slack.WebApi;

/// <summary>How <see cref="ISlackWebApi"/> requests are written and read, and what the handlers behind it need to know of a request.</summary>
internal static class SlackWebApiWire
{
    /// <summary>The request option (a Refit <c>[Property]</c>) naming the channel a call is paced by.</summary>
    public const string PacingChannelKey = "OnCallBot.Slack.PacingChannel";

    public static readonly HttpRequestOptionsKey<string> PacingChannel = new(PacingChannelKey);

    /// <summary>Slack's field names are snake_case; an optional argument left null is not sent at all.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static RefitSettings CreateRefitSettings() => new(new SystemTextJsonContentSerializer(Json))
    {
        // Bodies are small: serialize them whole and send a Content-Length, as Slack's own SDKs do, not chunked.
        Buffered = true,
        // Form fields get the same snake_case names as JSON ones (Email -> email).
        UrlParameterKeyFormatter = new SnakeCaseUrlParameterKeyFormatter(),
        // The handlers throw SlackApiException, and callers catch HttpRequestException and timeouts as HttpClient
        // throws them: Refit passes every failure on as it is instead of wrapping it in its own ApiRequestException.
        TransportExceptionFactory = (_, exception, _) => exception,
        // An "ok": true answer whose fields have the wrong JSON types is not the Slack response we know.
        DeserializationExceptionFactory = (response, _) => ValueTask.FromResult<Exception?>(
            new SlackApiException(MethodOf(response.RequestMessage), SlackApiException.InvalidResponseCode + ": unreadable body")),
    };

    /// <summary>The Slack method a request calls: the last segment of its path (<c>.../api/chat.postMessage</c>).</summary>
    public static string MethodOf(HttpRequestMessage? request)
    {
        var uri = request?.RequestUri;
        var path = uri is null ? string.Empty : uri.IsAbsoluteUri ? uri.AbsolutePath : uri.OriginalString;
        return path[(path.LastIndexOf('/') + 1)..] is { Length: > 0 } method ? method : "unknown";
    }
}
