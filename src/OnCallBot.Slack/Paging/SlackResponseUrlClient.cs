using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace OnCallBot.Slack.Paging;

/// <summary>
/// Posts follow-up messages to a command's or interaction's <c>response_url</c> (typed <c>HttpClient</c>, no bot
/// token: the URL itself is the credential). Slack accepts at most 5 posts per URL within 30 minutes.
/// </summary>
internal sealed class SlackResponseUrlClient
{
    private readonly HttpClient _http;
    private readonly ILogger<SlackResponseUrlClient> _logger;

    public SlackResponseUrlClient(HttpClient http, ILogger<SlackResponseUrlClient> logger)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(logger);
        _http = http;
        _logger = logger;
    }

    /// <summary>
    /// Posts a message only the acting user sees (or everyone in the channel when <paramref name="inChannel"/>);
    /// returns false, after logging why, when Slack refused it (an expired or used-up URL).
    /// </summary>
    public async Task<bool> PostAsync(Uri responseUrl, string text, JsonElement? blocks, bool inChannel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(responseUrl);
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        // The URL came in a request whose signature was verified (or over the authenticated Socket Mode link), so it
        // is Slack's; anything else is refused rather than posted to.
        if (!responseUrl.IsAbsoluteUri || (responseUrl.Scheme != Uri.UriSchemeHttps && responseUrl.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"'{responseUrl}' is not an http(s) response_url.", nameof(responseUrl));
        }
        var body = new JsonObject
        {
            ["response_type"] = inChannel ? "in_channel" : "ephemeral",
            ["replace_original"] = false,
            ["text"] = text,
        };
        if (blocks is { } value)
        {
            body["blocks"] = JsonNode.Parse(value.GetRawText());
        }
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(responseUrl, content, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return true;
        }
        var answer = await response.Content.ReadAsStringAsync(cancellationToken);
        Log.ResponseUrlRefused(_logger, (int)response.StatusCode, answer.Length > 200 ? answer[..200] : answer);
        return false;
    }
}
