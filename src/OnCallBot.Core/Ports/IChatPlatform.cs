using OnCallBot.Core.Model;
using OnCallBot.Core.Paging;

namespace OnCallBot.Core.Ports;

/// <summary>
/// A chat platform as the paging flow sees it (Slack, Teams). The flow decides who, when and what; the platform
/// renders and delivers. Methods throw <see cref="ChatDeliveryException"/> when the platform refuses.
/// </summary>
public interface IChatPlatform
{
    /// <summary>Short lowercase name used in the audit trail and the store: <c>slack</c>, <c>teams</c>.</summary>
    string Name { get; }

    /// <summary>True when <paramref name="user"/> has an id on this platform.</summary>
    bool CanReach(User user);

    /// <summary>Sends the page to <paramref name="recipient"/> directly, with Acknowledge, Escalate now and Resolve actions.</summary>
    Task<DeliveredMessage> SendPageAsync(User recipient, PageView page, CancellationToken cancellationToken);

    /// <summary>Rewrites a page message already sent, to show the incident as it is now (acknowledged by whom, when...).</summary>
    Task UpdatePageAsync(DeliveredMessage message, PageView page, CancellationToken cancellationToken);

    /// <summary>Posts to the team's announcement channel on this platform; false when the team has none here.</summary>
    Task<bool> AnnounceAsync(Team team, string text, CancellationToken cancellationToken);

    /// <summary>Sends a direct message to someone who used the bot on this platform (e.g. the person who paged).</summary>
    Task TellAsync(Actor person, string text, CancellationToken cancellationToken);
}

/// <summary>What a page message shows: the incident now, what it is about, and the level being notified.</summary>
public sealed record PageView(Incident Incident, Service? Service, Team? OwnerTeam, int Level, int LevelCount);

/// <summary>A chat platform refused a delivery; <see cref="Exception.Message"/> is one line fit for the audit trail.</summary>
public sealed class ChatDeliveryException : Exception
{
    public ChatDeliveryException(string message)
        : base(message)
    {
    }

    public ChatDeliveryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ChatDeliveryException()
    {
    }

    /// <summary>
    /// True when trying again later may succeed (a rate limit, the platform unreachable or failing): the outbox then
    /// keeps the work. False: the platform refused the work itself (a missing scope, a channel that is gone).
    /// </summary>
    public bool IsTransient { get; init; }

    /// <summary>How long the platform asked to wait before the next try, when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
