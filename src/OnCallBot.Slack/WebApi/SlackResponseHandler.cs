using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace OnCallBot.Slack.WebApi;

/// <summary>
/// The outermost Web API handler: passes on only Slack's <c>"ok": true</c> answers, and throws
/// <see cref="SlackApiException"/> for everything else, with Slack's <c>error</c> (and <c>needed</c> scope) when
/// there is one: <c>"ok": false</c>, a 429 left after <see cref="SlackRetryAfterHandler"/> (<c>ratelimited</c>, with
/// its <c>Retry-After</c>), an HTTP failure without a Slack body (<c>http_error</c>), or a 200 that is not Slack's
/// JSON (<c>invalid_response</c>). Logs Slack's <c>warning</c> on success.
/// </summary>
/// <remarks>The body is read once, here, and handed on in a fresh buffer for Refit to deserialize.</remarks>
internal sealed class SlackResponseHandler(TimeProvider timeProvider, ILogger<SlackWebApiClient> logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var passedOn = false;
        try
        {
            var method = SlackWebApiWire.MethodOf(request);
            var status = (int)response.StatusCode;
            var failedStatus = response.IsSuccessStatusCode ? (HttpStatusCode?)null : response.StatusCode;
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var retryAfter = SlackRetryAfterHandler.RetryAfterOf(response, timeProvider);
                Log.RateLimitExhausted(logger, method, retryAfter?.TotalSeconds);
                throw new SlackApiException(method, "ratelimited", retryAfter: retryAfter, statusCode: response.StatusCode);
            }

            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var unusable = response.IsSuccessStatusCode ? SlackApiException.InvalidResponseCode : SlackApiException.HttpErrorCode;
            JsonElement root;
            try
            {
                root = JsonSerializer.Deserialize<JsonElement>(bytes);
            }
            catch (JsonException)
            {
                Log.ApiFailed(logger, method, unusable, null, status);
                throw new SlackApiException(method, unusable, statusCode: failedStatus);
            }
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("ok", out var ok) || ok.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                Log.ApiFailed(logger, method, unusable, null, status);
                throw new SlackApiException(method, unusable, statusCode: failedStatus);
            }
            if (ok.ValueKind == JsonValueKind.False)
            {
                var error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()! : "unknown_error";
                var needed = root.TryGetProperty("needed", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                Log.ApiFailed(logger, method, error, needed, status);
                throw new SlackApiException(method, error, needed, statusCode: failedStatus);
            }
            if (failedStatus is not null)
            {
                // "ok": true on an HTTP failure is no answer we can trust either way.
                Log.ApiFailed(logger, method, SlackApiException.HttpErrorCode, null, status);
                throw new SlackApiException(method, SlackApiException.HttpErrorCode, statusCode: failedStatus);
            }
            if (root.TryGetProperty("warning", out var warning) && warning.ValueKind == JsonValueKind.String)
            {
                Log.ApiWarning(logger, method, warning.GetString()!);
            }

            var buffered = new ByteArrayContent(bytes);
            foreach (var (name, values) in response.Content.Headers)
            {
                // The new content knows its own length.
                if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    buffered.Headers.TryAddWithoutValidation(name, values);
                }
            }
            response.Content.Dispose();
            response.Content = buffered;
            passedOn = true;
            return response;
        }
        finally
        {
            if (!passedOn)
            {
                response.Dispose();
            }
        }
    }
}
