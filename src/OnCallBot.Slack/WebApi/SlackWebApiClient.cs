using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace OnCallBot.Slack.WebApi;

/// <summary>
/// The typed Slack Web API client (registered with <c>AddHttpClient</c> by
/// <see cref="SlackServiceCollectionExtensions.AddSlack"/>). Write methods send JSON bodies; read methods
/// (<c>users.info</c>, <c>users.lookupByEmail</c>) send forms, as Slack requires.
/// </summary>
/// <remarks>
/// Every call waits its turn in <see cref="SlackRateLimiter"/>; an HTTP 429 is retried after Slack's
/// <c>Retry-After</c> (up to <see cref="SlackOptions.MaxRateLimitRetries"/> times). Nothing else is retried:
/// a call that failed in transit may have been carried out, and posting a page twice is worse than once.
/// <c>"ok": false</c> throws <see cref="SlackApiException"/>.
/// </remarks>
public sealed partial class SlackWebApiClient
{
    private static readonly JsonSerializerOptions WireJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = false,
    };

    private readonly HttpClient _http;
    private readonly SlackRateLimiter _rateLimiter;
    private readonly IOptionsMonitor<SlackOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SlackWebApiClient> _logger;

    public SlackWebApiClient(
        HttpClient http, SlackRateLimiter rateLimiter, IOptionsMonitor<SlackOptions> options, TimeProvider timeProvider, ILogger<SlackWebApiClient> logger)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(rateLimiter);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _http = http;
        _rateLimiter = rateLimiter;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
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
        var body = new JsonObject { ["channel"] = channel, ["text"] = text };
        AddBlocks(body, blocks);
        if (threadTs is not null)
        {
            RequireTs(threadTs, nameof(threadTs));
            body["thread_ts"] = threadTs;
        }
        var result = await CallAsync<PostMessageWire>("chat.postMessage", Json(body), SlackTokenKind.Bot, channel, cancellationToken);
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
        var body = new JsonObject { ["channel"] = channel, ["ts"] = ts, ["text"] = text };
        AddBlocks(body, blocks);
        var result = await CallAsync<PostMessageWire>("chat.update", Json(body), SlackTokenKind.Bot, channel, cancellationToken);
        return new SlackMessageRef(result.Channel ?? channel, result.Ts ?? Invalid<string>("chat.update", "ts"));
    }

    /// <summary><c>chat.postEphemeral</c>: shows a message to one user in a conversation; returns its ts.</summary>
    public async Task<string> PostEphemeralAsync(
        string channel, string user, string text, JsonElement? blocks = null, string? threadTs = null, CancellationToken cancellationToken = default)
    {
        RequireId(channel, nameof(channel));
        RequireId(user, nameof(user));
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var body = new JsonObject { ["channel"] = channel, ["user"] = user, ["text"] = text };
        AddBlocks(body, blocks);
        if (threadTs is not null)
        {
            RequireTs(threadTs, nameof(threadTs));
            body["thread_ts"] = threadTs;
        }
        var result = await CallAsync<PostEphemeralWire>("chat.postEphemeral", Json(body), SlackTokenKind.Bot, channel, cancellationToken);
        return result.MessageTs ?? Invalid<string>("chat.postEphemeral", "message_ts");
    }

    /// <summary><c>conversations.open</c>: opens (or finds) a direct message with 1 user, or a group DM with up to 8; returns its id.</summary>
    public async Task<string> OpenConversationAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken = default)
    {
        var users = RequireUsers(userIds, maxCount: 8);
        var body = new JsonObject { ["users"] = string.Join(',', users) };
        var result = await CallAsync<ConversationEnvelopeWire>("conversations.open", Json(body), SlackTokenKind.Bot, null, cancellationToken);
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
        var body = new JsonObject { ["name"] = name, ["is_private"] = isPrivate };
        var result = await CallAsync<ConversationEnvelopeWire>("conversations.create", Json(body), SlackTokenKind.Bot, null, cancellationToken);
        var channel = result.Channel ?? Invalid<ConversationWire>("conversations.create", "channel");
        return new SlackConversation(channel.Id ?? Invalid<string>("conversations.create", "channel.id"), channel.Name ?? name, channel.IsPrivate);
    }

    /// <summary><c>conversations.invite</c>: invites 1 to 100 users to a channel.</summary>
    public async Task InviteToConversationAsync(string channel, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken = default)
    {
        RequireId(channel, nameof(channel));
        var users = RequireUsers(userIds, maxCount: 100);
        var body = new JsonObject { ["channel"] = channel, ["users"] = string.Join(',', users) };
        await CallAsync<JsonElement>("conversations.invite", Json(body), SlackTokenKind.Bot, channel, cancellationToken);
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
        var body = new JsonObject { ["channel"] = channel, ["topic"] = topic };
        await CallAsync<JsonElement>("conversations.setTopic", Json(body), SlackTokenKind.Bot, channel, cancellationToken);
    }

    /// <summary><c>conversations.archive</c>: archives a channel.</summary>
    public async Task ArchiveConversationAsync(string channel, CancellationToken cancellationToken = default)
    {
        RequireId(channel, nameof(channel));
        await CallAsync<JsonElement>("conversations.archive", Json(new JsonObject { ["channel"] = channel }), SlackTokenKind.Bot, channel, cancellationToken);
    }

    /// <summary><c>pins.add</c>: pins a message to its channel.</summary>
    public async Task AddPinAsync(string channel, string ts, CancellationToken cancellationToken = default)
    {
        RequireId(channel, nameof(channel));
        RequireTs(ts, nameof(ts));
        var body = new JsonObject { ["channel"] = channel, ["timestamp"] = ts };
        await CallAsync<JsonElement>("pins.add", Json(body), SlackTokenKind.Bot, channel, cancellationToken);
    }

    /// <summary><c>users.info</c> (form-encoded): a user by id. Throws <see cref="SlackApiException"/> <c>user_not_found</c> when there is none.</summary>
    public async Task<SlackUser> GetUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        RequireId(userId, nameof(userId));
        var result = await CallAsync<UserEnvelopeWire>("users.info", Form(("user", userId)), SlackTokenKind.Bot, null, cancellationToken);
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
            var result = await CallAsync<UserEnvelopeWire>("users.lookupByEmail", Form(("email", email)), SlackTokenKind.Bot, null, cancellationToken);
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
        var result = await CallAsync<ConnectionsOpenWire>("apps.connections.open", Form(), SlackTokenKind.App, null, cancellationToken);
        if (result.Url is null || !Uri.TryCreate(result.Url, UriKind.Absolute, out var url) || (url.Scheme != "wss" && url.Scheme != "ws"))
        {
            return Invalid<Uri>("apps.connections.open", "url");
        }
        return url;
    }

    private async Task<T> CallAsync<T>(string method, Func<HttpContent> content, SlackTokenKind token, string? channel, CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        var pipeline = BuildRetryPipeline(method, options);
        var response = await pipeline.ExecuteAsync(
            async ct =>
            {
                await _rateLimiter.WaitAsync(method, channel, ct);
                using var request = new HttpRequestMessage(HttpMethod.Post, method) { Content = content() };
                request.Options.Set(SlackAuthenticationHandler.TokenKindKey, token);
                Log.ApiCall(_logger, method);
                return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            },
            cancellationToken);

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var retryAfter = RetryAfterOf(response);
                Log.RateLimitExhausted(_logger, method, retryAfter?.TotalSeconds);
                throw new SlackApiException(method, "ratelimited", retryAfter: retryAfter, statusCode: response.StatusCode);
            }

            JsonElement root;
            try
            {
                var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                root = JsonSerializer.Deserialize<JsonElement>(bytes);
            }
            catch (JsonException)
            {
                var code = response.IsSuccessStatusCode ? SlackApiException.InvalidResponseCode : SlackApiException.HttpErrorCode;
                Log.ApiFailed(_logger, method, code, null, (int)response.StatusCode);
                throw new SlackApiException(method, code, statusCode: response.IsSuccessStatusCode ? null : response.StatusCode);
            }

            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("ok", out var ok) || ok.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                var code = response.IsSuccessStatusCode ? SlackApiException.InvalidResponseCode : SlackApiException.HttpErrorCode;
                Log.ApiFailed(_logger, method, code, null, (int)response.StatusCode);
                throw new SlackApiException(method, code, statusCode: response.IsSuccessStatusCode ? null : response.StatusCode);
            }
            if (ok.ValueKind == JsonValueKind.False)
            {
                var error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()! : "unknown_error";
                var needed = root.TryGetProperty("needed", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                Log.ApiFailed(_logger, method, error, needed, (int)response.StatusCode);
                throw new SlackApiException(method, error, needed, statusCode: response.IsSuccessStatusCode ? null : response.StatusCode);
            }
            if (root.TryGetProperty("warning", out var warning) && warning.ValueKind == JsonValueKind.String)
            {
                Log.ApiWarning(_logger, method, warning.GetString()!);
            }
            try
            {
                return root.Deserialize<T>(WireJson) ?? Invalid<T>(method, "body");
            }
            catch (JsonException)
            {
                return Invalid<T>(method, "body");
            }
        }
    }

    private ResiliencePipeline<HttpResponseMessage> BuildRetryPipeline(string method, SlackOptions options)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _timeProvider };
        if (options.MaxRateLimitRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRateLimitRetries,
                BackoffType = DelayBackoffType.Constant,
                UseJitter = false,
                Delay = TimeSpan.FromSeconds(1),
                // Only 429 is safe to retry: Slack did not carry the call out. A wait longer than we accept fails now.
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests } response &&
                    (RetryAfterOf(response) ?? TimeSpan.FromSeconds(1)) <= options.MaxRetryAfter),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                    args.Outcome.Result is { } response ? RetryAfterOf(response) ?? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(1)),
                OnRetry = args =>
                {
                    Log.RateLimited(_logger, method, args.RetryDelay.TotalSeconds, args.AttemptNumber + 1);
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            });
        }
        return builder.Build();
    }

    private TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - _timeProvider.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    private static Func<HttpContent> Json(JsonObject body)
    {
        var text = body.ToJsonString();
        return () => new StringContent(text, Encoding.UTF8, "application/json");
    }

    private static Func<HttpContent> Form(params (string Name, string Value)[] fields) =>
        () => new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    private static void AddBlocks(JsonObject body, JsonElement? blocks)
    {
        if (blocks is not { } value)
        {
            return;
        }
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new ArgumentException("Block Kit blocks must be a JSON array.", nameof(blocks));
        }
        body["blocks"] = JsonNode.Parse(value.GetRawText());
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
