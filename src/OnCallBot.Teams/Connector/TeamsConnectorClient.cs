using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace OnCallBot.Teams.Connector;

/// <summary>
/// The Bot Connector REST API as the bot's code uses it: checks every argument before anything is sent (a bad id or
/// service URL throws <see cref="ArgumentException"/> and sends nothing), calls <see cref="IBotConnectorApi"/> at the
/// conversation's service URL, and reads the ids out of the answers. Registered by
/// <see cref="TeamsServiceCollectionExtensions.AddTeams"/>.
/// </summary>
/// <remarks>
/// Behind it: a service URL no validated inbound activity proved is refused before any request
/// (<see cref="TeamsApiException.UntrustedServiceUrlCode"/>); the bot's token is added (<see cref="BotTokenProvider"/>);
/// 429 and 5xx are retried with backoff, honouring <c>Retry-After</c>, up to <see cref="TeamsOptions.MaxRetries"/>
/// times; any refusal throws <see cref="TeamsApiException"/> with the Connector's code (<c>MessageWritesBlocked</c>,
/// <c>ConversationNotFound</c>, ...) and <see cref="TeamsApiException.ToUserMessage"/> says it in one line.
/// Transport failures stay <see cref="HttpRequestException"/> and are not retried: the message may have been posted.
/// </remarks>
public sealed class TeamsConnectorClient
{
    /// <summary>Longer ids than this are not Teams ids (a 1:1 chat's <c>a:...</c> is about 140 characters).</summary>
    public const int MaxIdLength = 1024;

    private readonly IBotConnectorApi _api;
    private readonly IOptionsMonitor<TeamsOptions> _options;

    internal TeamsConnectorClient(IBotConnectorApi api, IOptionsMonitor<TeamsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(options);
        _api = api;
        _options = options;
    }

    /// <summary><c>POST /v3/conversations/{id}/activities</c>: posts a message in a conversation; returns its activity id.</summary>
    public async Task<string> SendAsync(Uri serviceUrl, string conversationId, ConnectorActivity activity, CancellationToken cancellationToken = default)
    {
        RequireServiceUrl(serviceUrl);
        RequireId(conversationId, nameof(conversationId));
        RequireActivity(activity);
        var result = await _api.SendToConversationAsync(serviceUrl, conversationId, activity, cancellationToken);
        return result.Id is { Length: > 0 } id ? id : Invalid<string>("send a message", "id");
    }

    /// <summary><c>POST /v3/conversations/{id}/activities/{replyToId}</c>: replies to a message (in its thread, in a channel); returns the reply's id.</summary>
    public async Task<string> ReplyAsync(
        Uri serviceUrl, string conversationId, string replyToId, ConnectorActivity activity, CancellationToken cancellationToken = default)
    {
        RequireServiceUrl(serviceUrl);
        RequireId(conversationId, nameof(conversationId));
        RequireId(replyToId, nameof(replyToId));
        RequireActivity(activity);
        var result = await _api.ReplyToActivityAsync(serviceUrl, conversationId, replyToId, activity, cancellationToken);
        return result.Id is { Length: > 0 } id ? id : Invalid<string>("reply", "id");
    }

    /// <summary><c>PUT /v3/conversations/{id}/activities/{activityId}</c>: replaces a message the bot sent (a card after an ack).</summary>
    public async Task UpdateAsync(
        Uri serviceUrl, string conversationId, string activityId, ConnectorActivity activity, CancellationToken cancellationToken = default)
    {
        RequireServiceUrl(serviceUrl);
        RequireId(conversationId, nameof(conversationId));
        RequireId(activityId, nameof(activityId));
        RequireActivity(activity);
        await _api.UpdateActivityAsync(serviceUrl, conversationId, activityId, activity, cancellationToken);
    }

    /// <summary>
    /// <c>POST /v3/conversations</c>: the bot's 1:1 chat with a user of a tenant (for proactive messages), created or,
    /// when it exists, found (Teams answers with the same id); <paramref name="firstMessage"/>, when given, is posted in it.
    /// </summary>
    /// <param name="serviceUrl">The service URL of the user's region, as a validated activity carried it.</param>
    /// <param name="tenantId">The user's Entra tenant (an activity's <c>channelData.tenant.id</c>).</param>
    /// <param name="userId">The user's Teams id, <c>29:...</c>.</param>
    /// <param name="firstMessage">A message to post at once, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<TeamsConversation> CreatePersonalConversationAsync(
        Uri serviceUrl, string tenantId, string userId, ConnectorActivity? firstMessage = null, CancellationToken cancellationToken = default)
    {
        RequireServiceUrl(serviceUrl);
        RequireTenant(tenantId);
        RequireId(userId, nameof(userId));
        if (!userId.StartsWith("29:", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{userId}' is not a Teams user id (29:...).", nameof(userId));
        }
        if (firstMessage is not null)
        {
            RequireActivity(firstMessage);
        }
        var parameters = new ConversationParameters(
            IsGroup: false,
            Bot: Bot(),
            Members: [new ChannelAccountWire(userId)],
            TenantId: tenantId,
            Activity: firstMessage,
            ChannelData: new JsonObject { ["tenant"] = new JsonObject { ["id"] = tenantId } });
        var result = await _api.CreateConversationAsync(serviceUrl, parameters, cancellationToken);
        return new TeamsConversation(serviceUrl, result.Id is { Length: > 0 } id ? id : Invalid<string>("create a conversation", "id"), result.ActivityId);
    }

    /// <summary>
    /// <c>POST /v3/conversations</c> with <c>isGroup</c> and a channel: a new thread in a team's channel (the bot must be
    /// installed in the team), started by <paramref name="firstMessage"/>. Returns the thread's conversation id
    /// (<c>{channel};messageid={root}</c>) and the root message's id, which the card's later updates go to.
    /// </summary>
    public async Task<TeamsConversation> CreateChannelThreadAsync(
        Uri serviceUrl, string tenantId, string channelId, ConnectorActivity firstMessage, CancellationToken cancellationToken = default)
    {
        RequireServiceUrl(serviceUrl);
        RequireTenant(tenantId);
        RequireId(channelId, nameof(channelId));
        if (!channelId.StartsWith("19:", StringComparison.Ordinal) || channelId.Contains(";messageid=", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{channelId}' is not a Teams channel id (19:...@thread.tacv2, without ;messageid=).", nameof(channelId));
        }
        // Teams refuses an empty thread: the first message is the thread.
        RequireActivity(firstMessage);
        var parameters = new ConversationParameters(
            IsGroup: true,
            Bot: Bot(),
            Members: null,
            TenantId: tenantId,
            Activity: firstMessage,
            ChannelData: new JsonObject
            {
                ["channel"] = new JsonObject { ["id"] = channelId },
                ["tenant"] = new JsonObject { ["id"] = tenantId },
            });
        var result = await _api.CreateConversationAsync(serviceUrl, parameters, cancellationToken);
        return new TeamsConversation(
            serviceUrl,
            result.Id is { Length: > 0 } id ? id : Invalid<string>("create a conversation", "id"),
            result.ActivityId is { Length: > 0 } activityId ? activityId : Invalid<string>("create a conversation", "activityId"));
    }

    // The bot's own account is 28:{app id}; with Teams off there is none, and the token step refuses the call anyway.
    private ChannelAccountWire? Bot() =>
        _options.CurrentValue.AppId is { Length: > 0 } appId ? new ChannelAccountWire("28:" + appId.Trim()) : null;

    private static T Invalid<T>(string operation, string field) =>
        throw new TeamsApiException(operation, TeamsApiException.InvalidResponseCode, detail: "the answer has no " + field);

    private static void RequireServiceUrl(Uri serviceUrl)
    {
        ArgumentNullException.ThrowIfNull(serviceUrl);
        if (!serviceUrl.IsAbsoluteUri || (serviceUrl.Scheme != Uri.UriSchemeHttps && serviceUrl.Scheme != Uri.UriSchemeHttp)
            || !string.IsNullOrEmpty(serviceUrl.UserInfo))
        {
            throw new ArgumentException($"'{serviceUrl}' is not a Bot Connector service URL (an absolute https URL from an activity).", nameof(serviceUrl));
        }
    }

    private static void RequireId(string value, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, name);
        if (value.Length > MaxIdLength || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new ArgumentException($"'{value}' is not a Teams id (no spaces or control characters, at most {MaxIdLength} characters).", name);
        }
    }

    private static void RequireTenant(string tenantId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        if (tenantId.Length > 128 || !tenantId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.'))
        {
            throw new ArgumentException($"'{tenantId}' is not an Entra tenant id.", nameof(tenantId));
        }
    }

    private static void RequireActivity(ConnectorActivity activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        ArgumentException.ThrowIfNullOrWhiteSpace(activity.Type, nameof(activity));
        if (string.IsNullOrWhiteSpace(activity.Text) && (activity.Attachments is null || activity.Attachments.Count == 0))
        {
            throw new ArgumentException("A message needs text or an attachment.", nameof(activity));
        }
        if (activity.Attachments?.Any(a => string.IsNullOrWhiteSpace(a.ContentType) || a.Content is null) == true)
        {
            throw new ArgumentException("Every attachment needs a content type and content.", nameof(activity));
        }
    }
}
