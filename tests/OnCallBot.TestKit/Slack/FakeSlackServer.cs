using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OnCallBot.TestKit.Slack;

/// <summary>One Web API call as the fake received it.</summary>
public sealed record RecordedSlackCall(string Method, string HttpMethod, string? ContentType, string? Token, IReadOnlyDictionary<string, string> Args)
{
    /// <summary>The Content-Length the client declared; null when it streamed the body in chunks instead.</summary>
    public long? ContentLength { get; init; }

    /// <summary>When the call arrived, on the fake's clock (<see cref="FakeSlackServerOptions.TimeProvider"/>).</summary>
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>
    /// True when the fake, applying <see cref="FakeSlackServerOptions.RateLimits"/>, answered HTTP 429 <c>ratelimited</c>:
    /// Slack did not carry the call out. (Scripted 429s from <see cref="FakeSlackServer.EnqueueRateLimit"/> are not marked.)
    /// </summary>
    public bool RateLimited { get; init; }

    /// <summary>The <c>channel</c> argument, if any.</summary>
    public string? Channel => Args.GetValueOrDefault("channel");
}

/// <summary>How a <see cref="FakeSlackServer"/> behaves.</summary>
public sealed record FakeSlackServerOptions
{
    /// <summary>Check every call against Slack's spec when ../shared/fixtures is present. Default true.</summary>
    public bool CheckSpec { get; init; } = true;

    /// <summary>
    /// Slack's rate limits to apply (e.g. <see cref="SlackRateLimits.Published"/>): a call over its method's tier, or
    /// over <c>chat.postMessage</c>'s per-channel rate, is answered HTTP 429 with <c>Retry-After</c> and
    /// <c>{"ok":false,"error":"ratelimited"}</c>. Default null: every call is answered.
    /// </summary>
    public SlackRateLimits? RateLimits { get; init; }

    /// <summary>The clock calls are stamped and rate limits counted on. Default the system clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>One post to a <c>response_url</c> the fake handed out: which one, the JSON body, and the Authorization header (which must be absent).</summary>
public sealed record RecordedResponseUrlPost(string Id, string Body, string? Authorization);

/// <summary>
/// A fake Slack Web API (and Socket Mode WebSocket endpoint) on 127.0.0.1 over real HTTP. It checks bearer tokens
/// like Slack (<c>not_authed</c>, <c>invalid_auth</c>, <c>not_allowed_token_type</c>), checks every call against
/// Slack's spec when ../shared/fixtures is present, answers realistic <c>ok:true</c> bodies, records calls (with
/// when they arrived), and can be scripted to answer errors, 429s or exact bodies. Started with
/// <see cref="FakeSlackServerOptions.RateLimits"/>, it also applies Slack's rate tiers as Slack does.
/// </summary>
/// <remarks>
/// Order of answers: a bad token first; then, with rate limits on, a call over its limit gets 429 (a scripted answer
/// stays queued for the next admitted call); then a scripted answer; else success. <c>conversations.open</c> answers
/// the same DM channel id every time for the same user, as Slack does (<see cref="DirectChannelFor"/>).
/// </remarks>
public sealed class FakeSlackServer : IAsyncDisposable
{
    public const string BotToken = "xoxb-1111-2222-fakebottoken";
    public const string AppToken = "xapp-1-A111-3333-fakeapptoken";

    private readonly WebApplication _app;
    private readonly SlackWebApiSpec? _spec;
    private readonly ConcurrentQueue<RecordedSlackCall> _calls = new();
    private readonly List<(Func<RecordedSlackCall, bool> Match, TaskCompletionSource<RecordedSlackCall> Done)> _waiters = [];
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Func<RecordedSlackCall, Task<(int Status, string Body, int? RetryAfter)>>>> _scripted = new();
    private readonly ConcurrentQueue<RecordedResponseUrlPost> _responseUrlPosts = new();
    private readonly Channel<RecordedResponseUrlPost> _responseUrlFeed = Channel.CreateUnbounded<RecordedResponseUrlPost>();
    private readonly Channel<FakeSocketConnection> _sockets = Channel.CreateUnbounded<FakeSocketConnection>();
    private readonly ConcurrentDictionary<string, string> _directChannels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _directChannelUsers = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly SlackRateLimitEnforcer? _rateLimits;
    private int _sequence;

    private FakeSlackServer(WebApplication app, SlackWebApiSpec? spec, FakeSlackServerOptions options)
    {
        _app = app;
        _spec = spec;
        _time = options.TimeProvider;
        _rateLimits = options.RateLimits is { } limits ? new SlackRateLimitEnforcer(limits, options.TimeProvider) : null;
    }

    /// <summary>The limits applied, or null when every call is answered.</summary>
    public SlackRateLimits? RateLimits => _rateLimits?.Limits;

    /// <summary>True when calls are checked against the spec (the shared fixtures are present).</summary>
    public bool ChecksSpec => _spec is not null;

    public Uri BaseUrl { get; private set; } = null!;

    public Uri ApiBaseUrl => new(BaseUrl, "api/");

    public IReadOnlyList<RecordedSlackCall> Calls => [.. _calls];

    public IReadOnlyList<string> SpecViolations => [.. _violations];

    /// <summary>Socket Mode connections as clients open them.</summary>
    public ChannelReader<FakeSocketConnection> SocketConnections => _sockets.Reader;

    public static Task<FakeSlackServer> StartAsync(bool checkSpec = true) => StartAsync(new FakeSlackServerOptions { CheckSpec = checkSpec });

    public static async Task<FakeSlackServer> StartAsync(FakeSlackServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeSlackServer(app, options.CheckSpec ? SlackWebApiSpec.TryLoad() : null, options);
        app.UseWebSockets();
        app.Map("/api/{method}", server.HandleApiAsync);
        app.Map("/link", server.HandleSocketAsync);
        app.MapPost("/hooks/{id}", server.HandleResponseUrlAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    /// <summary>
    /// The first call (already made, or still to come) that matches, for tests that wait on another process or a
    /// background job: completes as soon as the call arrives, fails with <see cref="TimeoutException"/> after <paramref name="timeout"/>.
    /// </summary>
    public Task<RecordedSlackCall> WaitForCallAsync(Func<RecordedSlackCall, bool> match, TimeSpan timeout)
    {
        lock (_waiters)
        {
            if (_calls.FirstOrDefault(match) is { } seen)
            {
                return Task.FromResult(seen);
            }
            var done = new TaskCompletionSource<RecordedSlackCall>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, done));
            return done.Task.WaitAsync(timeout);
        }
    }

    public IReadOnlyList<RecordedSlackCall> CallsTo(string method) => [.. _calls.Where(c => c.Method == method)];

    /// <summary>
    /// The DM channel id <c>conversations.open</c> answers for <paramref name="userId"/>, now and every later time (Slack
    /// keeps one DM per user). A test or bench can hand it to the bot's store as a conversation opened before.
    /// </summary>
    public string DirectChannelFor(string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        return _directChannels.GetOrAdd(userId, user =>
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"D{Interlocked.Increment(ref _sequence):D8}");
            _directChannelUsers[id] = user;
            return id;
        });
    }

    /// <summary>Whose DM <paramref name="channelId"/> is, when this fake handed it out; null otherwise.</summary>
    public string? UserOfDirectChannel(string channelId) => _directChannelUsers.GetValueOrDefault(channelId);

    /// <summary>Every post to a <see cref="ResponseUrl"/>, in arrival order.</summary>
    public IReadOnlyList<RecordedResponseUrlPost> ResponseUrlPosts => [.. _responseUrlPosts];

    /// <summary>A <c>response_url</c> on this fake, as Slack puts in commands and interactions (<c>https://hooks.slack.com/...</c> in production).</summary>
    public Uri ResponseUrl(string id) => new(BaseUrl, "hooks/" + Uri.EscapeDataString(id));

    /// <summary>Waits for the next post to any response URL (one not yet taken by an earlier call).</summary>
    public async Task<RecordedResponseUrlPost> NextResponseUrlPostAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        return await _responseUrlFeed.Reader.ReadAsync(cts.Token);
    }

    /// <summary>
    /// The next call to <paramref name="method"/> is held until <see cref="SlackHold.Release"/>, then answers as
    /// usual: Slack being slow, for tests of deadlines. <see cref="SlackHold.Entered"/> completes when the call arrives.
    /// </summary>
    public SlackHold HoldNext(string method)
    {
        var hold = new SlackHold();
        _scripted.GetOrAdd(method, _ => new()).Enqueue(async call =>
        {
            hold.SignalEntered();
            await hold.Released;
            return (200, Success(call.Method, call.Args).ToJsonString(), null);
        });
        return hold;
    }

    /// <summary>The next call to <paramref name="method"/> answers <c>{"ok":false,"error":...}</c>.</summary>
    public void EnqueueError(string method, string error, string? needed = null)
    {
        var body = new JsonObject { ["ok"] = false, ["error"] = error };
        if (needed is not null)
        {
            body["needed"] = needed;
            body["provided"] = "chat:write";
        }
        Enqueue(method, _ => (200, body.ToJsonString(), null));
    }

    /// <summary>The next call to <paramref name="method"/> answers HTTP 429 with <c>Retry-After</c>, as Slack does.</summary>
    public void EnqueueRateLimit(string method, int retryAfterSeconds) =>
        Enqueue(method, _ => (429, """{"ok":false,"error":"ratelimited"}""", retryAfterSeconds));

    /// <summary>The next call to <paramref name="method"/> answers exactly this body (e.g. a fixture response).</summary>
    public void EnqueueBody(string method, string body, int status = 200) => Enqueue(method, _ => (status, body, null));

    private void Enqueue(string method, Func<RecordedSlackCall, (int, string, int?)> answer) =>
        _scripted.GetOrAdd(method, _ => new()).Enqueue(call => Task.FromResult(answer(call)));

    private async Task HandleResponseUrlAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var authorization = context.Request.Headers.Authorization.ToString();
        var post = new RecordedResponseUrlPost((string)context.Request.RouteValues["id"]!, body, authorization.Length == 0 ? null : authorization);
        _responseUrlPosts.Enqueue(post);
        _responseUrlFeed.Writer.TryWrite(post);
        // Slack answers a response_url post with a bare "ok".
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/html";
        await context.Response.WriteAsync("ok");
    }

    private async Task HandleApiAsync(HttpContext context)
    {
        var method = (string)context.Request.RouteValues["method"]!;
        var args = await ReadArgsAsync(context.Request);
        var token = context.Request.Headers.Authorization.ToString() is { Length: > 7 } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal)
            ? auth["Bearer ".Length..]
            : args.GetValueOrDefault("token");
        var tokenError = token switch
        {
            null or "" => "not_authed",
            AppToken => method == "apps.connections.open" ? null : "not_allowed_token_type",
            BotToken => method == "apps.connections.open" ? "not_allowed_token_type" : null,
            _ => "invalid_auth",
        };
        // Slack counts per app per workspace, which the token stands for here; a call it cannot authenticate counts for no one.
        var overLimit = tokenError is null ? _rateLimits?.TryAdmit(token!, method, args.GetValueOrDefault("channel")) : null;
        var call = new RecordedSlackCall(method, context.Request.Method, context.Request.ContentType, token, args)
        {
            ContentLength = context.Request.ContentLength,
            ReceivedAt = _time.GetUtcNow(),
            RateLimited = overLimit is not null,
        };
        lock (_waiters)
        {
            _calls.Enqueue(call);
            foreach (var waiter in _waiters.Where(w => w.Match(call)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.TrySetResult(call);
            }
        }

        if (_spec is not null)
        {
            foreach (var problem in _spec.Check(method, args.Keys))
            {
                _violations.Enqueue(problem);
            }
        }

        if (tokenError is not null)
        {
            await WriteAsync(context, 200, new JsonObject { ["ok"] = false, ["error"] = tokenError }.ToJsonString(), null);
            return;
        }
        if (overLimit is { } wait)
        {
            await WriteAsync(context, 429, """{"ok":false,"error":"ratelimited"}""", (int)wait.TotalSeconds);
            return;
        }

        if (_scripted.TryGetValue(method, out var queue) && queue.TryDequeue(out var scripted))
        {
            var (status, body, retryAfter) = await scripted(call);
            await WriteAsync(context, status, body, retryAfter);
            return;
        }
        await WriteAsync(context, 200, Success(method, args).ToJsonString(), null);
    }

    private JsonObject Success(string method, IReadOnlyDictionary<string, string> args)
    {
        var n = Interlocked.Increment(ref _sequence);
        var ts = string.Create(CultureInfo.InvariantCulture, $"1503435956.{n:D6}");
        string Arg(string name) => args.GetValueOrDefault(name) ?? string.Empty;
        return method switch
        {
            "chat.postMessage" => new JsonObject
            {
                ["ok"] = true, ["channel"] = Arg("channel"), ["ts"] = ts,
                ["message"] = new JsonObject { ["text"] = Arg("text"), ["type"] = "message", ["subtype"] = "bot_message", ["bot_id"] = "B123ABC456", ["ts"] = ts },
            },
            "chat.update" => new JsonObject { ["ok"] = true, ["channel"] = Arg("channel"), ["ts"] = Arg("ts"), ["text"] = Arg("text") },
            "chat.postEphemeral" => new JsonObject { ["ok"] = true, ["message_ts"] = ts },
            "conversations.open" => new JsonObject { ["ok"] = true, ["channel"] = new JsonObject { ["id"] = Arg("users") is { Length: > 0 } users ? DirectChannelFor(users) : $"D{n:D8}" } },
            "conversations.create" => new JsonObject
            {
                ["ok"] = true,
                ["channel"] = new JsonObject
                {
                    ["id"] = $"C{n:D8}", ["name"] = Arg("name"), ["is_channel"] = true, ["is_group"] = false, ["is_im"] = false,
                    ["is_private"] = Arg("is_private") == "true", ["created"] = 1504554479, ["creator"] = "U0123456", ["is_archived"] = false,
                    ["name_normalized"] = Arg("name"), ["is_member"] = true,
                },
            },
            "conversations.invite" or "conversations.setTopic" => new JsonObject
            {
                ["ok"] = true, ["channel"] = new JsonObject { ["id"] = Arg("channel"), ["name"] = "incident", ["is_channel"] = true },
            },
            "conversations.archive" or "pins.add" => new JsonObject { ["ok"] = true },
            "users.info" or "users.lookupByEmail" => new JsonObject
            {
                ["ok"] = true,
                ["user"] = new JsonObject
                {
                    ["id"] = method == "users.info" ? Arg("user") : "W012A3CDE", ["team_id"] = "T012AB3C4", ["name"] = "spengler",
                    ["deleted"] = false, ["real_name"] = "Egon Spengler", ["tz"] = "America/Los_Angeles", ["is_bot"] = false,
                    ["profile"] = new JsonObject
                    {
                        ["real_name"] = "Egon Spengler", ["display_name"] = "spengler",
                        ["email"] = method == "users.lookupByEmail" ? Arg("email") : "spengler@ghostbusters.example.com",
                    },
                },
            },
            "apps.connections.open" => new JsonObject
            {
                ["ok"] = true,
                ["url"] = new UriBuilder(BaseUrl) { Scheme = "ws", Path = "/link/", Query = $"ticket={n}&app_id=A111" }.Uri.ToString(),
            },
            _ => new JsonObject { ["ok"] = false, ["error"] = "unknown_method" },
        };
    }

    private static async Task<IReadOnlyDictionary<string, string>> ReadArgsAsync(HttpRequest request)
    {
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in request.Query)
        {
            args[key] = value.ToString();
        }
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        if (body.Length == 0)
        {
            return args;
        }
        if (request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
        {
            using var json = JsonDocument.Parse(body);
            foreach (var property in json.RootElement.EnumerateObject())
            {
                args[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }
        }
        else
        {
            foreach (var (key, value) in new FormReader(body).ReadForm())
            {
                args[key] = value.ToString();
            }
        }
        return args;
    }

    private static async Task WriteAsync(HttpContext context, int status, string body, int? retryAfter)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        if (retryAfter is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }
        await context.Response.WriteAsync(body);
    }

    private async Task HandleSocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = (int)HttpStatusCode.BadRequest;
            return;
        }
        var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new FakeSocketConnection(socket);
        await _sockets.Writer.WriteAsync(connection);
        await connection.RunAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _sockets.Writer.TryComplete();
        _responseUrlFeed.Writer.TryComplete();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A Web API call the fake holds back until the test releases it.</summary>
public sealed class SlackHold
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the held call has arrived.</summary>
    public Task Entered => _entered.Task;

    internal Task Released => _released.Task;

    public void Release() => _released.TrySetResult();

    internal void SignalEntered() => _entered.TrySetResult();
}

/// <summary>The server side of one Socket Mode WebSocket, driven by a test.</summary>
public sealed class FakeSocketConnection
{
    private readonly WebSocket _socket;
    private readonly Channel<string> _received = Channel.CreateUnbounded<string>();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    public FakeSocketConnection(WebSocket socket) => _socket = socket;

    /// <summary>Completes when the connection is over, whichever side ended it.</summary>
    public Task Closed => _done.Task;

    public async Task SendAsync(string json)
    {
        await _sendLock.WaitAsync();
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>The next text message from the client, or null once it closed.</summary>
    public async Task<string?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return await _received.Reader.ReadAsync(cts.Token);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Drops the connection without a close handshake, as a network failure would.</summary>
    public void Drop()
    {
        _socket.Abort();
        _done.TrySetResult();
    }

    internal async Task RunAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (!_done.Task.IsCompleted)
            {
                message.SetLength(0);
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        if (_socket.State == WebSocketState.CloseReceived)
                        {
                            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                        }
                        return;
                    }
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);
                await _received.Writer.WriteAsync(Encoding.UTF8.GetString(message.ToArray()));
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            _received.Writer.TryComplete();
            _done.TrySetResult();
        }
    }
}
