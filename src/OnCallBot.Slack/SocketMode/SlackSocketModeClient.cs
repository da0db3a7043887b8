using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnCallBot.Slack.Inbound;
using OnCallBot.Slack.WebApi;

namespace OnCallBot.Slack.SocketMode;

/// <summary>
/// Receives Slack's events, slash commands and interactions over Socket Mode when <c>Slack:AppToken</c> is set:
/// opens a WebSocket URL with <c>apps.connections.open</c>, hands every envelope to the same
/// <see cref="ISlackInboundHandler"/> as the HTTP endpoints, and acknowledges it by <c>envelope_id</c> (with the
/// handler's answer as <c>payload</c> when Slack accepts one).
/// </summary>
/// <remarks>
/// On <c>{"type":"disconnect"}</c> a new connection is opened at once while the old one keeps serving until the
/// new one says hello. On a drop or error it reconnects after an exponential backoff with jitter (1 s doubling to
/// 30 s), reset once a connection is healthy again. All waits use the injected <see cref="TimeProvider"/>.
/// </remarks>
public sealed class SlackSocketModeClient : BackgroundService
{
    internal static readonly TimeSpan InitialBackoff = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    // Slack's envelopes are small; this bounds memory if the peer misbehaves.
    private const int MaxMessageBytes = 4 * 1024 * 1024;
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly IServiceScopeFactory _scopes;
    private readonly SlackInboundDispatcher _dispatcher;
    private readonly IOptionsMonitor<SlackOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SlackSocketModeClient> _logger;

    internal SlackSocketModeClient(
        IServiceScopeFactory scopes,
        SlackInboundDispatcher dispatcher,
        IOptionsMonitor<SlackOptions> options,
        TimeProvider timeProvider,
        ILogger<SlackSocketModeClient> logger)
    {
        _scopes = scopes;
        _dispatcher = dispatcher;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The delay before reconnect attempt <paramref name="failures"/> (0-based): 1 s doubling to 30 s, jittered into its upper half.</summary>
    internal static TimeSpan Backoff(int failures, double jitter)
    {
        var ceiling = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, InitialBackoff.Ticks << Math.Min(failures, 16)));
        return ceiling / 2 + ceiling / 2 * Math.Clamp(jitter, 0, 1);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.CurrentValue.IsSocketModeEnabled)
        {
            return;
        }
        Log.SocketModeStarting(_logger);
        var failures = 0;
        Connection? draining = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Connection? connection = null;
                try
                {
                    connection = await ConnectAsync(stoppingToken);
                    var first = await Task.WhenAny(connection.Hello, connection.Completion);
                    if (first == connection.Hello && connection.Hello.IsCompletedSuccessfully)
                    {
                        failures = 0;
                        Log.SocketModeConnected(_logger, connection.Number);
                        if (draining is not null)
                        {
                            await draining.CloseAsync();
                            draining = null;
                        }
                    }
                    var ended = await Task.WhenAny(connection.DisconnectRequested, connection.Completion);
                    if (ended == connection.DisconnectRequested && connection.DisconnectRequested.IsCompletedSuccessfully)
                    {
                        // Slack asked for a new connection: open it now, keep this one serving until the new one is up.
                        Log.SocketModeDisconnectRequested(_logger, connection.Number, await connection.DisconnectRequested);
                        if (draining is not null)
                        {
                            await draining.CloseAsync();
                        }
                        draining = connection;
                        connection = null;
                        continue;
                    }
                    await connection.Completion;
                    Log.SocketModeDropped(_logger, connection.Number, connection.Socket.CloseStatus?.ToString(), connection.Socket.CloseStatusDescription);
                    if (!connection.Hello.IsCompletedSuccessfully)
                    {
                        failures++;
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    Log.SocketModeConnectionFailed(_logger, ex, failures + 1, Describe(ex));
                    failures++;
                }
                finally
                {
                    if (connection is not null)
                    {
                        await connection.CloseAsync();
                    }
                }

                if (draining is not null)
                {
                    await draining.CloseAsync();
                    draining = null;
                }
                var delay = Backoff(failures, Random.Shared.NextDouble());
                Log.SocketModeReconnecting(_logger, delay.TotalSeconds, failures);
                await Task.Delay(delay, _timeProvider, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (draining is not null)
            {
                await draining.CloseAsync();
            }
            Log.SocketModeStopped(_logger);
        }
    }

    private static string Describe(Exception ex) => ex is SlackApiException api ? api.Message : ex.GetType().Name + ": " + ex.Message;

    private int _connectionCount;

    private async Task<Connection> ConnectAsync(CancellationToken stoppingToken)
    {
        Uri url;
        // A fresh scope each time: the typed HttpClient is transient and picks up rotated tokens.
        await using (var scope = _scopes.CreateAsyncScope())
        {
            url = await scope.ServiceProvider.GetRequiredService<SlackWebApiClient>().OpenSocketModeConnectionAsync(stoppingToken);
        }
        var socket = new ClientWebSocket();
        try
        {
            await socket.ConnectAsync(url, stoppingToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var connection = new Connection(this, socket, Interlocked.Increment(ref _connectionCount), stoppingToken);
        connection.Start();
        return connection;
    }

    private async Task<JsonObject?> HandleEnvelopeAsync(string envelopeId, string type, JsonElement payload, SlackRetryInfo retry, CancellationToken cancellationToken)
    {
        var delivery = SlackInboundDispatcher.EnvelopeDelivery(envelopeId);
        await using var scope = _scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        switch (type)
        {
            case "events_api":
                if (payload.TryGetProperty("type", out var eventType) && eventType.ValueKind == JsonValueKind.String && eventType.GetString() != "event_callback")
                {
                    Log.UnhandledEventEnvelope(_logger, eventType.GetString()!);
                    return null;
                }
                var slackEvent = SlackPayloadParser.ParseEventCallback(payload, retry);
                return (await _dispatcher.DispatchEventAsync(services, slackEvent, cancellationToken))?.ToJson();
            case "slash_commands":
                var command = SlackPayloadParser.ParseCommand(payload, retry);
                try
                {
                    return (await _dispatcher.DispatchCommandAsync(services, command, delivery, cancellationToken)).ToJson();
                }
                catch (Exception ex) when (ex is not SlackPartMissingException && !cancellationToken.IsCancellationRequested)
                {
                    Log.CommandHandlerFailed(_logger, ex, command.Command);
                    return SlackInboundResponse.Ephemeral(
                        "Sorry, the bot failed to handle that command. Try again, and tell the on-call admins if it keeps failing.").ToJson();
                }
            case "interactive":
                var interaction = SlackPayloadParser.ParseInteraction(payload, retry);
                return (await _dispatcher.DispatchInteractionAsync(services, interaction, delivery, cancellationToken)).ToJson();
            default:
                throw new SlackPayloadException($"Unknown Socket Mode envelope type '{type}'.");
        }
    }

    /// <summary>One WebSocket: a receive loop, serialized sends, and the signals the supervisor waits on.</summary>
    private sealed class Connection : IAsyncDisposable
    {
        private readonly SlackSocketModeClient _owner;
        private readonly SemaphoreSlim _sendLock = new(1, 1);
        private readonly CancellationTokenSource _stop;
        private readonly TaskCompletionSource _hello = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<string> _disconnect = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<Task> _inFlight = [];
        private readonly Lock _inFlightGate = new();
        private Task _receiveLoop = Task.CompletedTask;
        private int _closed;

        public Connection(SlackSocketModeClient owner, ClientWebSocket socket, int number, CancellationToken stoppingToken)
        {
            _owner = owner;
            Socket = socket;
            Number = number;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        }

        public ClientWebSocket Socket { get; }

        public int Number { get; }

        public Task Hello => _hello.Task;

        public Task<string> DisconnectRequested => _disconnect.Task;

        public Task Completion => _receiveLoop;

        public void Start() => _receiveLoop = Task.Run(ReceiveLoopAsync);

        public ValueTask DisposeAsync() => new(CloseAsync());

        public async Task CloseAsync()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 1)
            {
                return;
            }
            Task[] inFlight;
            lock (_inFlightGate)
            {
                inFlight = [.. _inFlight];
            }
            // Let handlers already running finish and ack on this socket before it goes.
            await Task.WhenAll(inFlight);
            if (Socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(CloseTimeout);
                try
                {
                    await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "reconnecting", timeout.Token);
                }
                catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
                {
                    // The peer may already be gone; aborting below is enough.
                }
            }
            await _stop.CancelAsync();
            try
            {
                await _receiveLoop;
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
            Socket.Abort();
            Socket.Dispose();
            _stop.Dispose();
            _sendLock.Dispose();
        }

        private async Task ReceiveLoopAsync()
        {
            var buffer = new byte[16 * 1024];
            using var message = new MemoryStream();
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    message.SetLength(0);
                    WebSocketReceiveResult result;
                    do
                    {
                        result = await Socket.ReceiveAsync(buffer, _stop.Token);
                        if (result.MessageType == WebSocketMessageType.Close)
                        {
                            return;
                        }
                        if (message.Length + result.Count > MaxMessageBytes)
                        {
                            await Socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "message too big", _stop.Token);
                            return;
                        }
                        message.Write(buffer, 0, result.Count);
                    }
                    while (!result.EndOfMessage);

                    if (result.MessageType == WebSocketMessageType.Text)
                    {
                        OnMessage(message.GetBuffer().AsSpan(0, (int)message.Length));
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
            catch (WebSocketException ex)
            {
                Log.SocketModeReceiveFailed(_owner._logger, ex, Number);
            }
            finally
            {
                _hello.TrySetCanceled();
            }
        }

        private void OnMessage(ReadOnlySpan<byte> utf8)
        {
            JsonElement root;
            try
            {
                root = SlackPayloadParser.ParseJson(utf8, "Socket Mode message");
            }
            catch (SlackPayloadException ex)
            {
                Log.SocketModeBadMessage(_owner._logger, Number, ex.Message);
                // Acknowledge it when its id can be read: Slack would only redeliver the same unreadable envelope.
                if (ReadableEnvelopeId(utf8) is { } unreadableId)
                {
                    Track(SendAsync(new JsonObject { ["envelope_id"] = unreadableId }.ToJsonString()));
                }
                return;
            }
            var type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
                ? t.GetString()
                : null;
            switch (type)
            {
                case "hello":
                    _hello.TrySetResult();
                    return;
                case "disconnect":
                    _disconnect.TrySetResult(root.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String
                        ? reason.GetString() ?? "unknown"
                        : "unknown");
                    return;
            }
            if (!root.TryGetProperty("envelope_id", out var idJson) || idJson.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(idJson.GetString()))
            {
                Log.SocketModeBadMessage(_owner._logger, Number, $"message of type '{type ?? "(none)"}' without envelope_id");
                return;
            }
            Track(ProcessEnvelopeAsync(idJson.GetString()!, type ?? string.Empty, root));
        }

        private void Track(Task task)
        {
            lock (_inFlightGate)
            {
                _inFlight.RemoveAll(x => x.IsCompleted);
                _inFlight.Add(task);
            }
        }

        /// <summary>The <c>envelope_id</c> of a message refused as a whole, when its structure and that one string are readable.</summary>
        private static string? ReadableEnvelopeId(ReadOnlySpan<byte> utf8)
        {
            try
            {
                var reader = new Utf8JsonReader(utf8);
                var root = JsonElement.ParseValue(ref reader);
                return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("envelope_id", out var id) && id.ValueKind == JsonValueKind.String
                    ? id.GetString() is { Length: > 0 } value ? value : null
                    : null;
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                return null;
            }
        }

        private async Task ProcessEnvelopeAsync(string envelopeId, string type, JsonElement envelope)
        {
            // Off the receive loop, so a slow handler does not hold up the envelopes behind it.
            await Task.Yield();
            try
            {
                if (!envelope.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object)
                {
                    throw new SlackPayloadException("The envelope has no payload object.");
                }
                var retry = new SlackRetryInfo(
                    envelope.TryGetProperty("retry_attempt", out var attempt) && attempt.ValueKind == JsonValueKind.Number && attempt.TryGetInt32(out var n) && n > 0 ? n : 0,
                    envelope.TryGetProperty("retry_reason", out var reason) && reason.ValueKind == JsonValueKind.String && reason.GetString() is { Length: > 0 } r ? r : null);
                var answer = await _owner.HandleEnvelopeAsync(envelopeId, type, payload, retry, _stop.Token);
                var acceptsPayload = envelope.TryGetProperty("accepts_response_payload", out var accepts) && accepts.ValueKind == JsonValueKind.True;
                var ack = new JsonObject { ["envelope_id"] = envelopeId };
                if (acceptsPayload && answer is not null)
                {
                    ack["payload"] = answer;
                }
                await SendAsync(ack.ToJsonString());
            }
            catch (SlackPayloadException ex)
            {
                // Acknowledge anyway: Slack would only redeliver the same unreadable envelope.
                Log.SocketModeBadMessage(_owner._logger, Number, ex.Message);
                await SendAsync(new JsonObject { ["envelope_id"] = envelopeId }.ToJsonString());
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                // No ack: Slack redelivers events, and shows the user a failure for commands and interactions.
                Log.SocketModeEnvelopeFailed(_owner._logger, ex, type, envelopeId);
            }
        }

        private async Task SendAsync(string json)
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            await _sendLock.WaitAsync(_stop.Token);
            try
            {
                await Socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, _stop.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException)
            {
                Log.SocketModeAckFailed(_owner._logger, ex, Number);
            }
            finally
            {
                _sendLock.Release();
            }
        }
    }
}
