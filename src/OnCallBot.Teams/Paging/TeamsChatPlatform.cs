using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OnCallBot.Core.Model;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.Teams.Cards;
using OnCallBot.Teams.Connector;
using OnCallBot.Teams.Inbound;

namespace OnCallBot.Teams.Paging;

/// <summary>
/// Teams as the paging flow's chat platform: a page goes to the person's 1:1 chat with the bot as an Adaptive Card
/// (<see cref="TeamsPageCard"/>) with an activity-feed alert, and is rewritten in place (<c>PUT</c> activity) as the
/// incident changes. Every refusal by the Bot Connector becomes a <see cref="ChatDeliveryException"/> whose message is
/// one line for the audit trail; 429, 5xx and an unreachable Connector are marked transient so the outbox tries again.
/// </summary>
/// <remarks>
/// The person's 1:1 conversation id is remembered in <see cref="IDirectConversationStore"/> (platform <c>teams</c>,
/// keyed by their Teams id) and reused: it is created with <c>POST /v3/conversations</c> only for someone never
/// messaged, or when Teams says the remembered one is gone. Proactive calls go to the service URL last trusted for the
/// person's tenant (<see cref="TeamsOptions.TenantId"/> when set, else the tenant they, or the only tenant, were seen in).
/// </remarks>
internal sealed class TeamsChatPlatform : IChatPlatform
{
    public const string PlatformName = "teams";

    // What the Connector answers for a 1:1 conversation that takes no messages any more; a fresh create fixes it.
    private static readonly HashSet<string> ConversationGoneCodes = new(StringComparer.Ordinal) { "ConversationNotFound", "BotNotInConversationRoster" };

    private readonly IServiceProvider _services;
    private readonly IOptionsMonitor<TeamsOptions> _options;
    private readonly ITeamsServiceUrls _serviceUrls;

    public TeamsChatPlatform(IServiceProvider services, IOptionsMonitor<TeamsOptions> options, ITeamsServiceUrls serviceUrls)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serviceUrls);
        _services = services;
        _options = options;
        _serviceUrls = serviceUrls;
    }

    public string Name => PlatformName;

    // A typed client is meant to be short-lived (its handlers are recycled by the factory): one per operation.
    private TeamsConnectorClient Client => _services.GetRequiredService<TeamsConnectorClient>();

    private IDirectConversationStore Conversations => _services.GetRequiredService<IDirectConversationStore>();

    /// <summary>True when Teams is on and the person has a Teams user id in the on-call config.</summary>
    public bool CanReach(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return _options.CurrentValue.IsEnabled && !string.IsNullOrWhiteSpace(user.TeamsUserId);
    }

    public async Task<DeliveredMessage> SendPageAsync(User recipient, PageView page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(page);
        var teamsUserId = recipient.TeamsUserId
            ?? throw new ChatDeliveryException($"{recipient.DisplayName} has no Teams user id in the on-call config.");
        var card = ConnectorActivity.AdaptiveCard(TeamsPageCard.Render(page), TeamsPageCard.Summary(page), alert: true);
        return await DeliverAsync(async () =>
        {
            var (conversationId, activityId) = await SendDirectAsync(teamsUserId, card, cancellationToken);
            return new DeliveredMessage(PlatformName, conversationId, activityId);
        });
    }

    public async Task UpdatePageAsync(DeliveredMessage message, PageView page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(page);
        if (message.Platform != PlatformName)
        {
            throw new ChatDeliveryException($"Message {message.MessageId} was delivered on {message.Platform}, not Teams.");
        }
        var card = ConnectorActivity.AdaptiveCard(TeamsPageCard.Render(page), TeamsPageCard.Summary(page));
        await DeliverAsync(async () =>
        {
            await Client.UpdateAsync(ServiceUrlOf(tenant: null), message.ConversationId, message.MessageId, card, cancellationToken);
            return true;
        });
    }

    public async Task<bool> AnnounceAsync(Team team, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(team);
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        if (team.Channels.Teams is not { } channel || !_options.CurrentValue.IsEnabled)
        {
            return false;
        }
        await DeliverAsync(() => Client.SendAsync(ServiceUrlOf(tenant: null), channel, ConnectorActivity.PlainText(text), cancellationToken));
        return true;
    }

    public async Task TellAsync(Actor person, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(person);
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        if (person.Platform != PlatformName)
        {
            throw new ChatDeliveryException($"{person.DisplayName} used the bot on {person.Platform}; Teams cannot message them.");
        }
        await DeliverAsync(() => SendDirectAsync(person.PlatformUserId, ConnectorActivity.PlainText(text), cancellationToken));
    }

    /// <summary>Sends to the person's remembered 1:1 chat, else (or when Teams says it is gone) a freshly created one.</summary>
    private async Task<(string ConversationId, string ActivityId)> SendDirectAsync(string teamsUserId, ConnectorActivity activity, CancellationToken cancellationToken)
    {
        var tenant = TenantOf(teamsUserId);
        var serviceUrl = ServiceUrlOf(tenant);
        var client = Client;
        string? sentTo = null;
        var activityId = await DirectConversations.PostAsync(Conversations, PlatformName, teamsUserId,
            async ct => (await client.CreatePersonalConversationAsync(serviceUrl, tenant, teamsUserId, cancellationToken: ct)).ConversationId,
            conversation =>
            {
                sentTo = conversation;
                return client.SendAsync(serviceUrl, conversation, activity, cancellationToken);
            },
            ex => ex is TeamsApiException api && ConversationGoneCodes.Contains(api.Code), cancellationToken);
        return (sentTo!, activityId);
    }

    private string TenantOf(string? teamsUserId) =>
        _options.CurrentValue.TenantId is { Length: > 0 } configured ? configured
        : _serviceUrls.TenantOf(teamsUserId)
            ?? throw new ChatDeliveryException(
                "Teams: no tenant known for this person yet (set Teams:TenantId, or have them message the bot in Teams once).");

    private Uri ServiceUrlOf(string? tenant)
    {
        tenant ??= TenantOf(null);
        return _serviceUrls.ServiceUrlFor(tenant)
            ?? throw new ChatDeliveryException(
                $"Teams: no verified request from tenant {tenant} since the bot started, so it does not know where to send (message the bot in Teams once).");
    }

    /// <summary>One line for the audit trail: what failed, Teams' code, and what to do.</summary>
    internal static string Describe(TeamsApiException exception) =>
        $"Teams could not {exception.Operation}: {exception.Code}{(exception.StatusCode is { } status ? $" (HTTP {(int)status})" : "")}. {exception.ToUserMessage()}";

    internal static bool IsTransient(TeamsApiException exception) =>
        exception.StatusCode is { } status && (status == HttpStatusCode.TooManyRequests || (int)status >= 500);

    private static async Task<T> DeliverAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (TeamsApiException ex)
        {
            throw new ChatDeliveryException(Describe(ex), ex) { IsTransient = IsTransient(ex), RetryAfter = ex.RetryAfter };
        }
        catch (HttpRequestException ex)
        {
            throw new ChatDeliveryException($"Teams could not be reached: {ex.Message}", ex) { IsTransient = true };
        }
        catch (ArgumentException ex)
        {
            // A Teams id in the config or a stored message that the Connector client refused before sending anything.
            throw new ChatDeliveryException($"Teams: nothing was sent: {ex.Message}", ex);
        }
    }
}
