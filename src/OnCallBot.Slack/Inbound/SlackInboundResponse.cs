using System.Text.Json;
using System.Text.Json.Nodes;

namespace OnCallBot.Slack.Inbound;

/// <summary>Who sees an immediate answer to a slash command or interaction.</summary>
public enum SlackResponseVisibility
{
    /// <summary>Only the user who acted.</summary>
    Ephemeral,

    /// <summary>Everyone in the conversation.</summary>
    InChannel,
}

/// <summary>
/// The immediate answer to a Slack request: an empty acknowledgement, a message (ephemeral or in the channel,
/// with optional Block Kit blocks), or a raw JSON body (e.g. a modal's <c>response_action</c>).
/// </summary>
public sealed class SlackInboundResponse
{
    private SlackInboundResponse(SlackResponseVisibility? visibility, string? text, JsonElement? blocks, JsonElement? body)
    {
        Visibility = visibility;
        Text = text;
        Blocks = blocks;
        Body = body;
    }

    /// <summary>Acknowledges with an empty 200 body: nothing is shown to the user.</summary>
    public static SlackInboundResponse Ack { get; } = new(null, null, null, null);

    /// <summary>Who sees the message; null for <see cref="Ack"/> and raw bodies.</summary>
    public SlackResponseVisibility? Visibility { get; }

    /// <summary>The message text (also the notification fallback when there are blocks).</summary>
    public string? Text { get; }

    /// <summary>The Block Kit blocks (a JSON array), when any.</summary>
    public JsonElement? Blocks { get; }

    /// <summary>A raw JSON body sent as is, when built with <see cref="FromJson"/>.</summary>
    public JsonElement? Body { get; }

    /// <summary>True for an empty acknowledgement.</summary>
    public bool IsEmpty => Text is null && Body is null;

    /// <summary>A message only the acting user sees.</summary>
    public static SlackInboundResponse Ephemeral(string text, JsonElement? blocks = null) =>
        Message(SlackResponseVisibility.Ephemeral, text, blocks);

    /// <summary>A message everyone in the conversation sees.</summary>
    public static SlackInboundResponse InChannel(string text, JsonElement? blocks = null) =>
        Message(SlackResponseVisibility.InChannel, text, blocks);

    /// <summary>A raw JSON object answered as is, e.g. <c>{"response_action":"errors",...}</c> for a modal.</summary>
    public static SlackInboundResponse FromJson(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("A Slack response body must be a JSON object.", nameof(body));
        }
        return new SlackInboundResponse(null, null, null, body.Clone());
    }

    private static SlackInboundResponse Message(SlackResponseVisibility visibility, string text, JsonElement? blocks)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        if (blocks is { ValueKind: not JsonValueKind.Array })
        {
            throw new ArgumentException("Block Kit blocks must be a JSON array.", nameof(blocks));
        }
        return new SlackInboundResponse(visibility, text, blocks?.Clone(), null);
    }

    /// <summary>The JSON object Slack expects as the answer body, or null for an empty acknowledgement.</summary>
    internal JsonObject? ToJson()
    {
        if (Body is { } body)
        {
            return JsonNode.Parse(body.GetRawText())!.AsObject();
        }
        if (Text is null)
        {
            return null;
        }
        var json = new JsonObject
        {
            ["response_type"] = Visibility == SlackResponseVisibility.InChannel ? "in_channel" : "ephemeral",
            ["text"] = Text,
        };
        if (Blocks is { } blocks)
        {
            json["blocks"] = JsonNode.Parse(blocks.GetRawText());
        }
        return json;
    }
}
