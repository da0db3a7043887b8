using System.Text.Json;

namespace OnCallBot.Slack.WebApi;

/// <summary>A message Slack stored: its conversation and timestamp, which together identify it.</summary>
/// <param name="ChannelId">The conversation id (Slack returns the id even when a name was passed).</param>
/// <param name="Ts">The message timestamp, used to update, pin or thread under it.</param>
public sealed record SlackMessageRef(string ChannelId, string Ts);

/// <summary>A conversation (channel or direct message).</summary>
/// <param name="Id">The conversation id (<c>C...</c>, <c>G...</c> or <c>D...</c>).</param>
/// <param name="Name">Its name; null for direct messages.</param>
/// <param name="IsPrivate">True for private channels.</param>
public sealed record SlackConversation(string Id, string? Name, bool IsPrivate);

/// <summary>A workspace member as <c>users.info</c> and <c>users.lookupByEmail</c> describe them.</summary>
/// <param name="Id">The user id.</param>
/// <param name="TeamId">The user's workspace.</param>
/// <param name="Name">The (legacy) user name.</param>
/// <param name="RealName">The full name, when set.</param>
/// <param name="DisplayName">The display name, when set.</param>
/// <param name="Email">The email, when the app has <c>users:read.email</c>.</param>
/// <param name="TimeZone">The IANA time zone, e.g. <c>America/Los_Angeles</c>.</param>
/// <param name="IsDeleted">True for deactivated users.</param>
/// <param name="IsBot">True for bot users.</param>
public sealed record SlackUser(
    string Id, string? TeamId, string? Name, string? RealName, string? DisplayName, string? Email, string? TimeZone, bool IsDeleted, bool IsBot);

// Wire shapes: what ISlackWebApi sends and the fields the client reads back, named by the snake_case policy
// (SlackWebApiWire). A null property is left out of the request.

internal sealed record PostMessageRequest(string Channel, string Text, JsonElement? Blocks, string? ThreadTs);

internal sealed record UpdateMessageRequest(string Channel, string Ts, string Text, JsonElement? Blocks);

internal sealed record PostEphemeralRequest(string Channel, string User, string Text, JsonElement? Blocks, string? ThreadTs);

// Users: comma-separated user ids, here and in conversations.invite.
internal sealed record OpenConversationRequest(string Users);

internal sealed record CreateConversationRequest(string Name, bool IsPrivate);

internal sealed record InviteToConversationRequest(string Channel, string Users);

internal sealed record SetConversationTopicRequest(string Channel, string Topic);

internal sealed record ArchiveConversationRequest(string Channel);

internal sealed record AddPinRequest(string Channel, string Timestamp);

internal sealed record UserInfoRequest(string User);

internal sealed record LookupUserByEmailRequest(string Email);

internal sealed record PostMessageWire(string? Channel, string? Ts);

internal sealed record PostEphemeralWire(string? MessageTs);

internal sealed record ConversationEnvelopeWire(ConversationWire? Channel);

internal sealed record ConversationWire(string? Id, string? Name, bool IsPrivate);

internal sealed record UserEnvelopeWire(UserWire? User);

internal sealed record UserWire(string? Id, string? TeamId, string? Name, string? RealName, string? Tz, bool Deleted, bool IsBot, UserProfileWire? Profile);

internal sealed record UserProfileWire(string? Email, string? DisplayName, string? RealName);

internal sealed record ConnectionsOpenWire(string? Url);
