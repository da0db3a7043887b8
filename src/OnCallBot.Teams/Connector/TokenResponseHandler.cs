using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OnCallBot.Teams.Connector;

/// <summary>
/// The outermost token-client handler: names the request's operation for the handlers inside it, passes on 2xx
/// answers, and throws <see cref="TeamsApiException"/> for a refusal with the identity platform's <c>error</c>
/// (<c>invalid_client</c>, <c>unauthorized_client</c>, ...) and its AADSTS code, so the message can name the setting to fix.
/// </summary>
/// <remarks>
/// Only the first line of <c>error_description</c> is kept (the rest is trace and correlation ids), and the secret is
/// cut out of it should the service ever echo it.
/// </remarks>
internal sealed partial class TokenResponseHandler(IOptionsMonitor<TeamsOptions> options, TimeProvider timeProvider, ILogger<BotTokenProvider> logger)
    : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Options.Set(ConnectorWire.Operation, TeamsApiException.TokenOperation);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var (code, detail) = Read(body, options.CurrentValue.AppPassword);
            code ??= ConnectorError.CodeOf(response.StatusCode);
            Log.TokenRequestFailed(logger, code, AadCode().Match(detail ?? string.Empty).Value, (int)response.StatusCode);
            throw new TeamsApiException(TeamsApiException.TokenOperation, code, response.StatusCode, detail, TeamsRetryHandler.RetryAfterOf(response, timeProvider));
        }
    }

    internal static (string? Code, string? Detail) Read(byte[] body, string? secret)
    {
        JsonElement root;
        try
        {
            root = body.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(body);
        }
        catch (JsonException)
        {
            return (null, null);
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, null);
        }
        var code = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        var description = root.TryGetProperty("error_description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        if (description is null)
        {
            return (code, null);
        }
        var firstLine = description.Split(['\r', '\n'], 2)[0];
        if (!string.IsNullOrEmpty(secret))
        {
            firstLine = firstLine.Replace(secret, "<redacted>", StringComparison.Ordinal);
        }
        return (code, ConnectorError.OneLine(firstLine));
    }

    [GeneratedRegex(@"AADSTS\d+")]
    private static partial Regex AadCode();
}
