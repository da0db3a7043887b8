using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OnCallBot.TestKit.Teams;

/// <summary>One token request as the fake received it: the tenant in the path and the form fields.</summary>
public sealed record RecordedTokenRequest(string Tenant, string? ContentType, IReadOnlyDictionary<string, string> Form);

/// <summary>One Bot Connector call as the fake received it.</summary>
/// <param name="HttpMethod">POST or PUT.</param>
/// <param name="Operation"><c>create</c>, <c>send</c>, <c>reply</c> or <c>update</c>.</param>
/// <param name="RawTarget">The request target exactly as sent (escaping included), e.g. <c>/teams/v3/conversations/a%3A1/activities</c>.</param>
/// <param name="ConversationId">The conversation, decoded; null for create.</param>
/// <param name="ActivityId">The activity replied to or updated, decoded; null otherwise.</param>
/// <param name="Authorization">The Authorization header, or null.</param>
/// <param name="Body">The JSON body.</param>
public sealed record RecordedConnectorCall(
    string HttpMethod, string Operation, string RawTarget, string? ConversationId, string? ActivityId, string? Authorization, JsonNode? Body);

/// <summary>
/// A fake Bot Framework on 127.0.0.1 over real HTTP: the Microsoft identity platform's token endpoint and a Bot
/// Connector service URL (<see cref="ServiceUrl"/>, with a path like Teams' regional ones). The token endpoint checks
/// the client credentials form (grant, client id, secret, scope, tenant) and answers refusals as Entra does; the
/// Connector checks the bearer token (issued here, unexpired on <see cref="Clock"/>, not revoked), knows which
/// conversations and messages exist, answers 403 <c>MessageWritesBlocked</c> in a conversation whose user blocked the
/// bot (the body shape Teams documents), 404 for unknown conversations and messages, 413 for messages over Teams'
/// size limit, records every call, and can be scripted to answer 429 with Retry-After, 5xx or any body.
/// </summary>
public sealed class FakeBotFramework : IAsyncDisposable
{
    public const string AppId = "00000000-0000-4000-8000-00000000b07a";
    // Made up, and written in two parts so no committed line looks like a live secret.
    public static readonly string AppPassword = "fake-bot" + "-client-secret";
    public const string UserTenantId = "00000000-0000-4000-8000-0000000ten1";
    public const string Scope = "https://api.botframework.com/.default";
    public const string MultiTenant = "botframework.com";

    /// <summary>Teams refuses messages over about 28 KB.</summary>
    public const int MaxMessageBytes = 28 * 1024;

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedTokenRequest> _tokenRequests = new();
    private readonly ConcurrentQueue<RecordedConnectorCall> _connectorCalls = new();
    private readonly ConcurrentQueue<Func<Task<Answer?>>> _tokenScript = new();
    private readonly ConcurrentQueue<Func<Task<Answer>>> _connectorScript = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _issued = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, JsonNode?>> _conversations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _blocked = new(StringComparer.Ordinal);
    private long _sequence = 1_776_390_000_000;

    private FakeBotFramework(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The Connector's service URL, as an activity's <c>serviceUrl</c> would carry it.</summary>
    public Uri ServiceUrl => new(BaseUrl, "teams/");

    /// <summary>The tenant the token endpoint serves; another one in the path is refused (AADSTS90002).</summary>
    public string Tenant { get; set; } = MultiTenant;

    /// <summary>How long issued tokens last (the <c>expires_in</c> answered).</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The clock tokens expire on (a test's fake clock, so expiry follows it).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    public IReadOnlyList<RecordedTokenRequest> TokenRequests => [.. _tokenRequests];

    public IReadOnlyList<RecordedConnectorCall> ConnectorCalls => [.. _connectorCalls];

    /// <summary>The token endpoint for <paramref name="tenant"/> on this fake.</summary>
    public Uri TokenEndpoint(string tenant = MultiTenant) => new(BaseUrl, $"{Uri.EscapeDataString(tenant)}/oauth2/v2.0/token");

    public static async Task<FakeBotFramework> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeBotFramework(app);
        app.MapPost("/{tenant}/oauth2/v2.0/token", fake.HandleTokenAsync);
        app.MapPost("/teams/v3/conversations", context => fake.HandleConnectorAsync(context, "create"));
        app.MapPost("/teams/v3/conversations/{conversationId}/activities", context => fake.HandleConnectorAsync(context, "send"));
        app.MapPost("/teams/v3/conversations/{conversationId}/activities/{activityId}", context => fake.HandleConnectorAsync(context, "reply"));
        app.MapPut("/teams/v3/conversations/{conversationId}/activities/{activityId}", context => fake.HandleConnectorAsync(context, "update"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return fake;
    }

    /// <summary>A conversation the bot is in (as if a user had installed it, or it had created it before).</summary>
    public void KnowConversation(string conversationId) => _conversations.GetOrAdd(conversationId, _ => new(StringComparer.Ordinal));

    /// <summary>A message a user posted in a conversation the bot is in (so the bot can reply to it).</summary>
    public void KnowMessage(string conversationId, string activityId, JsonNode? activity = null) =>
        _conversations.GetOrAdd(conversationId, _ => new(StringComparer.Ordinal))[activityId] = activity;

    /// <summary>The user of this conversation blocked the bot: every write to it answers 403 <c>MessageWritesBlocked</c>.</summary>
    public void BlockConversation(string conversationId) => _blocked.TryAdd(conversationId, 0);

    /// <summary>Every token issued so far is refused from now on (as after a revoked secret).</summary>
    public void RevokeIssuedTokens() => _issued.Clear();

    /// <summary>The messages in a conversation, by activity id (the latest version of each).</summary>
    public IReadOnlyDictionary<string, JsonNode?> MessagesIn(string conversationId) =>
        _conversations.TryGetValue(conversationId, out var messages) ? new Dictionary<string, JsonNode?>(messages) : new Dictionary<string, JsonNode?>();

    /// <summary>The next token request is answered with this (e.g. a 503, or a body of a test's own).</summary>
    public void EnqueueTokenAnswer(int status, string body, int? retryAfterSeconds = null) =>
        _tokenScript.Enqueue(() => Task.FromResult<Answer?>(new Answer(status, body, retryAfterSeconds)));

    /// <summary>The next token request waits until the hold is released, then is answered as usual.</summary>
    public TeamsHold HoldNextTokenRequest()
    {
        var hold = new TeamsHold();
        _tokenScript.Enqueue(async () =>
        {
            hold.SignalEntered();
            await hold.Released;
            // Null: answer as usual.
            return null;
        });
        return hold;
    }

    /// <summary>The next Connector call (any route, after the token check) is answered with this.</summary>
    public void EnqueueConnectorAnswer(int status, string body, int? retryAfterSeconds = null) =>
        _connectorScript.Enqueue(() => Task.FromResult(new Answer(status, body, retryAfterSeconds)));

    /// <summary>The next Connector call is throttled as Teams throttles: 429, Retry-After.</summary>
    public void EnqueueThrottled(int retryAfterSeconds) =>
        EnqueueConnectorAnswer(429, """{"error":{"code":"Throttled","message":"The bot is being throttled. Retry after some time."}}""", retryAfterSeconds);

    /// <summary>The next Connector call fails as Teams does when it is unwell: 500 ServiceError (or 502, 503, 504).</summary>
    public void EnqueueServerError(int status = 500) =>
        EnqueueConnectorAnswer(status, """{"error":{"code":"ServiceError","message":"An internal error occurred."}}""");

    private async Task HandleTokenAsync(HttpContext context)
    {
        var tenant = (string)context.Request.RouteValues["tenant"]!;
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var raw = await reader.ReadToEndAsync();
        var form = new FormReader(raw).ReadForm().ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
        _tokenRequests.Enqueue(new RecordedTokenRequest(tenant, context.Request.ContentType, form));

        if (_tokenScript.TryDequeue(out var scripted) && await scripted() is { } answer)
        {
            await WriteAsync(context, answer);
            return;
        }
        string Field(string name) => form.GetValueOrDefault(name) ?? string.Empty;
        var refusal =
            context.Request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) != true
                ? AadError(400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
            : tenant != Tenant
                ? AadError(400, "invalid_request", 90002, $"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.")
            : Field("grant_type") != "client_credentials"
                ? AadError(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
            : Field("client_id") != AppId
                ? AadError(400, "unauthorized_client", 700016, $"Application with identifier '{Field("client_id")}' was not found in the directory '{tenant}'.")
            : Field("client_secret") != AppPassword
                ? AadError(401, "invalid_client", 7000215, $"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{AppId}'.")
            : Field("scope") != Scope
                ? AadError(400, "invalid_scope", 70011, $"The provided value for the input parameter 'scope' is not valid. The scope {Field("scope")} is not valid.")
            : null;
        if (refusal is not null)
        {
            await WriteAsync(context, refusal);
            return;
        }
        var token = "fake-bf-token-" + Interlocked.Increment(ref _sequence).ToString(CultureInfo.InvariantCulture);
        _issued[token] = Clock.GetUtcNow() + TokenLifetime;
        var seconds = (long)TokenLifetime.TotalSeconds;
        await WriteAsync(context, new Answer(200, new JsonObject
        {
            ["token_type"] = "Bearer", ["expires_in"] = seconds, ["ext_expires_in"] = seconds, ["access_token"] = token,
        }.ToJsonString(), null));
    }

    private static Answer AadError(int status, string error, int code, string description) => new(status, new JsonObject
    {
        ["error"] = error,
        ["error_description"] = $"AADSTS{code}: {description}\r\nTrace ID: 0b1c2d3e-0000-4000-8000-000000000000\r\nCorrelation ID: 1c2d3e4f-0000-4000-8000-000000000000\r\nTimestamp: 2026-01-05 09:00:00Z",
        ["error_codes"] = new JsonArray(code),
        ["timestamp"] = "2026-01-05 09:00:00Z",
        ["trace_id"] = "0b1c2d3e-0000-4000-8000-000000000000",
        ["correlation_id"] = "1c2d3e4f-0000-4000-8000-000000000000",
    }.ToJsonString(), null);

    private async Task HandleConnectorAsync(HttpContext context, string operation)
    {
        var conversationId = context.Request.RouteValues["conversationId"] as string;
        var activityId = context.Request.RouteValues["activityId"] as string;
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var raw = await reader.ReadToEndAsync();
        JsonNode? body = null;
        try
        {
            body = raw.Length == 0 ? null : JsonNode.Parse(raw);
        }
        catch (JsonException)
        {
        }
        var authorization = context.Request.Headers.Authorization.ToString();
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.ToString();
        _connectorCalls.Enqueue(new RecordedConnectorCall(
            context.Request.Method, operation, rawTarget, conversationId, activityId, authorization.Length == 0 ? null : authorization, body));

        var token = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..] : null;
        if (token is null || !_issued.TryGetValue(token, out var expires) || Clock.GetUtcNow() >= expires)
        {
            await WriteAsync(context, new Answer(401, """{"message":"Authorization has been denied for this request."}""", null));
            return;
        }
        if (_connectorScript.TryDequeue(out var scripted))
        {
            await WriteAsync(context, await scripted());
            return;
        }
        if (body is not JsonObject json)
        {
            await WriteAsync(context, Error(400, "BadSyntax", "The request body is not a JSON object."));
            return;
        }
        if (Encoding.UTF8.GetByteCount(raw) > MaxMessageBytes)
        {
            await WriteAsync(context, Error(413, "MessageSizeTooBig", "The size of the incoming request was too large."));
            return;
        }
        var answer = operation == "create" ? Create(json) : Write(operation, conversationId!, activityId, json);
        await WriteAsync(context, answer);
    }

    private Answer Create(JsonObject parameters)
    {
        var isGroup = parameters["isGroup"]?.GetValue<bool>() == true;
        var tenant = (string?)parameters["tenantId"];
        var bot = (string?)parameters["bot"]?["id"];
        if (bot is not null && bot != "28:" + AppId)
        {
            return Error(400, "ServiceError", $"Invalid userId: {bot}");
        }
        var activity = parameters["activity"] as JsonObject;
        if (!isGroup)
        {
            var members = parameters["members"] as JsonArray;
            var member = members is { Count: 1 } ? (string?)members[0]?["id"] : null;
            if (string.IsNullOrEmpty(tenant) || member is null || !member.StartsWith("29:", StringComparison.Ordinal))
            {
                return Error(400, "BadSyntax", "Incorrect conversation creation parameters");
            }
            // Teams answers the same 1:1 chat for the same user every time.
            var id = "a:1" + Convert.ToHexString(Encoding.UTF8.GetBytes(member)).ToLowerInvariant();
            var messages = _conversations.GetOrAdd(id, _ => new(StringComparer.Ordinal));
            if (activity is not null)
            {
                messages[NextId()] = activity.DeepClone();
            }
            return new Answer(201, new JsonObject { ["id"] = id }.ToJsonString(), null);
        }
        var channel = (string?)parameters["channelData"]?["channel"]?["id"];
        if (string.IsNullOrEmpty(tenant) || channel is null || !channel.StartsWith("19:", StringComparison.Ordinal) || activity is null)
        {
            return Error(400, "BadSyntax", "Incorrect conversation creation parameters");
        }
        var root = NextId();
        var thread = $"{channel};messageid={root}";
        _conversations.GetOrAdd(thread, _ => new(StringComparer.Ordinal))[root] = activity.DeepClone();
        return new Answer(201, new JsonObject { ["id"] = thread, ["activityId"] = root }.ToJsonString(), null);
    }

    private Answer Write(string operation, string conversationId, string? activityId, JsonObject activity)
    {
        if (!_conversations.TryGetValue(conversationId, out var messages))
        {
            return Error(404, "ConversationNotFound", "Conversation not found.");
        }
        if (_blocked.ContainsKey(conversationId))
        {
            // The shape Teams documents for a user who blocked the bot: a numeric errorCode and a message that is JSON.
            return new Answer(403, new JsonObject
            {
                ["errorCode"] = 209,
                ["message"] = "{\r\n  \"subCode\": \"MessageWritesBlocked\",\r\n  \"details\": \"Thread is blocked from message writes.\",\r\n  \"errorCode\": null,\r\n  \"errorSubCode\": null\r\n}",
            }.ToJsonString(), null);
        }
        if (string.IsNullOrEmpty((string?)activity["type"]))
        {
            return Error(400, "BadSyntax", "Activity type is required.");
        }
        if (operation == "update")
        {
            if (!messages.ContainsKey(activityId!))
            {
                return Error(404, "ActivityNotFoundInConversation", "The activity was not found in the conversation.");
            }
            messages[activityId!] = activity.DeepClone();
            return new Answer(200, new JsonObject { ["id"] = activityId }.ToJsonString(), null);
        }
        if (operation == "reply" && !messages.ContainsKey(activityId!))
        {
            return Error(404, "ActivityNotFoundInConversation", "The activity was not found in the conversation.");
        }
        var id = NextId();
        messages[id] = activity.DeepClone();
        return new Answer(201, new JsonObject { ["id"] = id }.ToJsonString(), null);
    }

    private string NextId() => Interlocked.Increment(ref _sequence).ToString(CultureInfo.InvariantCulture);

    private static Answer Error(int status, string code, string message) =>
        new(status, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } }.ToJsonString(), null);

    private static async Task WriteAsync(HttpContext context, Answer answer)
    {
        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = "application/json; charset=utf-8";
        if (answer.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }
        await context.Response.WriteAsync(answer.Body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed record Answer(int Status, string Body, int? RetryAfterSeconds);
}

/// <summary>A request the fake holds back until the test releases it.</summary>
public sealed class TeamsHold
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the held request has arrived.</summary>
    public Task Entered => _entered.Task;

    internal Task Released => _released.Task;

    public void Release() => _released.TrySetResult();

    internal void SignalEntered() => _entered.TrySetResult();
}
