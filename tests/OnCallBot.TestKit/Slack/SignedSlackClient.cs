using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace OnCallBot.TestKit.Slack;

/// <summary>
/// Sends requests to a bot the way Slack does: form-encoded slash commands and <c>block_actions</c> payloads,
/// signed with v0 HMAC-SHA256 over <c>v0:{timestamp}:{body}</c>. The signature is computed here, independently
/// of the bot's own verifier, so a test can catch the verifier being wrong.
/// </summary>
public sealed class SignedSlackClient(Uri botBaseUrl, string signingSecret, FakeSlackServer slack)
{
    // Shared by every client: Slack never repeats a trigger_id, and the bot refuses a repeated one as a replay.
    private static int _sequence;

    public string TeamId { get; init; } = "T0001";

    /// <summary>
    /// The client requests go out on (kept open, for load tests that must not pay a new connection per request); null
    /// (the default): a fresh client with a 10-second timeout for each request.
    /// </summary>
    public HttpClient? Http { get; init; }

    public async Task<HttpResponseMessage> CommandAsync(string command, string text, string userId, string channelId = "C0OPS00001",
        string? secret = null, long? timestamp = null, string? triggerId = null)
    {
        var n = Interlocked.Increment(ref _sequence);
        var form = new Dictionary<string, string>
        {
            ["token"] = "deprecated-verification-token",
            ["team_id"] = TeamId,
            ["team_domain"] = "example",
            ["channel_id"] = channelId,
            ["channel_name"] = "ops",
            ["user_id"] = userId,
            ["user_name"] = userId.ToLowerInvariant(),
            ["command"] = command,
            ["text"] = text,
            ["api_app_id"] = "A0001",
            ["is_enterprise_install"] = "false",
            ["response_url"] = slack.ResponseUrl($"command-{n}").ToString(),
            ["trigger_id"] = triggerId ?? $"13345224609.738474920.{n:x8}",
        };
        var body = string.Join('&', form.Select(kv => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(kv.Value)}"));
        return await PostAsync("slack/commands", body, secret ?? signingSecret, timestamp);
    }

    public async Task<HttpResponseMessage> ButtonAsync(string actionId, string value, string userId, string channelId = "D00000002")
    {
        var n = Interlocked.Increment(ref _sequence);
        var payload = new JsonObject
        {
            ["type"] = "block_actions",
            ["user"] = new JsonObject { ["id"] = userId, ["username"] = userId.ToLowerInvariant(), ["name"] = userId.ToLowerInvariant(), ["team_id"] = TeamId },
            ["api_app_id"] = "A0001",
            ["token"] = "deprecated-verification-token",
            ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = "1700000000.000100", ["channel_id"] = channelId, ["is_ephemeral"] = false },
            ["trigger_id"] = $"13345224609.738474920.{n:x8}",
            ["team"] = new JsonObject { ["id"] = TeamId, ["domain"] = "example" },
            ["channel"] = new JsonObject { ["id"] = channelId, ["name"] = "directmessage" },
            ["response_url"] = slack.ResponseUrl($"click-{n}").ToString(),
            ["actions"] = new JsonArray(new JsonObject
            {
                ["action_id"] = actionId,
                ["block_id"] = "actions",
                ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = actionId, ["emoji"] = true },
                ["value"] = value,
                ["type"] = "button",
                ["action_ts"] = "1700000001.000200",
            }),
        };
        return await PostAsync("slack/interactions", "payload=" + Uri.EscapeDataString(payload.ToJsonString()), signingSecret, null);
    }

    public static string Sign(string secret, string timestamp, byte[] body)
    {
        var basestring = Encoding.UTF8.GetBytes($"v0:{timestamp}:").Concat(body).ToArray();
        return "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), basestring));
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string body, string secret, long? timestamp)
    {
        var ts = (timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds()).ToString(CultureInfo.InvariantCulture);
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(botBaseUrl, path)) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        request.Headers.Add("X-Slack-Request-Timestamp", ts);
        request.Headers.Add("X-Slack-Signature", Sign(secret, ts, bytes));
        if (Http is { } shared)
        {
            return await shared.SendAsync(request);
        }
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await client.SendAsync(request);
    }
}
