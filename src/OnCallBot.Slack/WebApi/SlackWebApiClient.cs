using System.Text.Json;
using System.Text.RegularExpressions;

namespace OnCallBot.Slack.WebApi;

/// <summary>
/// The Slack Web API as the bot's code uses it: checks every argument before anything is sent (a bad id, ts,
/// channel name or email throws <see cref="ArgumentException"/> and sends nothing), calls <see cref="ISlackWebApi"/>
/// and turns Slack's answers into <see cref="SlackMessageRef"/>, <see cref="SlackConversation"/> and
/// <see cref="SlackUser"/>. Registered by <see cref="SlackServiceCollectionExtensions.AddSlack"/>.
/// </summary>
/// <remarks>
/// Pacing, the bearer token, HTTP 429 retries and <c>"ok": false</c> live in the handlers behind
/// <see cref="ISlackWebApi"/>: every call waits its turn in <see cref="SlackRateLimiter"/>, a 429 is retried after
/// Slack's <c>Retry-After</c> (up to <see cref="SlackOptions.MaxRateLimitRetries"/> times), nothing else is retried,
/// and a refusal throws <see cref="SlackApiException"/>. An answer without the fields Slack documents throws
/// <see cref="SlackApiException"/> with <see cref="SlackApiException.InvalidResponseCode"/>.
/// </remarks>
public sealed partial class SlackWebApiClient
{
    private readonly ISlackWebApi _api;

    internal SlackWebApiClient(ISlackWebApi api)
    {
        ArgumentNullException.ThrowIfNull(api);
        _api = api;
    }

    /// <summary><c>chat.postMessage</c>: posts a message (in a thread when <paramref name="threadTs"/> is given).</summary>
    /// <param name="channel">The conversation id.</param>
    /// <param name="text">The text; also the notification fallback when there are blocks.</param>
    /// <param name="blocks">Block Kit blocks (a JSON array), or null.</param>
    /// <param name="threadTs">The parent message's ts to reply in its thread, or null.</param>
    /// <param name="cancellationToken">Cancels the wait and the call.</param>
    public async Task<SlackMessageRef> PostMessageAsync(
        string channel, string text, JsonElement? blocks = null, string? threadTs = null, CancellationToken cancellationToken = default)
    {
        RequireId(channel, nameof(channel));
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        RequireBlocks(blocks);
        RequireOptionalTs(threadTs, nameof(threadTs));
        var result = await _api.PostMessageAsync(new PostMessageRequest(channel, text, blocks, threadTs), channel, cancellationToken);
        return new SlackMessageRef(
            result.Channel ?? Invalid<string>("chat.postMessage", "channel"), result.Ts ?? Invalid<string>("chat.postMessage", "ts"));
    }

    /// <summary><c>chat.update</c>: replaces a message's text and blocks.</summary>
    public async Task<SlackMessageRef> UpdateMessageAsync(
        string channel, string ts, string text, JsonElement? blocks = null, CancellationToken cancellationToken = default)
    {
        RequireId(channel, nameof(channel));
        RequireTs(ts, nameof(ts));
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        RequireBlocks(blocks);
        var result = await _api.UpdateMessageAsync(new UpdateMessageRequest(channel, ts, text, blocks), cancellationToken);
        return new SlackMessageRef(result.Channel ?? channel, result.Ts ?? Invalid<string>("chat.update", "ts"));
    }

    /// <summary><c>chat.postEphemeral</c>: shows a message to one user in a conversation; returns its ts.</summary>
    public async Task<string> PostEphemeralAsync(
        string channel, string user, string text, JsonElement? blocks = null, string? threadTs = null, CancellationToken cancellationToken = default)
    {
        RequireId(channel, nameof(channel));
        RequireId(user, nameof(user));
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        RequireBlocks(blocks);
        RequireOptionalTs(threadTs, nameof(threadTs));
        var result = await _api.PostEphemeralAsync(new PostEphemeralRequest(channel, user, text, blocks, threadTs), cancellationToken);
        return result.MessageTs ?? Invalid<string>("chat.postEphemeral", "message_ts");
    }

    /// <summary><c>conversations.open</c>: opens (or finds) a direct message with 1 user, or a group DM with up to 8; returns its id.</summary>
    public async Task<string> OpenConversationAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken = default)
    {
        var users = RequireUsers(userIds, maxCount: 8);
        var result = await _api.OpenConversationAsync(new OpenConversationRequest(string.Join(',', users)), cancellationToken);
        return result.Channel?.Id ?? Invalid<string>("conversations.open", "channel.id");
    }

    /// <summary><c>conversations.create</c>: creates a channel. Names are lowercase letters, digits, hyphens and underscores, at most 80 characters.</summary>
    public async Task<SlackConversation> CreateConversationAsync(string name, bool isPrivate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!ChannelName().IsMatch(name))
        {
            throw new ArgumentException(
                $"'{name}' is not a valid Slack channel name: use 1 to 80 lowercase letters, digits, hyphens and underscores.", nameof(name));
        }
        var result = await _api.CreateConversationAsync(new CreateConversationRequest(name, isPrivate), cancellationToken);
        var channel = result.Channel ?? Invalid<ConversationWire>("conversations.create", "channel");
        return new SlackConversation(channel.Id ?? Invalid<string>("conversations.create", "channel.id"), channel.Name ?? name, channel.IsPrivate);
    }

    /// <summary><c>conversations.invite</c>: invites 1 to 100 users to a channel.</summary>
    public async Task InviteToConversationAsync(string channel, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken = default)
    {
        RequireId(channel, nameof(channel));
        var users = RequireUsers(userIds, maxCount: 100);
        await _api.InviteToConversationAsync(new InviteToConversationRequest(channel, string.Join(',', users)), cancellationToken);
    }

    /// <summary><c>conversations.setTopic</c>: sets a channel's topic (at most 250 characters).</summary>
    public async Task SetConversationTopicAsync(string channel, string topic, CancellationToken cancellationToken = default)
    {
        RequireId(channel, nameof(channel));
        ArgumentNullException.ThrowIfNull(topic);
        if (topic.Length > 250)
        {
            throw new ArgumentException("A Slack channel topic is at most 250 characters.", nameof(topic));
        }
        await _api.SetConversationTopicAsync(new SetConversationTopicRequest(channel, topic), cancellationToken);
    }

    /// <summary><c>conversations.archive</c>: archives a channel.</summary>
    public async Task ArchiveConversationAsync(string channel, CancellationToken cancellationToken = default)
    {
        RequireId(channel, nameof(channel));
        await _api.ArchiveConversationAsync(new ArchiveConversationRequest(channel), cancellationToken);
    }

    /// <summary><c>pins.add</c>: pins a message to its channel.</summary>
    public async Task AddPinAsync(string channel, string ts, CancellationToken cancellationToken = default)
    {
        RequireId(channel, nameof(channel));
        RequireTs(ts, nameof(ts));
        await _api.AddPinAsync(new AddPinRequest(channel, ts), cancellationToken);
    }

    /// <summary><c>users.info</c> (form-encoded): a user by id. Throws <see cref="SlackApiException"/> <c>user_not_found</c> when there is none.</summary>
    public async Task<SlackUser> GetUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        RequireId(userId, nameof(userId));
        var result = await _api.GetUserAsync(new UserInfoRequest(userId), cancellationToken);
        return ToUser("users.info", result);
    }

    /// <summary><c>users.lookupByEmail</c> (form-encoded): a user by email, or null when no member has it (<c>users_not_found</c>).</summary>
    public async Task<SlackUser?> LookupUserByEmailAsync(string email, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        if (!email.Contains('@', StringComparison.Ordinal) || email.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"'{email}' is not an email address.", nameof(email));
        }
        try
        {
            var result = await _api.LookupUserByEmailAsync(new LookupUserByEmailRequest(email), cancellationToken);
            return ToUser("users.lookupByEmail", result);
        }
        catch (SlackApiException ex) when (ex.Error == "users_not_found")
        {
            return null;
        }
    }

    /// <summary><c>apps.connections.open</c> with the app-level token: a fresh Socket Mode WebSocket URL.</summary>
    public async Task<Uri> OpenSocketModeConnectionAsync(CancellationToken cancellationToken = default)
    {
        var result = await _api.OpenSocketModeConnectionAsync(cancellationToken);
        if (result.Url is null || !Uri.TryCreate(result.Url, UriKind.Absolute, out var url) || (url.Scheme != "wss" && url.Scheme != "ws"))
        {
            return Invalid<Uri>("apps.connections.open", "url");
        }
        return url;
    }

    private static SlackUser ToUser(string method, UserEnvelopeWire result)
    {
        var user = result.User ?? Invalid<UserWire>(method, "user");
        return new SlackUser(
            user.Id ?? Invalid<string>(method, "user.id"),
            user.TeamId,
            user.Name,
            NullIfEmpty(user.Profile?.RealName) ?? NullIfEmpty(user.RealName),
            NullIfEmpty(user.Profile?.DisplayName),
            NullIfEmpty(user.Profile?.Email),
            NullIfEmpty(user.Tz),
            user.Deleted,
            user.IsBot);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static T Invalid<T>(string method, string field) =>
        throw new SlackApiException(method, SlackApiException.InvalidResponseCode + ": missing " + field);

    private static void RequireBlocks(JsonElement? blocks)
    {
        if (blocks is { ValueKind: not JsonValueKind.Array })
        {
            throw new ArgumentException("Block Kit blocks must be a JSON array.", nameof(blocks));
        }
    }

    private static void RequireId(string value, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, name);
        if (!SlackId().IsMatch(value))
        {
            throw new ArgumentException($"'{value}' is not a Slack id (letters and digits, e.g. C0123ABCD or U0123ABCD).", name);
        }
    }

    private static void RequireTs(string value, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, name);
        if (!MessageTs().IsMatch(value))
        {
            throw new ArgumentException($"'{value}' is not a Slack message ts (e.g. 1503435956.000247).", name);
        }
    }

    private static void RequireOptionalTs(string? value, string name)
    {
        if (value is not null)
        {
            RequireTs(value, name);
        }
    }

    private static string[] RequireUsers(IReadOnlyCollection<string> userIds, int maxCount)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        var users = userIds.Distinct(StringComparer.Ordinal).ToArray();
        if (users.Length == 0 || users.Length > maxCount)
        {
            throw new ArgumentException($"Give between 1 and {maxCount} user ids.", nameof(userIds));
        }
        foreach (var user in users)
        {
            RequireId(user, nameof(userIds));
        }
        return users;
    }

    [GeneratedRegex("^[a-z0-9_-]{1,80}$")]
    private static partial Regex ChannelName();

    [GeneratedRegex("^[A-Z0-9]{2,32}$")]
    private static partial Regex SlackId();

    [GeneratedRegex(@"^\d{1,12}\.\d{1,8}$")]
    private static partial Regex MessageTs();
}
