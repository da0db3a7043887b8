using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Refit;

namespace OnCallBot.Teams.Connector;

/// <summary>How Bot Connector requests are written and read, and what the handlers behind the client need to know of a request.</summary>
internal static class ConnectorWire
{
    /// <summary>The request property (a Refit <c>[Property]</c>) holding the conversation's service URL.</summary>
    public const string ServiceUrlKey = "OnCallBot.Teams.ServiceUrl";

    public static readonly HttpRequestOptionsKey<Uri> ServiceUrl = new(ServiceUrlKey);

    /// <summary>Set by a client's outermost handler when the path alone does not say what a request does (the token call).</summary>
    public static readonly HttpRequestOptionsKey<string> Operation = new("OnCallBot.Teams.Operation");

    /// <summary>
    /// The client's base address. Refit needs one, but every request's real base is its conversation's service URL,
    /// put in by <see cref="ConnectorServiceUrlHandler"/>; a request that somehow skipped it goes nowhere (.invalid).
    /// </summary>
    public static readonly Uri PlaceholderBaseAddress = new("https://service-url.invalid/");

    /// <summary>
    /// The Bot Framework's field names are camelCase; an optional field left null is not sent. Text is written as
    /// UTF-8, not \u escapes: a card's size counts against Teams' message limit, and the body never lands in HTML.
    /// </summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static RefitSettings CreateRefitSettings() => new(new SystemTextJsonContentSerializer(Json))
    {
        // Serialized whole, with a Content-Length, so a retry can send the same bytes again.
        Buffered = true,
        // The handlers throw TeamsApiException, and transport failures stay HttpRequestException: Refit passes
        // every failure on as it is instead of wrapping it.
        TransportExceptionFactory = (_, exception, _) => exception,
        DeserializationExceptionFactory = (response, _) => ValueTask.FromResult<Exception?>(
            new TeamsApiException(OperationOf(response.RequestMessage), TeamsApiException.InvalidResponseCode, response.StatusCode, "unreadable body")),
    };

    /// <summary>What a request does, in words, from its method and path (for errors and logs).</summary>
    public static string OperationOf(HttpRequestMessage? request)
    {
        if (request is not null && request.Options.TryGetValue(Operation, out var named))
        {
            return named;
        }
        var path = request?.RequestUri is { } uri ? (uri.IsAbsoluteUri ? uri.AbsolutePath : uri.OriginalString) : string.Empty;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var conversations = Array.LastIndexOf(segments, "conversations");
        var tail = conversations < 0 ? 0 : segments.Length - conversations - 1;
        return (request?.Method.Method, tail) switch
        {
            ("POST", 0) => "create a conversation",
            ("POST", 2) => "send a message",
            ("POST", 3) => "reply",
            ("PUT", 3) => "update a message",
            ("DELETE", 3) => "delete a message",
            _ => "call the Bot Connector",
        };
    }
}
