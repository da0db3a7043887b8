using OnCallBot.Core.Model;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;

namespace OnCallBot.TestKit.Paging;

/// <summary>A page message the platform delivered: to whom, what it showed, and where it went.</summary>
public sealed record SentPage(User Recipient, PageView View, DeliveredMessage Message);

/// <summary>A page message rewritten after the fact (acknowledged, resolved).</summary>
public sealed record UpdatedPage(DeliveredMessage Message, PageView View);

/// <summary>A post to a team's channel.</summary>
public sealed record Announcement(Team Team, string Channel, string Text);

/// <summary>A direct message to someone who used the bot.</summary>
public sealed record Tell(Actor Person, string Text);

/// <summary>
/// An <see cref="IChatPlatform"/> that records what it was asked to deliver. It reaches people and channels by the
/// ids the on-call config gives for its <see cref="Name"/> (<c>slack</c> or <c>teams</c>), and refuses, like a
/// platform would, with <see cref="ChatDeliveryException"/> for the people a test names in <see cref="FailFor"/>.
/// </summary>
public sealed class RecordingChatPlatform : IChatPlatform
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _failures = new(StringComparer.Ordinal);
    private readonly List<SentPage> _sent = [];
    private readonly List<UpdatedPage> _updates = [];
    private readonly List<Announcement> _announcements = [];
    private readonly List<Tell> _tells = [];
    private int _lastMessageId;
    private Func<User, Task>? _whileSending;

    public RecordingChatPlatform(string name = "slack")
    {
        if (name is not ("slack" or "teams"))
        {
            throw new ArgumentOutOfRangeException(nameof(name), name, "A recording platform stands for slack or teams.");
        }
        Name = name;
    }

    public string Name { get; }

    public IReadOnlyList<SentPage> Sent => Snapshot(_sent);

    public IReadOnlyList<UpdatedPage> Updates => Snapshot(_updates);

    public IReadOnlyList<Announcement> Announcements => Snapshot(_announcements);

    public IReadOnlyList<Tell> Tells => Snapshot(_tells);

    /// <summary>From now on, every page to <paramref name="userId"/> is refused with <paramref name="reason"/>.</summary>
    public RecordingChatPlatform FailFor(string userId, string reason = "user_not_found")
    {
        lock (_gate)
        {
            _failures[userId] = reason;
        }
        return this;
    }

    public bool CanReach(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return IdOf(user) is not null;
    }

    /// <summary>
    /// From now on, every page is held in <paramref name="whileSending"/> before the platform answers: a slow platform
    /// (advance a fake clock there), or something that happens while a send is under way.
    /// </summary>
    public RecordingChatPlatform WhileSending(Func<User, Task> whileSending)
    {
        ArgumentNullException.ThrowIfNull(whileSending);
        lock (_gate)
        {
            _whileSending = whileSending;
        }
        return this;
    }

    public async Task<DeliveredMessage> SendPageAsync(User recipient, PageView page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(page);
        var platformUserId = IdOf(recipient)
            ?? throw new ChatDeliveryException($"{recipient.DisplayName} has no {Name} user id.");
        Func<User, Task>? whileSending;
        lock (_gate)
        {
            whileSending = _whileSending;
        }
        if (whileSending is not null)
        {
            await whileSending(recipient);
        }
        lock (_gate)
        {
            if (_failures.TryGetValue(recipient.Id, out var reason))
            {
                throw new ChatDeliveryException($"{Name} refused the message: {reason}");
            }
            var message = new DeliveredMessage(Name, "D" + platformUserId, (++_lastMessageId).ToString(System.Globalization.CultureInfo.InvariantCulture));
            _sent.Add(new SentPage(recipient, page, message));
            return message;
        }
    }

    public Task UpdatePageAsync(DeliveredMessage message, PageView page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(page);
        lock (_gate)
        {
            if (message.Platform != Name || !_sent.Any(s => s.Message == message))
            {
                throw new ChatDeliveryException($"{Name} has no message {message.MessageId} in {message.ConversationId} to update.");
            }
            _updates.Add(new UpdatedPage(message, page));
        }
        return Task.CompletedTask;
    }

    public Task<bool> AnnounceAsync(Team team, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(team);
        var channel = Name == "slack" ? team.Channels.Slack : team.Channels.Teams;
        if (channel is null)
        {
            return Task.FromResult(false);
        }
        lock (_gate)
        {
            _announcements.Add(new Announcement(team, channel, text));
        }
        return Task.FromResult(true);
    }

    public Task TellAsync(Actor person, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(person);
        if (person.Platform != Name)
        {
            throw new ChatDeliveryException($"{person.DisplayName} is a {person.Platform} user; {Name} cannot message them.");
        }
        lock (_gate)
        {
            _tells.Add(new Tell(person, text));
        }
        return Task.CompletedTask;
    }

    private string? IdOf(User user) => Name == "slack" ? user.SlackUserId : user.TeamsUserId;

    private List<T> Snapshot<T>(List<T> items)
    {
        lock (_gate)
        {
            return [.. items];
        }
    }
}
