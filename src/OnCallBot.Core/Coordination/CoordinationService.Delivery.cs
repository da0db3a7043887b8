using OnCallBot.Core.Delivery;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;

namespace OnCallBot.Core.Coordination;

/// <summary>The incident-channel work this service puts in the outbox, carried out when the outbox hands it back.</summary>
public sealed partial class CoordinationService : IOutboxHandler
{
    public IReadOnlyCollection<string> Kinds => ChannelWork.All;

    private Task EnqueueAsync(IncidentRoom room, IIncidentChannels platform, string kind, string? conversation, string? coalesceKey, string payload, CancellationToken cancellationToken) =>
        _outbox.EnqueueAsync(new OutboxEntry(platform.Name, DeliveryLane.Cosmetic, room.IncidentNumber, kind, conversation, coalesceKey, payload), cancellationToken);

    private Task EnqueuePostAsync(IncidentRoom room, IIncidentChannels platform, string channelId, string what, string text, CancellationToken cancellationToken) =>
        EnqueueAsync(room, platform, ChannelWork.Post, channelId, null, ChannelWork.Write(new ChannelWork.Message(what, text)), cancellationToken);

    /// <summary>
    /// Carries out one piece of channel work. A platform's refusal goes on the timeline (once per kind of failure and
    /// platform); a transient one (a rate limit, the platform unreachable) is thrown, for the outbox to try again.
    /// </summary>
    public async Task DeliverAsync(OutboxClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var item = claim.Item;
        var room = await _rooms.GetAsync(item.IncidentNumber, cancellationToken);
        // A platform switched off since the work was queued takes no part, as when the work is queued.
        if (room is null || _platforms.FirstOrDefault(p => p.Name == item.Platform) is not { } platform)
        {
            return;
        }
        var what = WhatOf(item);
        if (claim.Interrupted && !ChannelWork.IsRepeatable(item.Kind))
        {
            // The first try stopped with its host: it may have gone out, and twice is worse than a line saying so.
            await RecordFailureOnceAsync(room, $"May not have managed to {what} on {platform.Name}: the bot stopped while sending it, and it is not sent twice", cancellationToken);
            return;
        }
        try
        {
            await CarryOutAsync(item, room, platform, cancellationToken);
        }
        catch (ChatDeliveryException ex) when (!ex.IsTransient)
        {
            var text = item.Kind == ChannelWork.Open
                ? $"Could not open an incident channel on {platform.Name}: {ex.Message}. {room.Reference} goes on in direct messages there."
                : $"Could not {what} on {platform.Name}: {ex.Message}";
            await RecordFailureOnceAsync(room, text, cancellationToken);
        }
    }

    public async Task GiveUpAsync(OutboxItem item, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (await _rooms.GetAsync(item.IncidentNumber, cancellationToken) is { } room)
        {
            await RecordFailureOnceAsync(room, $"Could not {WhatOf(item)} on {item.Platform}: {reason} (gave up after {item.Attempts} tries)", cancellationToken);
        }
    }

    private static string WhatOf(OutboxItem item) => item.Kind switch
    {
        ChannelWork.Open => "open an incident channel",
        ChannelWork.Invite => "invite responders",
        ChannelWork.Topic => "set the topic",
        ChannelWork.PostCard => "post the incident card",
        ChannelWork.UpdateCard => "update the incident card",
        ChannelWork.Post => ChannelWork.Read<ChannelWork.Message>(item.Entry.Payload).What,
        ChannelWork.Runbook => "add the runbook",
        ChannelWork.Archive => "archive the incident channel",
        ChannelWork.Remind => "send the status reminder",
        _ => item.Kind,
    };

    private async Task CarryOutAsync(OutboxItem item, IncidentRoom room, IIncidentChannels platform, CancellationToken cancellationToken)
    {
        var channel = room.ChannelOn(platform.Name);
        switch (item.Kind)
        {
            case ChannelWork.Open:
                await OpenChannelOnAsync(room, platform, cancellationToken);
                return;
            case ChannelWork.Remind:
                var reminder = ChannelWork.Read<ChannelWork.Reminder>(item.Entry.Payload);
                await platform.RemindAsync(reminder.Person, reminder.Text, cancellationToken);
                return;
            case ChannelWork.Post:
                // To the incident channel or any other (a stakeholder channel): the conversation says which.
                var message = ChannelWork.Read<ChannelWork.Message>(item.Entry.Payload);
                await platform.PostAsync(item.Entry.Conversation ?? channel?.ChannelId ?? throw new InvalidOperationException("A post with no channel."), message.Text, cancellationToken);
                return;
        }
        if (channel is null)
        {
            // Queued for a channel the room no longer lists: nothing to do there.
            return;
        }
        switch (item.Kind)
        {
            case ChannelWork.Invite:
                await platform.InviteAsync(channel, ChannelWork.Read<ChannelWork.Invitation>(item.Entry.Payload).People, cancellationToken);
                return;
            case ChannelWork.Topic:
                if (await _incidents.GetAsync(room.IncidentNumber, cancellationToken) is { } incident)
                {
                    await platform.SetTopicAsync(channel, Topic(incident, room), cancellationToken);
                }
                return;
            case ChannelWork.UpdateCard:
                if (channel.CardMessageId is not null && await _incidents.GetAsync(room.IncidentNumber, cancellationToken) is { } current)
                {
                    await platform.UpdateCardAsync(channel, await CardAsync(current, room, cancellationToken), cancellationToken);
                }
                return;
            case ChannelWork.PostCard:
                await PostCardAsync(room, platform, channel, cancellationToken);
                return;
            case ChannelWork.Runbook:
                await platform.AddRunbookAsync(channel, ChannelWork.Read<ChannelWork.RunbookLink>(item.Entry.Payload).Url, cancellationToken);
                return;
            case ChannelWork.Archive:
                await platform.ArchiveAsync(channel, cancellationToken);
                await _incidents.AppendEventsAsync([Event(room, Now, IncidentEventKind.Archived, Actor.System.DisplayName, $"Archived #{channel.Name} on {platform.Name}", null)], cancellationToken);
                return;
            default:
                throw new InvalidOperationException($"Channel work '{item.Kind}' is not carried out by this version.");
        }
    }

    /// <summary>
    /// Opens the channel (a taken name gets a suffix), saves it in the room, and queues what follows in order: every
    /// responder so far invited and the topic (by the room's change), then the runbook and the card.
    /// </summary>
    private async Task OpenChannelOnAsync(IncidentRoom room, IIncidentChannels platform, CancellationToken cancellationToken)
    {
        var incident = await _incidents.GetAsync(room.IncidentNumber, cancellationToken);
        if (incident is null || incident.Status == IncidentStatus.Resolved || room.ChannelOn(platform.Name) is not null)
        {
            return;
        }
        IncidentChannel? channel = null;
        for (var attempt = 1; attempt <= MaxChannelNameAttempts && channel is null; attempt++)
        {
            if (await platform.CreateChannelAsync(IncidentChannelName.For(incident.Number, incident.Summary, attempt), cancellationToken) is ChannelCreation.Created created)
            {
                channel = new IncidentChannel(platform.Name, created.ChannelId, created.Name, null);
            }
        }
        if (channel is null)
        {
            throw new ChatDeliveryException($"every name tried, up to {IncidentChannelName.For(incident.Number, incident.Summary, MaxChannelNameAttempts)}, is taken");
        }

        var opened = channel;
        await ChangeAsync(incident.Number, (current, _, at) =>
            Decision.Apply(current with { Channels = [.. current.Channels, opened] },
                [Event(current, at, IncidentEventKind.ChannelOpened, Actor.System.DisplayName, $"Opened #{opened.Name} on {platform.Name}", null)],
                announcement: null, invite: current.Responders.ToList()), cancellationToken);
        var model = _models.Current;
        if (incident.ServiceId is { } id && model.Services.GetValueOrDefault(id)?.RunbookUrl is { } runbook)
        {
            await EnqueueAsync(room, platform, ChannelWork.Runbook, opened.ChannelId, null, ChannelWork.Write(new ChannelWork.RunbookLink(runbook)), cancellationToken);
        }
        await EnqueueAsync(room, platform, ChannelWork.PostCard, opened.ChannelId, null, "", cancellationToken);
    }

    private async Task PostCardAsync(IncidentRoom room, IIncidentChannels platform, IncidentChannel channel, CancellationToken cancellationToken)
    {
        if (channel.CardMessageId is not null || await _incidents.GetAsync(room.IncidentNumber, cancellationToken) is not { } incident)
        {
            return;
        }
        var messageId = await platform.PostCardAsync(channel, await CardAsync(incident, room, cancellationToken), cancellationToken);
        var withCard = channel with { CardMessageId = messageId };
        // A change saved while the card was being posted queued no card update (there was no card to update yet):
        // rewrite it once now, so it does not stay behind.
        await ChangeAsync(room.IncidentNumber, (current, _, _) =>
            Decision.Apply(current with { Channels = current.Channels.Select(c => c.Platform == channel.Platform ? withCard : c).ToList() }, [], announcement: null,
                refreshCard: current.Version != room.Version), cancellationToken);
    }
}
