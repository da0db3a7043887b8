using OnCallBot.Core.Coordination;
using OnCallBot.Core.Model;
using OnCallBot.Core.Paging;

namespace OnCallBot.Core.Ports;

/// <summary>
/// The incident-channel side of a chat platform: a channel per incident, its card, its members. A platform that
/// cannot open channels does not implement it, and its incidents run in direct messages. Methods throw
/// <see cref="ChatDeliveryException"/> (one line, naming a missing permission when that is the cause).
/// </summary>
public interface IIncidentChannels
{
    /// <summary>The platform's name, as <see cref="IChatPlatform.Name"/>.</summary>
    string Name { get; }

    /// <summary>False while the platform is not configured: incidents then open no channel there, and say nothing of it.</summary>
    bool IsEnabled { get; }

    /// <summary>Opens a channel named <paramref name="name"/>; <see cref="ChannelCreation.NameTaken"/> when the name is in use.</summary>
    Task<ChannelCreation> CreateChannelAsync(string name, CancellationToken cancellationToken);

    /// <summary>Adds people to the channel; people without an id on this platform are skipped (returned).</summary>
    Task<IReadOnlyList<Actor>> InviteAsync(IncidentChannel channel, IReadOnlyList<Actor> people, CancellationToken cancellationToken);

    Task SetTopicAsync(IncidentChannel channel, string topic, CancellationToken cancellationToken);

    /// <summary>Posts the card and pins it; returns the card's message id.</summary>
    Task<string> PostCardAsync(IncidentChannel channel, IncidentCard card, CancellationToken cancellationToken);

    Task UpdateCardAsync(IncidentChannel channel, IncidentCard card, CancellationToken cancellationToken);

    /// <summary>Posts the runbook link in the channel and pins (or bookmarks) it.</summary>
    Task AddRunbookAsync(IncidentChannel channel, Uri runbook, CancellationToken cancellationToken);

    /// <summary>Posts a message (Markdown-ish text: *bold*, links) in any channel on this platform, by id.</summary>
    Task PostAsync(string channelId, string text, CancellationToken cancellationToken);

    /// <summary>Sends a direct message to a person (a config user or an actor seen on this platform).</summary>
    Task RemindAsync(Actor person, string text, CancellationToken cancellationToken);

    Task ArchiveAsync(IncidentChannel channel, CancellationToken cancellationToken);

    /// <summary>The platform id of a config user, when they have one here (to invite people paged from the config).</summary>
    string? PlatformUserIdOf(User user);
}

/// <summary>The outcome of opening a channel.</summary>
public abstract record ChannelCreation
{
    public sealed record Created(string ChannelId, string Name) : ChannelCreation;

    public sealed record NameTaken : ChannelCreation;
}

/// <summary>What an incident card shows, computed by the core; the platform only renders it.</summary>
public sealed record IncidentCard(
    Incident Incident,
    IncidentRoom Room,
    Service? Service,
    Team? OwnerTeam,
    IReadOnlyList<DependencyOnCall> Upstream,
    IReadOnlyList<DependencyOnCall> Downstream,
    NodaTime.Instant Now,
    bool StatusUpdateOverdue);

/// <summary>A service this incident's service depends on (or that depends on it), and who is on call for it now.</summary>
public sealed record DependencyOnCall(Service Service, IReadOnlyList<User> OnCall);
