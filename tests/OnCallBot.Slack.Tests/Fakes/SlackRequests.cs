using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using OnCallBot.Slack.Inbound;
using OnCallBot.TestKit;
using OnCallBot.TestKit.Slack;

namespace OnCallBot.Slack.Tests.Fakes;

/// <summary>
/// Signed requests to the bot's Slack endpoints, built from the shapes Slack sends (slash commands, block_actions),
/// timestamped on the test's clock. Shared by the paging and the coordination test hosts.
/// </summary>
internal sealed class SlackRequests(HttpClient client, FakeSlackServer slack, FakeTimeProvider time, string teamId)
{
    private int _triggers;

    public string NextTriggerId() => string.Create(CultureInfo.InvariantCulture, $"{Interlocked.Increment(ref _triggers)}.4744562912.803a0bc887a14d10");

    /// <summary>
    /// Sends a slash command typed in <paramref name="channelId"/>, signed at the test clock's now, and returns Slack's
    /// view of the answer. With <paramref name="withoutTriggerId"/> the same arguments at the same instant give the
    /// same bytes and signature: a replay.
    /// </summary>
    public async Task<CommandReply> CommandAsync(string command, string text, string userId, string? userName, string channelId, string channelName,
        string? triggerId = null, int? retryNum = null, bool withoutTriggerId = false)
    {
        var fields = SlackPayloads.CommandFields();
        fields["team_id"] = teamId;
        fields["channel_id"] = channelId;
        fields["channel_name"] = channelName;
        fields["user_id"] = userId;
        fields["user_name"] = userName ?? string.Empty;
        fields["command"] = command;
        fields["text"] = text;
        fields["trigger_id"] = triggerId ?? NextTriggerId();
        fields["response_url"] = slack.ResponseUrl("command-" + fields["trigger_id"]).ToString();
        if (withoutTriggerId)
        {
            fields.Remove("trigger_id");
            fields["response_url"] = slack.ResponseUrl("command-without-trigger").ToString();
        }
        fields.Remove("enterprise_id");
        fields.Remove("enterprise_name");
        var body = string.Join('&', fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"));
        using var response = await PostSignedAsync("/slack/commands", body, retryNum);
        response.EnsureSuccessStatusCode();
        var json = await response.Content.ReadAsStringAsync();
        Assert.False(string.IsNullOrEmpty(json), $"{command} {text} was answered with an empty body");
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        return new CommandReply(
            root.GetProperty("response_type").GetString()!,
            root.GetProperty("text").GetString()!,
            root.TryGetProperty("blocks", out var blocks) ? JsonNode.Parse(blocks.GetRawText())!.AsArray() : null);
    }

    /// <summary>Clicks a button as <paramref name="userId"/>: a signed <c>block_actions</c> shaped like Slack's.</summary>
    public async Task<string> ClickAsync(string actionId, long incidentNumber, string userId, string channelId, string channelName,
        string messageTs, bool ephemeral, string blockId, string responseUrlId, int actionCount = 1, string? triggerId = null)
    {
        var payload = SlackPayloads.BlockAction();
        payload["user"] = new JsonObject { ["id"] = userId, ["username"] = userId.ToLowerInvariant(), ["name"] = userId.ToLowerInvariant(), ["team_id"] = teamId };
        payload["team"] = new JsonObject { ["id"] = teamId, ["domain"] = "example" };
        payload["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = messageTs, ["channel_id"] = channelId, ["is_ephemeral"] = ephemeral };
        payload["channel"] = new JsonObject { ["id"] = channelId, ["name"] = channelName };
        payload["response_url"] = slack.ResponseUrl(responseUrlId).ToString();
        // Each click has its own trigger_id, as on Slack; the same one again is the same click delivered twice.
        payload["trigger_id"] = triggerId ?? NextTriggerId();
        var action = payload["actions"]![0]!.AsObject();
        action["action_id"] = actionId;
        action["value"] = incidentNumber.ToString(CultureInfo.InvariantCulture);
        action["block_id"] = blockId;
        for (var copy = 1; copy < actionCount; copy++)
        {
            payload["actions"]!.AsArray().Add(action.DeepClone());
        }
        using var response = await PostSignedAsync("/slack/interactions", "payload=" + Uri.EscapeDataString(payload.ToJsonString()), null);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private Task<HttpResponseMessage> PostSignedAsync(string path, string body, int? retryNum)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded");
        request.Headers.Add(SlackRequestVerifier.TimestampHeader, timestamp);
        request.Headers.Add(SlackRequestVerifier.SignatureHeader, SlackRequestVerifier.ComputeSignature(SlackTestHost.SigningSecret, timestamp, bytes));
        if (retryNum is { } retry)
        {
            request.Headers.Add("X-Slack-Retry-Num", retry.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add("X-Slack-Retry-Reason", "http_timeout");
        }
        return client.SendAsync(request);
    }
}

/// <summary>What Slack would show for a command's answer.</summary>
internal sealed record CommandReply(string ResponseType, string Text, JsonArray? Blocks)
{
    public bool IsEphemeral => ResponseType == "ephemeral";
}

/// <summary>
/// Request bodies in the shape Slack sends, from the shared fixtures when they are beside the clone, else from the
/// same fields written here (so these tests run either way).
/// </summary>
internal static class SlackPayloads
{
    public static Dictionary<string, string> CommandFields()
    {
        var body = SharedFixtures.Directory is null
            ? "token=verification_token&team_id=T111&team_domain=test-domain&channel_id=C111&channel_name=random&user_id=W111&user_name=primary-owner" +
              "&command=%2Fhello-world&text=Hi&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT111%2F111%2Fxxxxx&trigger_id=111.111.xxx"
            : SharedFixtures.ReadText("slack/payloads/slash_commands/slash_command_body.bolt-python.txt").Trim();
        return new FormReader(body).ReadForm().ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
    }

    public static JsonObject BlockAction()
    {
        var json = SharedFixtures.Directory is null
            ? """
              {"type":"block_actions","user":{"id":"W111"},"api_app_id":"A111","container":{"type":"message","message_ts":"111.222","channel_id":"C111","is_ephemeral":false},
               "trigger_id":"111.222.valid","team":{"id":"T111"},"channel":{"id":"C111"},"response_url":"https://hooks.slack.com/actions/T111/111/random-value",
               "actions":[{"action_id":"a","block_id":"b","text":{"type":"plain_text","text":"Button","emoji":true},"value":"click_me_123","type":"button","action_ts":"1596530385.194939"}]}
              """
            : SharedFixtures.ReadText("slack/payloads/interactivity/block_actions_button.bolt-python.json");
        return JsonNode.Parse(json)!.AsObject();
    }
}
