using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace OnCallBot.Teams.Connector;

/// <summary>
/// An activity the bot sends through the Bot Connector (Bot Framework Activity schema, the fields the bot writes):
/// a <c>message</c> with text and/or attachments. Build one with <see cref="PlainText"/> or <see cref="AdaptiveCard"/>.
/// </summary>
public sealed record ConnectorActivity
{
    /// <summary>The attachment content type of an Adaptive Card.</summary>
    public const string AdaptiveCardContentType = "application/vnd.microsoft.card.adaptive";

    public string Type { get; init; } = "message";

    public string? Text { get; init; }

    /// <summary><c>plain</c>, <c>markdown</c> or <c>xml</c>.</summary>
    public string? TextFormat { get; init; }

    /// <summary>What Teams shows where the card cannot be (notifications, the chat list).</summary>
    public string? Summary { get; init; }

    public IReadOnlyList<ConnectorAttachment>? Attachments { get; init; }

    /// <summary>Teams' channel data, e.g. <c>{"notification":{"alert":true}}</c> to raise an activity-feed alert.</summary>
    public JsonObject? ChannelData { get; init; }

    /// <summary>A message shown as typed, with no Markdown.</summary>
    public static ConnectorActivity PlainText(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        return new ConnectorActivity { Text = text, TextFormat = "plain" };
    }

    /// <summary>
    /// A message holding one Adaptive Card. <paramref name="summary"/> is what notifications and the chat list show;
    /// <paramref name="alert"/> also raises an alert in the person's activity feed (for pages, not for card updates).
    /// </summary>
    public static ConnectorActivity AdaptiveCard(JsonObject card, string summary, bool alert = false)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentException.ThrowIfNullOrWhiteSpace(summary);
        if ((string?)card["type"] != "AdaptiveCard")
        {
            throw new ArgumentException("The content must be an Adaptive Card (\"type\": \"AdaptiveCard\").", nameof(card));
        }
        return new ConnectorActivity
        {
            Summary = summary,
            Attachments = [new ConnectorAttachment(AdaptiveCardContentType, card)],
            ChannelData = alert ? new JsonObject { ["notification"] = new JsonObject { ["alert"] = true } } : null,
        };
    }
}

/// <summary>An attachment: its content type and content (an Adaptive Card's JSON).</summary>
public sealed record ConnectorAttachment(string ContentType, JsonNode Content);

/// <summary>A conversation the Bot Connector created, at the service URL the bot called.</summary>
/// <param name="ServiceUrl">The service URL the bot called to create it (and trusts), where it is to be used.</param>
/// <param name="ConversationId">1:1 chats: <c>a:...</c>; a channel thread: <c>19:...@thread.tacv2;messageid=...</c>.</param>
/// <param name="ActivityId">A channel thread's first message (its root, to update it); null for a 1:1 chat.</param>
public sealed record TeamsConversation(Uri ServiceUrl, string ConversationId, string? ActivityId);

/// <summary><c>POST /v3/conversations</c>: ConversationParameters, the fields Teams reads.</summary>
internal sealed record ConversationParameters(
    bool IsGroup,
    ChannelAccountWire? Bot,
    IReadOnlyList<ChannelAccountWire>? Members,
    string TenantId,
    ConnectorActivity? Activity,
    JsonObject ChannelData);

internal sealed record ChannelAccountWire(string Id);

/// <summary><c>POST /v3/conversations</c>: ConversationResourceResponse.</summary>
internal sealed record ConversationResourceResponse(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("activityId")] string? ActivityId,
    [property: JsonPropertyName("serviceUrl")] string? ServiceUrl);

/// <summary>Send and reply: ResourceResponse.</summary>
internal sealed record ResourceResponse([property: JsonPropertyName("id")] string? Id);
