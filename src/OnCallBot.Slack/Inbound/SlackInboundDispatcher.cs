using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using OnCallBot.Core.Ports;

namespace OnCallBot.Slack.Inbound;

/// <summary>A part Slack's requests need is not registered although Slack is on; answered with 503 and this message.</summary>
internal sealed class SlackPartMissingException(string message) : InvalidOperationException(message)
{
    public static SlackPartMissingException Handler() =>
        new("Slack is on but no ISlackInboundHandler is registered: register the paging feature's handler in DI.");

    public static SlackPartMissingException RequestStore() =>
        new("Slack is on but no IInboundRequestStore is registered: add the store (AddOnCallStorage), which remembers the requests received so a replay is not acted on twice.");
}

/// <summary>
/// Hands parsed requests to the <see cref="ISlackInboundHandler"/> of the caller's DI scope, for both the HTTP
/// endpoints and Socket Mode: deduplication, slow-handler warnings and logging live here once.
/// </summary>
/// <remarks>
/// Every command, interaction and event is claimed in the <see cref="IInboundRequestStore"/> before the handler sees
/// it, so a request delivered again is not acted on again, across restarts and hosts. The key is the request's
/// <c>trigger_id</c> (each click and each command has its own), else the delivery's own id: a hash of the signature
/// over HTTP (the same signed bytes sent again), the <c>envelope_id</c> in Socket Mode. Events are keyed by their
/// <c>event_id</c>, which Slack keeps on every redelivery. A request whose handler fails is forgotten again, so that
/// Slack's redelivery of it is handled.
/// </remarks>
internal sealed class SlackInboundDispatcher
{
    /// <summary>
    /// How long a command's or interaction's key is remembered. A request is accepted while its signed timestamp is
    /// within <see cref="SlackRequestVerifier.MaxClockSkew"/> of now either way, so one received now can be replayed
    /// for up to twice that; a minute more covers hosts whose clocks differ a little.
    /// </summary>
    internal static readonly TimeSpan ReplayWindow = 2 * SlackRequestVerifier.MaxClockSkew + TimeSpan.FromMinutes(1);

    /// <summary>The answer to a command received before: only its sender sees it, and nothing else happens.</summary>
    internal const string AlreadyReceivedMessage = "OnCallBot already received this command, so it was not run again.";

    // Slack shows a timeout after 3 s; warn before that so a slow handler is found before users notice.
    private static readonly TimeSpan SlowHandlerThreshold = TimeSpan.FromSeconds(2.5);

    private readonly IOptionsMonitor<SlackOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SlackInboundDispatcher> _logger;

    public SlackInboundDispatcher(IOptionsMonitor<SlackOptions> options, TimeProvider timeProvider, ILogger<SlackInboundDispatcher> logger)
    {
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The delivery id of an HTTP request: its signature, hashed (the same signed bytes give the same id).</summary>
    public static string SignatureDelivery(string signatureHeader) =>
        "signature:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(signatureHeader.Trim().ToLowerInvariant())));

    /// <summary>The delivery id of a Socket Mode envelope.</summary>
    public static string EnvelopeDelivery(string envelopeId) => "envelope:" + envelopeId;

    /// <summary>Dispatches a command once; a command received before is answered, to its sender only, that it was.</summary>
    public async Task<SlackInboundResponse> DispatchCommandAsync(
        IServiceProvider services, SlackCommand command, string delivery, CancellationToken cancellationToken)
    {
        Log.CommandReceived(_logger, command.Command, command.TeamId, command.ChannelId, command.Retry.Attempt);
        return await OnceAsync(services, RequestKey(command.TriggerId, delivery), ReplayWindow, "command " + command.Command, command.Retry,
                h => h.HandleCommandAsync(command, cancellationToken), cancellationToken)
            ?? SlackInboundResponse.Ephemeral(AlreadyReceivedMessage);
    }

    /// <summary>Dispatches an interaction once; one received before is acknowledged with an empty answer.</summary>
    public async Task<SlackInboundResponse> DispatchInteractionAsync(
        IServiceProvider services, SlackInteraction interaction, string delivery, CancellationToken cancellationToken)
    {
        Log.InteractionReceived(_logger, interaction.Type, interaction.TeamId, interaction.Actions.Count, interaction.Retry.Attempt);
        if (interaction.Raw.TryGetProperty("actions", out var sent) && sent.ValueKind == JsonValueKind.Array && sent.GetArrayLength() > 1)
        {
            Log.ExtraActionsIgnored(_logger, interaction.Type, sent.GetArrayLength());
        }
        return await OnceAsync(services, RequestKey(interaction.TriggerId, delivery), ReplayWindow, "interaction " + interaction.Type, interaction.Retry,
                h => h.HandleInteractionAsync(interaction, cancellationToken), cancellationToken)
            ?? SlackInboundResponse.Ack;
    }

    /// <summary>Dispatches an event once per <c>event_id</c>; returns null for a redelivery that was not dispatched.</summary>
    public Task<SlackInboundResponse?> DispatchEventAsync(IServiceProvider services, SlackEvent slackEvent, CancellationToken cancellationToken)
    {
        Log.EventReceived(_logger, slackEvent.EventId, slackEvent.Type, slackEvent.TeamId, slackEvent.Retry.Attempt);
        var window = TimeSpan.FromTicks(Math.Max(ReplayWindow.Ticks, _options.CurrentValue.EventDeduplicationWindow.Ticks));
        return OnceAsync(services, "slack:event:" + slackEvent.EventId, window, "event " + slackEvent.Type, slackEvent.Retry,
            h => h.HandleEventAsync(slackEvent, cancellationToken), cancellationToken);
    }

    private static string RequestKey(string? triggerId, string delivery) =>
        triggerId is { Length: > 0 } ? "slack:trigger:" + triggerId : "slack:" + delivery;

    /// <summary>Claims the request, then calls the handler; null, without calling it, when the request was claimed before.</summary>
    private async Task<SlackInboundResponse?> OnceAsync(IServiceProvider services, string key, TimeSpan window, string what, SlackRetryInfo retry,
        Func<ISlackInboundHandler, Task<SlackInboundResponse>> call, CancellationToken cancellationToken)
    {
        var handler = services.GetService<ISlackInboundHandler>() ?? throw SlackPartMissingException.Handler();
        var requests = services.GetService<IInboundRequestStore>() ?? throw SlackPartMissingException.RequestStore();
        var now = Instant.FromDateTimeOffset(_timeProvider.GetUtcNow());
        if (!await requests.TryClaimAsync(key, now, now + Duration.FromTimeSpan(window), cancellationToken))
        {
            Log.DuplicateRequestDropped(_logger, what, key, retry.Attempt, retry.Reason);
            return null;
        }
        try
        {
            return await TimedAsync(handler, what, call);
        }
        catch (Exception failure)
        {
            // Not done, so not received: Slack's redelivery (or the same request sent again) is handled, not dropped.
            try
            {
                await requests.ReleaseAsync(key, CancellationToken.None);
            }
            catch (Exception ex)
            {
                Log.ReleaseFailed(_logger, ex, what, key, failure.GetType().Name);
            }
            throw;
        }
    }

    private async Task<SlackInboundResponse> TimedAsync(ISlackInboundHandler handler, string what, Func<ISlackInboundHandler, Task<SlackInboundResponse>> call)
    {
        var started = _timeProvider.GetTimestamp();
        var response = await call(handler) ?? throw new InvalidOperationException(
            $"{handler.GetType().Name} returned null for a Slack {what}; return SlackInboundResponse.Ack to acknowledge without a message.");
        var elapsed = _timeProvider.GetElapsedTime(started);
        if (elapsed > SlowHandlerThreshold)
        {
            Log.SlowHandler(_logger, what, elapsed.TotalMilliseconds);
        }
        return response;
    }
}
