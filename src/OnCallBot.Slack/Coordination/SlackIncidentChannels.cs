using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Model;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.Slack.Paging;
using OnCallBot.Slack.WebApi;

namespace OnCallBot.Slack.Coordination;

/// <summary>
/// Slack as a home for incidents: a public channel per incident (<c>conversations.create</c>), its responders
/// invited (<c>conversations.invite</c>), the topic (<c>conversations.setTopic</c>), the card posted and pinned
/// (<c>chat.postMessage</c>, <c>pins.add</c>) and rewritten (<c>chat.update</c>), reminders by DM
/// (the DM remembered, <c>conversations.open</c> only the first time) and archiving (<c>conversations.archive</c>). Bot scopes: <c>channels:manage</c>,
/// <c>pins:write</c>, <c>chat:write</c>, <c>chat:write.public</c> (stakeholder channels the bot was not invited to)
/// and <c>im:write</c>. Every refusal becomes a one-line <see cref="ChatDeliveryException"/> that names the scope
/// to add when one is missing.
/// </summary>
internal sealed class SlackIncidentChannels : IIncidentChannels
{
    /// <summary>Slack's limit for a channel topic.</summary>
    public const int MaxTopicLength = 250;

    /// <summary>Slack's limit of users per <c>conversations.invite</c>.</summary>
    public const int MaxInvitesPerCall = 100;

    /// <summary>
    /// One message's text: Slack truncates at 40,000 characters and recommends staying under 4,000, so longer texts
    /// (the resolution summary) are split at line breaks into several messages.
    /// </summary>
    public const int MaxMessageLength = 3900;

    private readonly IServiceProvider _services;
    private readonly IOptionsMonitor<SlackOptions> _options;
    private readonly IOnCallModelProvider _models;
    private readonly ILogger<SlackIncidentChannels> _logger;

    public SlackIncidentChannels(IServiceProvider services, IOptionsMonitor<SlackOptions> options, IOnCallModelProvider models, ILogger<SlackIncidentChannels> logger)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(logger);
        _services = services;
        _options = options;
        _models = models;
        _logger = logger;
    }

    public string Name => SlackChatPlatform.PlatformName;

    public bool IsEnabled => _options.CurrentValue.IsEnabled;

    // Held by the core for the life of the host; the typed client is short-lived, so one is resolved per operation.
    private SlackWebApiClient Client => _services.GetRequiredService<SlackWebApiClient>();

    public async Task<ChannelCreation> CreateChannelAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        try
        {
            var created = await DeliverAsync(client => client.CreateConversationAsync(name, isPrivate: false, cancellationToken), cancellationToken);
            return new ChannelCreation.Created(created.Id, created.Name ?? name);
        }
        catch (ChatDeliveryException ex) when (ex.InnerException is SlackApiException { Error: "name_taken" })
        {
            return new ChannelCreation.NameTaken();
        }
    }

    public async Task<IReadOnlyList<Actor>> InviteAsync(IncidentChannel channel, IReadOnlyList<Actor> people, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(people);
        var model = _models.Current;
        var skipped = new List<Actor>();
        var slackIds = new List<string>();
        foreach (var person in people)
        {
            if (SlackIdOf(person, model) is { } id)
            {
                if (!slackIds.Contains(id, StringComparer.Ordinal))
                {
                    slackIds.Add(id);
                }
            }
            else
            {
                skipped.Add(person);
            }
        }
        foreach (var batch in slackIds.Chunk(MaxInvitesPerCall))
        {
            await DeliverAsync(async client =>
            {
                try
                {
                    await client.InviteToConversationAsync(channel.ChannelId, batch, cancellationToken);
                }
                catch (SlackApiException ex) when (IsAlreadyThere(ex) && batch.Length > 1)
                {
                    // Without "force" (which our client does not send) one member already there fails the whole call,
                    // and Slack does not say which of the others were added: each is invited on their own instead.
                    foreach (var user in batch)
                    {
                        try
                        {
                            await client.InviteToConversationAsync(channel.ChannelId, [user], cancellationToken);
                        }
                        catch (SlackApiException single) when (IsAlreadyThere(single))
                        {
                        }
                    }
                }
                catch (SlackApiException ex) when (IsAlreadyThere(ex))
                {
                }
                return true;
            }, cancellationToken);
        }
        return skipped;
    }

    public async Task SetTopicAsync(IncidentChannel channel, string topic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(topic);
        // A topic is plain text, but Slack still turns <!channel>, <@U…> and <url|text> in it into mentions and links
        // and decodes &lt; &gt; &amp;: the topic holds what people typed (the summary, names), so it is escaped like
        // message text (& too, or a typed "&lt;!channel&gt;" would come back as <!channel>), then cut to the length.
        var fitted = SlackText.Fit(topic.ReplaceLineEndings(" "), MaxTopicLength);
        await DeliverAsync(async client =>
        {
            await client.SetConversationTopicAsync(channel.ChannelId, fitted, cancellationToken);
            return true;
        }, cancellationToken);
    }

    public async Task<string> PostCardAsync(IncidentChannel channel, IncidentCard card, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(card);
        var message = SlackIncidentCard.Render(card);
        var posted = await DeliverAsync(
            client => client.PostMessageAsync(channel.ChannelId, message.Text, message.Blocks, cancellationToken: cancellationToken), cancellationToken);
        try
        {
            await DeliverAsync(async client =>
            {
                await client.AddPinAsync(posted.ChannelId, posted.Ts, cancellationToken);
                return true;
            }, cancellationToken);
        }
        catch (ChatDeliveryException ex)
        {
            // The card is in the channel and will be kept current; losing its id over a missing pin would leave a
            // stale card behind, so the pin failure is logged for the operator instead of failing the post.
            Log.CardNotPinned(_logger, ex, card.Room.Reference, channel.ChannelId, ex.Message);
        }
        return posted.Ts;
    }

    public async Task UpdateCardAsync(IncidentChannel channel, IncidentCard card, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(card);
        if (channel.CardMessageId is not { } ts)
        {
            throw new ChatDeliveryException($"#{channel.Name} has no incident card to update on Slack.");
        }
        var message = SlackIncidentCard.Render(card);
        await DeliverAsync(client => client.UpdateMessageAsync(channel.ChannelId, ts, message.Text, message.Blocks, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Posts the runbook link and pins it. A bookmark (<c>bookmarks.add</c>) would sit better in the channel header,
    /// but that method is not in the Slack spec our calls are checked against, so the pin stands in for it.
    /// </summary>
    public async Task AddRunbookAsync(IncidentChannel channel, Uri runbook, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(runbook);
        var label = SlackText.Fit(runbook.Host + runbook.AbsolutePath.TrimEnd('/'), 200, escape: false);
        var posted = await DeliverAsync(
            client => client.PostMessageAsync(channel.ChannelId, $"📘 Runbook: {SlackText.Link(runbook, label)}", cancellationToken: cancellationToken),
            cancellationToken);
        try
        {
            await DeliverAsync(async client =>
            {
                await client.AddPinAsync(posted.ChannelId, posted.Ts, cancellationToken);
                return true;
            }, cancellationToken);
        }
        catch (ChatDeliveryException ex)
        {
            throw new ChatDeliveryException($"the runbook was posted but not pinned: {ex.Message}", ex.InnerException ?? ex);
        }
    }

    public async Task PostAsync(string channelId, string text, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(channelId);
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        foreach (var part in SlackMarkdown.Split(SlackMarkdown.ToMrkdwn(text), MaxMessageLength))
        {
            await DeliverAsync(client => client.PostMessageAsync(channelId, part, cancellationToken: cancellationToken), cancellationToken);
        }
    }

    public async Task RemindAsync(Actor person, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(person);
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var slackId = SlackIdOf(person, _models.Current)
            ?? throw new ChatDeliveryException($"{person.DisplayName} has no Slack user id (add one to the on-call config to remind them on Slack)");
        var mrkdwn = SlackText.Fit(SlackMarkdown.ToMrkdwn(text), MaxMessageLength, escape: false);
        var conversations = _services.GetRequiredService<IDirectConversationStore>();
        await DeliverAsync(client => SlackDirectMessages.PostAsync(conversations, client, slackId,
            dm => client.PostMessageAsync(dm, mrkdwn, cancellationToken: cancellationToken), cancellationToken), cancellationToken);
    }

    public async Task ArchiveAsync(IncidentChannel channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        await DeliverAsync(async client =>
        {
            try
            {
                await client.ArchiveConversationAsync(channel.ChannelId, cancellationToken);
            }
            catch (SlackApiException ex) when (ex.Error == "already_archived")
            {
                // Someone archived it by hand first: the outcome is the one asked for.
            }
            return true;
        }, cancellationToken);
    }

    public string? PlatformUserIdOf(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.SlackUserId;
    }

    /// <summary>A person's Slack id: their own when they acted on Slack, else their config user's, else none.</summary>
    private static string? SlackIdOf(Actor person, OnCallModel model)
    {
        var id = person.Platform == SlackChatPlatform.PlatformName
            ? person.PlatformUserId
            : person.UserId is { } userId ? model.FindUser(userId)?.SlackUserId : null;
        return id is not null && SlackText.SlackUserId().IsMatch(id) ? id : null;
    }

    private static bool IsAlreadyThere(SlackApiException ex) => ex.Error is "already_in_channel" or "cant_invite_self";

    /// <summary>One line for the audit trail: the method, Slack's error, and what to do about it.</summary>
    internal static string Describe(SlackApiException exception) => exception.Error switch
    {
        "missing_scope" =>
            $"Slack {exception.Method} failed: missing_scope (add the '{exception.Needed ?? ScopeOf(exception.Method)}' scope to the Slack app and reinstall it)",
        "restricted_action" =>
            $"Slack {exception.Method} failed: restricted_action (a workspace setting stops the bot from doing this; ask a Slack admin to allow apps to manage channels)",
        "not_in_channel" or "channel_not_found" =>
            $"Slack {exception.Method} failed: {exception.Error} (the bot is not in that channel; invite it with /invite @OnCallBot)",
        "is_archived" => $"Slack {exception.Method} failed: is_archived (the channel is archived)",
        _ => SlackChatPlatform.Describe(exception),
    };

    /// <summary>The bot scope a method needs, for when Slack's <c>missing_scope</c> answer does not say.</summary>
    private static string ScopeOf(string method) => method switch
    {
        "conversations.create" or "conversations.invite" or "conversations.setTopic" or "conversations.archive" => "channels:manage",
        "pins.add" => "pins:write",
        "conversations.open" => "im:write",
        _ => "chat:write",
    };

    private Task<T> DeliverAsync<T>(Func<SlackWebApiClient, Task<T>> call, CancellationToken cancellationToken) =>
        SlackDelivery.RunAsync(_options.CurrentValue, () => call(Client), Describe, cancellationToken);
}
