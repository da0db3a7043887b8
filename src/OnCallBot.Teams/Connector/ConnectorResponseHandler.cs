using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace OnCallBot.Teams.Connector;

/// <summary>
/// The outermost Connector handler: passes on 2xx answers and throws <see cref="TeamsApiException"/> for everything
/// else, with the Connector's error code (see <see cref="ConnectorError.Read"/>) and, for a 429 or 503 left after
/// <see cref="TeamsRetryHandler"/>, its <c>Retry-After</c>.
/// </summary>
internal sealed class ConnectorResponseHandler(TimeProvider timeProvider, ILogger<TeamsConnectorClient> logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        using (response)
        {
            var operation = ConnectorWire.OperationOf(request);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var (code, detail) = ConnectorError.Read(body, response.StatusCode);
            Log.ConnectorFailed(logger, operation, code, (int)response.StatusCode, detail);
            throw new TeamsApiException(operation, code, response.StatusCode, detail, TeamsRetryHandler.RetryAfterOf(response, timeProvider));
        }
    }
}

/// <summary>Reads the error code out of a Bot Connector failure, in the shapes Teams answers with.</summary>
internal static class ConnectorError
{
    /// <summary>The longest service message kept in an exception or a log line.</summary>
    public const int MaxDetailLength = 300;

    /// <summary>
    /// The code and message of a failure body. Shapes seen: the documented <c>{"error":{"code","message"}}</c>; Teams'
    /// <c>{"errorCode":209,"message":"{\"subCode\":\"MessageWritesBlocked\",...}"}</c>, whose message is itself JSON with
    /// the specific <c>subCode</c> (preferred over a generic code); and no JSON at all, where the HTTP status names the code.
    /// </summary>
    public static (string Code, string? Detail) Read(byte[] body, HttpStatusCode status)
    {
        string? code = null;
        string? message = null;
        if (TryParseObject(body, out var root))
        {
            var error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? e : root;
            code = StringOf(error, "code") ?? StringOf(root, "subCode");
            message = StringOf(error, "message");
            if (message is not null && TryParseObject(System.Text.Encoding.UTF8.GetBytes(message), out var inner))
            {
                code = StringOf(inner, "subCode") ?? StringOf(inner, "code") ?? code;
                message = StringOf(inner, "details") ?? StringOf(inner, "message") ?? message;
            }
        }
        return (code ?? CodeOf(status), message is null ? null : OneLine(message));
    }

    /// <summary>Our name for a status whose body names no code.</summary>
    internal static string CodeOf(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized => "Unauthorized",
        HttpStatusCode.Forbidden => "Forbidden",
        HttpStatusCode.NotFound => "NotFound",
        HttpStatusCode.RequestEntityTooLarge => "MessageSizeTooBig",
        HttpStatusCode.TooManyRequests => "Throttled",
        _ when (int)status >= 500 => "ServiceError",
        _ => TeamsApiException.HttpErrorCode,
    };

    internal static string OneLine(string text)
    {
        var line = string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (line.Length <= MaxDetailLength)
        {
            return line;
        }
        var cut = MaxDetailLength - 1;
        return line[..(char.IsHighSurrogate(line[cut - 1]) ? cut - 1 : cut)] + "…";
    }

    private static bool TryParseObject(byte[] json, out JsonElement root)
    {
        root = default;
        if (json.Length == 0)
        {
            return false;
        }
        try
        {
            root = JsonSerializer.Deserialize<JsonElement>(json);
            return root.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? StringOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
