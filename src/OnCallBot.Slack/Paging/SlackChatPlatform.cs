using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OnCallBot.Core.Model;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.Slack.WebApi;

namespace OnCallBot.Slack.Paging;

/// <summary>
/// Slack as the paging flow's chat platform: pages go to each person's DM (<c>chat.postMessage</c>) with Acknowledge,
/// Escalate now and Resolve buttons, and are rewritten with <c>chat.update</c> as the incident changes. Every refusal
/// by Slack becomes a <see cref="ChatDeliveryException"/> whose message is one line for the audit trail.
/// </summary>
/// <remarks>
/// A person's DM channel id is remembered in the store (<see cref="IDirectConversationStore"/>) and reused:
/// <c>conversations.open</c> is paced workspace-wide (Tier 3), so it is called only for someone never messaged, or
/// when Slack says the remembered channel is gone, and then the message is sent once more to the fresh one.
/// </remarks>
internal sealed class SlackChatPlatform : IChatPlatform
{
    public const string PlatformName = "slack";

    private readonly IServiceProvider _services;
    private readonly IOptionsMonitor<SlackOptions> _options;

    public SlackChatPlatform(IServiceProvider services, IOptionsMonitor<SlackOptions> options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        _services = services;
        _options = options;
    }

    public string Name => PlatformName;

    // The flow may hold this platform for the life of the host; a typed client is meant to be short-lived (its
    // handler is recycled by the factory), so one is resolved per operation rather than captured.
    private SlackWebApiClient Client => _services.GetRequiredService<SlackWebApiClient>();

    private IDirectConversationStore Conversations => _services.GetRequiredService<IDirectConversationStore>();

    /// <summary>True when Slack is on and the person has a Slack user id in the on-call config.</summary>
    public bool CanReach(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return _options.CurrentValue.IsEnabled && !string.IsNullOrWhiteSpace(user.SlackUserId);
    }

    public async Task<DeliveredMessage> SendPageAsync(User recipient, PageView page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(page);
        var slackUserId = recipient.SlackUserId
            ?? throw new ChatDeliveryException($"{recipient.DisplayName} has no Slack user id in the on-call config.");
        var message = SlackPageMessage.Page(page);
        return await DeliverAsync(async client =>
        {
            var posted = await SlackDirectMessages.PostAsync(Conversations, client, slackUserId,
                channel => client.PostMessageAsync(channel, message.Text, message.Blocks, cancellationToken: cancellationToken), cancellationToken);
            return new DeliveredMessage(PlatformName, posted.ChannelId, posted.Ts);
        }, cancellationToken);
    }

    public async Task UpdatePageAsync(DeliveredMessage message, PageView page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(page);
        if (message.Platform != PlatformName)
        {
            throw new ChatDeliveryException($"Message {message.MessageId} was delivered on {message.Platform}, not Slack.");
        }
        var rendered = SlackPageMessage.Page(page);
        await DeliverAsync(
            client => client.UpdateMessageAsync(message.ConversationId, message.MessageId, rendered.Text, rendered.Blocks, cancellationToken),
            cancellationToken);
    }

    public async Task<bool> AnnounceAsync(Team team, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(team);
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        if (team.Channels.Slack is not { } channel || !_options.CurrentValue.IsEnabled)
        {
            return false;
        }
        await DeliverAsync(client => client.PostMessageAsync(channel, SlackText.Fit(text, SlackPageMessage.MaxSectionLength), cancellationToken: cancellationToken), cancellationToken);
        return true;
    }

    public async Task TellAsync(Actor person, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(person);
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        if (person.Platform != PlatformName)
        {
            throw new ChatDeliveryException($"{person.DisplayName} used the bot on {person.Platform}; Slack cannot message them.");
        }
        var fitted = SlackText.Fit(text, SlackPageMessage.MaxSectionLength);
        await DeliverAsync(
            client => SlackDirectMessages.PostAsync(Conversations, client, person.PlatformUserId,
                channel => client.PostMessageAsync(channel, fitted, cancellationToken: cancellationToken), cancellationToken),
            cancellationToken);
    }

    /// <summary>One line for the audit trail: the method, Slack's error, and the scope to add when one is missing.</summary>
    internal static string Describe(SlackApiException exception) => exception.Error switch
    {
        "missing_scope" => $"Slack {exception.Method} failed: missing_scope (add the '{exception.Needed ?? "unknown"}' scope to the Slack app and reinstall it)",
        "ratelimited" => $"Slack {exception.Method} failed: ratelimited (Slack kept refusing for {exception.RetryAfter?.TotalSeconds ?? 0:0} s and more)",
        _ when exception.Needed is not null => $"Slack {exception.Method} failed: {exception.Error} (needed scope: {exception.Needed})",
        _ => $"Slack {exception.Method} failed: {exception.Error}",
    };

    private Task<T> DeliverAsync<T>(Func<SlackWebApiClient, Task<T>> call, CancellationToken cancellationToken) =>
        SlackDelivery.RunAsync(_options.CurrentValue, () => call(Client), Describe, cancellationToken);
}
