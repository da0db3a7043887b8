using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OnCallBot.Slack.Inbound;

/// <summary>No <see cref="ISlackInboundHandler"/> is registered although Slack is on.</summary>
internal sealed class SlackHandlerMissingException()
    : InvalidOperationException("Slack is on but no ISlackInboundHandler is registered: register the paging feature's handler in DI.");

/// <summary>
/// Hands parsed requests to the <see cref="ISlackInboundHandler"/> of the caller's DI scope, for both the HTTP
/// endpoints and Socket Mode: event dedupe, slow-handler warnings and logging live here once.
/// </summary>
internal sealed class SlackInboundDispatcher
{
    // Slack shows a timeout after 3 s; warn before that so a slow handler is found before users notice.
    private static readonly TimeSpan SlowHandlerThreshold = TimeSpan.FromSeconds(2.5);

    private readonly SlackEventDeduplicator _deduplicator;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SlackInboundDispatcher> _logger;

    public SlackInboundDispatcher(SlackEventDeduplicator deduplicator, TimeProvider timeProvider, ILogger<SlackInboundDispatcher> logger)
    {
        _deduplicator = deduplicator;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public Task<SlackInboundResponse> DispatchCommandAsync(IServiceProvider services, SlackCommand command, CancellationToken cancellationToken)
    {
        Log.CommandReceived(_logger, command.Command, command.TeamId, command.ChannelId, command.Retry.Attempt);
        return TimedAsync(services, "command " + command.Command, h => h.HandleCommandAsync(command, cancellationToken));
    }

    public Task<SlackInboundResponse> DispatchInteractionAsync(IServiceProvider services, SlackInteraction interaction, CancellationToken cancellationToken)
    {
        Log.InteractionReceived(_logger, interaction.Type, interaction.TeamId, interaction.Actions.Count, interaction.Retry.Attempt);
        if (interaction.Raw.TryGetProperty("actions", out var sent) && sent.ValueKind == JsonValueKind.Array && sent.GetArrayLength() > 1)
        {
            Log.ExtraActionsIgnored(_logger, interaction.Type, sent.GetArrayLength());
        }
        return TimedAsync(services, "interaction " + interaction.Type, h => h.HandleInteractionAsync(interaction, cancellationToken));
    }

    /// <summary>Dispatches an event once per <c>event_id</c>; returns null for a redelivery that was not dispatched.</summary>
    public async Task<SlackInboundResponse?> DispatchEventAsync(IServiceProvider services, SlackEvent slackEvent, CancellationToken cancellationToken)
    {
        if (!_deduplicator.TryBegin(slackEvent.EventId))
        {
            Log.DuplicateEventDropped(_logger, slackEvent.EventId, slackEvent.Type, slackEvent.Retry.Attempt, slackEvent.Retry.Reason);
            return null;
        }
        Log.EventReceived(_logger, slackEvent.EventId, slackEvent.Type, slackEvent.TeamId, slackEvent.Retry.Attempt);
        try
        {
            return await TimedAsync(services, "event " + slackEvent.Type, h => h.HandleEventAsync(slackEvent, cancellationToken));
        }
        catch
        {
            // Slack redelivers an event that was not acknowledged; let that redelivery through.
            _deduplicator.Forget(slackEvent.EventId);
            throw;
        }
    }

    private async Task<SlackInboundResponse> TimedAsync(IServiceProvider services, string what, Func<ISlackInboundHandler, Task<SlackInboundResponse>> call)
    {
        var handler = services.GetService<ISlackInboundHandler>() ?? throw new SlackHandlerMissingException();
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
