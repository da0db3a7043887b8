using System.Text.Json;
using System.Text.Json.Serialization;

namespace OnCallBot.Teams.Inbound;

/// <summary>The activity types the bot tells apart (Bot Framework <c>type</c>); others arrive as they are and are only logged.</summary>
public static class TeamsActivityTypes
{
    public const string Message = "message";
    public const string Invoke = "invoke";
    public const string ConversationUpdate = "conversationUpdate";
}

/// <summary>Teams' <c>conversation.conversationType</c> values.</summary>
public static class TeamsConversationTypes
{
    public const string Personal = "personal";
    public const string Channel = "channel";
    public const string GroupChat = "groupChat";
}

/// <summary>
/// One Bot Framework activity as Teams delivered it to <c>POST /api/messages</c>, reduced to what the bot needs.
/// The transport builds it with <see cref="TeamsActivityParser"/>, only after the request's token was validated.
/// </summary>
public sealed record TeamsActivity
{
    /// <summary>The invoke name of an Adaptive Card <c>Action.Execute</c> click.</summary>
    public const string AdaptiveCardActionInvoke = "adaptiveCard/action";

    /// <summary><c>message</c>, <c>invoke</c>, <c>conversationUpdate</c> (see <see cref="TeamsActivityTypes"/>) or another type.</summary>
    public required string Type { get; init; }

    /// <summary>The activity id; a message's id is what a reply or an update refers to. Absent on some events.</summary>
    public string? Id { get; init; }

    /// <summary>For an invoke, what it asks (e.g. <see cref="AdaptiveCardActionInvoke"/>).</summary>
    public string? Name { get; init; }

    /// <summary>Where replies to this conversation go (the Bot Connector of its region and tenant).</summary>
    public Uri? ServiceUrl { get; init; }

    /// <summary>The channel that delivered it: <c>msteams</c> for Teams.</summary>
    public string? ChannelId { get; init; }

    public TeamsAccount? From { get; init; }

    /// <summary>The bot itself (<c>28:&lt;app id&gt;</c>).</summary>
    public TeamsAccount? Recipient { get; init; }

    public TeamsConversation? Conversation { get; init; }

    /// <summary>The text as Teams sent it, mentions (<c>&lt;at&gt;Bot&lt;/at&gt;</c>) included.</summary>
    public string? Text { get; init; }

    /// <summary>
    /// The text with the bot's own @mention removed and trimmed: what the user asked the bot. Other people's mentions
    /// stay. Null when the activity has no text.
    /// </summary>
    public string? CommandText { get; init; }

    /// <summary>A card submit's data (<c>Action.Submit</c>, on a message) or an invoke's value, as sent.</summary>
    public JsonElement? Value { get; init; }

    /// <summary>The <c>Action.Execute</c> that was clicked, for an <see cref="AdaptiveCardActionInvoke"/> invoke.</summary>
    public TeamsCardAction? CardAction { get; init; }

    /// <summary>The message this one replies to (a card's message for a click on it).</summary>
    public string? ReplyToId { get; init; }

    /// <summary><c>channelData.tenant.id</c>: the Microsoft 365 tenant the activity came from.</summary>
    public string? TenantId { get; init; }

    /// <summary><c>channelData.team.id</c>, for activities in a team's channel.</summary>
    public string? TeamId { get; init; }

    /// <summary><c>channelData.channel.id</c>, for activities in a team's channel.</summary>
    public string? TeamsChannelId { get; init; }

    /// <summary><c>channelData.eventType</c> of a <c>conversationUpdate</c> (e.g. <c>teamMemberAdded</c>).</summary>
    public string? EventType { get; init; }

    public IReadOnlyList<TeamsAccount> MembersAdded { get; init; } = [];

    public IReadOnlyList<TeamsAccount> MembersRemoved { get; init; } = [];

    public DateTimeOffset? Timestamp { get; init; }

    public bool IsMessage => Type == TeamsActivityTypes.Message;

    public bool IsInvoke => Type == TeamsActivityTypes.Invoke;

    public bool IsConversationUpdate => Type == TeamsActivityTypes.ConversationUpdate;
}

/// <summary>A user or bot: <c>29:...</c> for users, <c>28:...</c> for bots.</summary>
public sealed record TeamsAccount
{
    public string? Id { get; init; }

    /// <summary>The user's Entra object id: the stable id across Teams ids.</summary>
    public string? AadObjectId { get; init; }

    public string? Name { get; init; }
}

public sealed record TeamsConversation
{
    /// <summary><c>a:...</c> for a 1:1 chat, <c>19:...@thread.tacv2</c> for a channel (a thread adds <c>;messageid=...</c>).</summary>
    public string? Id { get; init; }

    /// <summary><c>personal</c>, <c>channel</c> or <c>groupChat</c> (see <see cref="TeamsConversationTypes"/>).</summary>
    public string? ConversationType { get; init; }

    public string? TenantId { get; init; }

    public bool? IsGroup { get; init; }
}

/// <summary>An Adaptive Card action the user clicked: <c>value.action</c> of an <c>adaptiveCard/action</c> invoke.</summary>
public sealed record TeamsCardAction(string? Type, string? Verb, JsonElement? Data);

/// <summary>The activity as it is on the wire (System.Text.Json binds to it; <see cref="TeamsActivityParser"/> maps it).</summary>
internal sealed class TeamsActivityWire
{
    public string? Type { get; set; }
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? ServiceUrl { get; set; }
    public string? ChannelId { get; set; }
    public TeamsAccount? From { get; set; }
    public TeamsAccount? Recipient { get; set; }
    public TeamsConversation? Conversation { get; set; }
    public string? Text { get; set; }
    public JsonElement? Value { get; set; }
    public string? ReplyToId { get; set; }
    public DateTimeOffset? Timestamp { get; set; }
    public List<TeamsEntityWire?>? Entities { get; set; }
    public List<TeamsAccount?>? MembersAdded { get; set; }
    public List<TeamsAccount?>? MembersRemoved { get; set; }
    public TeamsChannelDataWire? ChannelData { get; set; }
}

internal sealed class TeamsEntityWire
{
    public string? Type { get; set; }
    public TeamsAccount? Mentioned { get; set; }
    public string? Text { get; set; }
}

internal sealed class TeamsChannelDataWire
{
    public TeamsIdWire? Tenant { get; set; }
    public TeamsIdWire? Team { get; set; }
    public TeamsIdWire? Channel { get; set; }
    public string? EventType { get; set; }
}

internal sealed class TeamsIdWire
{
    public string? Id { get; set; }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, AllowTrailingCommas = false, ReadCommentHandling = JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(TeamsActivityWire))]
internal sealed partial class TeamsActivityJsonContext : JsonSerializerContext;
