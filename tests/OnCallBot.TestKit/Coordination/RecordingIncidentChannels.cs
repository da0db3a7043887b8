using System.Globalization;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Model;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;

namespace OnCallBot.TestKit.Coordination;

/// <summary>A channel the platform opened.</summary>
public sealed record CreatedChannel(string ChannelId, string Name);

/// <summary>People added to a channel (those with an id on the platform).</summary>
public sealed record Invite(string ChannelId, Actor Person);

/// <summary>A topic set on a channel.</summary>
public sealed record TopicSet(string ChannelId, string Topic);

/// <summary>A card posted (pinned) or rewritten, as the core computed it.</summary>
public sealed record CardMessage(string ChannelId, string MessageId, IncidentCard Card);

/// <summary>A runbook posted and pinned in a channel.</summary>
public sealed record RunbookAdded(string ChannelId, Uri Runbook);

/// <summary>A message posted in a channel, by id.</summary>
public sealed record ChannelPost(string ChannelId, string Text);

/// <summary>A direct message to a person.</summary>
public sealed record Reminder(Actor Person, string Text);

/// <summary>
/// An <see cref="IIncidentChannels"/> that records what it was asked to do. It keeps Slack's rules where the core
/// could break them: channel names are lowercase letters, digits, hyphens and underscores, at most 80 characters
/// (<c>invalid_name_specials</c>, <c>invalid_name_maxlength</c>); a taken name answers <see cref="ChannelCreation.NameTaken"/>;
/// invites, topics, cards and posts go only to channels it opened (or named in <see cref="AddExistingChannel"/>),
/// never to an archived one; people are reached by their id on this platform only.
/// </summary>
public sealed class RecordingIncidentChannels : IIncidentChannels
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _takenNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _knownChannels = new(StringComparer.Ordinal);
    private readonly HashSet<string> _archivedChannels = new(StringComparer.Ordinal);
    private readonly List<string> _createAttempts = [];
    private readonly List<CreatedChannel> _created = [];
    private readonly List<Invite> _invites = [];
    private readonly List<TopicSet> _topics = [];
    private readonly List<CardMessage> _cardsPosted = [];
    private readonly List<CardMessage> _cardsUpdated = [];
    private readonly List<RunbookAdded> _runbooks = [];
    private readonly List<ChannelPost> _posts = [];
    private readonly List<Reminder> _reminders = [];
    private readonly List<string> _archives = [];
    private string? _createFailure;
    private readonly Dictionary<string, (int Count, TimeSpan RetryAfter)> _rateLimitedPosts = new(StringComparer.Ordinal);
    private int _lastId;

    public RecordingIncidentChannels(string name = "slack")
    {
        if (name is not ("slack" or "teams"))
        {
            throw new ArgumentOutOfRangeException(nameof(name), name, "A recording platform stands for slack or teams.");
        }
        Name = name;
    }

    public string Name { get; }

    /// <summary>Whether the platform counts as configured (true unless a test turns it off).</summary>
    public bool IsEnabled { get; set; } = true;

    /// <summary>Every name asked for, in order, taken or not.</summary>
    public IReadOnlyList<string> CreateAttempts => Snapshot(_createAttempts);

    public IReadOnlyList<CreatedChannel> Created => Snapshot(_created);

    public IReadOnlyList<Invite> Invites => Snapshot(_invites);

    public IReadOnlyList<TopicSet> Topics => Snapshot(_topics);

    public IReadOnlyList<CardMessage> CardsPosted => Snapshot(_cardsPosted);

    public IReadOnlyList<CardMessage> CardsUpdated => Snapshot(_cardsUpdated);

    public IReadOnlyList<RunbookAdded> Runbooks => Snapshot(_runbooks);

    public IReadOnlyList<ChannelPost> Posts => Snapshot(_posts);

    public IReadOnlyList<Reminder> Reminders => Snapshot(_reminders);

    /// <summary>Ids of the channels archived, in order.</summary>
    public IReadOnlyList<string> Archived => Snapshot(_archives);

    /// <summary>The card as the channel shows it now: the last one posted or rewritten there.</summary>
    public IncidentCard? CurrentCard(string channelId)
    {
        lock (_gate)
        {
            return _cardsPosted.Concat(_cardsUpdated).LastOrDefault(c => c.ChannelId == channelId)?.Card;
        }
    }

    /// <summary>Who has been invited to a channel, by platform user id, in order.</summary>
    public IReadOnlyList<string> MembersOf(string channelId)
    {
        lock (_gate)
        {
            return _invites.Where(i => i.ChannelId == channelId).Select(i => i.Person.PlatformUserId).Distinct(StringComparer.Ordinal).ToList();
        }
    }

    public IReadOnlyList<string> PostsIn(string channelId)
    {
        lock (_gate)
        {
            return _posts.Where(p => p.ChannelId == channelId).Select(p => p.Text).ToList();
        }
    }

    /// <summary>Marks channel names as already in use in the workspace.</summary>
    public RecordingIncidentChannels TakeNames(params string[] names)
    {
        lock (_gate)
        {
            _takenNames.UnionWith(names);
        }
        return this;
    }

    /// <summary>A channel that exists without this fake opening it (a stakeholder channel, say).</summary>
    public RecordingIncidentChannels AddExistingChannel(string channelId)
    {
        lock (_gate)
        {
            _knownChannels.Add(channelId);
        }
        return this;
    }

    /// <summary>From now on, opening a channel is refused with <paramref name="reason"/> (null: allowed again).</summary>
    public RecordingIncidentChannels FailCreate(string? reason = "missing_scope: channels:manage")
    {
        lock (_gate)
        {
            _createFailure = reason;
        }
        return this;
    }

    /// <summary>
    /// The next <paramref name="count"/> posts to <paramref name="channelId"/> are refused as a rate limit would be (a
    /// transient refusal asking to wait <paramref name="retryAfter"/>), as Slack does per channel for chat.postMessage.
    /// </summary>
    public RecordingIncidentChannels RateLimitPosts(string channelId, int count, TimeSpan retryAfter)
    {
        lock (_gate)
        {
            _rateLimitedPosts[channelId] = (count, retryAfter);
        }
        return this;
    }

    public Task<ChannelCreation> CreateChannelAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate)
        {
            _createAttempts.Add(name);
            if (_createFailure is { } failure)
            {
                throw new ChatDeliveryException(failure);
            }
            if (name.Length is 0 or > IncidentChannelName.MaxLength)
            {
                throw new ChatDeliveryException($"invalid_name_maxlength: '{name}' has {name.Length} characters");
            }
            if (name.Any(c => c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_')))
            {
                throw new ChatDeliveryException($"invalid_name_specials: '{name}'");
            }
            if (!_takenNames.Add(name))
            {
                return Task.FromResult<ChannelCreation>(new ChannelCreation.NameTaken());
            }
            var id = "C" + (++_lastId).ToString("D4", CultureInfo.InvariantCulture);
            _knownChannels.Add(id);
            _created.Add(new CreatedChannel(id, name));
            return Task.FromResult<ChannelCreation>(new ChannelCreation.Created(id, name));
        }
    }

    public Task<IReadOnlyList<Actor>> InviteAsync(IncidentChannel channel, IReadOnlyList<Actor> people, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(people);
        lock (_gate)
        {
            EnsureWritable(channel.ChannelId);
            var skipped = new List<Actor>();
            foreach (var person in people)
            {
                if (person.Platform != Name)
                {
                    skipped.Add(person);
                    continue;
                }
                _invites.Add(new Invite(channel.ChannelId, person));
            }
            return Task.FromResult<IReadOnlyList<Actor>>(skipped);
        }
    }

    public Task SetTopicAsync(IncidentChannel channel, string topic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(topic);
        lock (_gate)
        {
            EnsureWritable(channel.ChannelId);
            _topics.Add(new TopicSet(channel.ChannelId, topic));
        }
        return Task.CompletedTask;
    }

    public Task<string> PostCardAsync(IncidentChannel channel, IncidentCard card, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(card);
        lock (_gate)
        {
            EnsureWritable(channel.ChannelId);
            var messageId = "m" + (++_lastId).ToString(CultureInfo.InvariantCulture);
            _cardsPosted.Add(new CardMessage(channel.ChannelId, messageId, card));
            return Task.FromResult(messageId);
        }
    }

    public Task UpdateCardAsync(IncidentChannel channel, IncidentCard card, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(card);
        lock (_gate)
        {
            EnsureWritable(channel.ChannelId);
            if (!_cardsPosted.Any(c => c.ChannelId == channel.ChannelId && c.MessageId == channel.CardMessageId))
            {
                throw new ChatDeliveryException($"message_not_found: no card {channel.CardMessageId} in {channel.ChannelId}");
            }
            _cardsUpdated.Add(new CardMessage(channel.ChannelId, channel.CardMessageId!, card));
        }
        return Task.CompletedTask;
    }

    public Task AddRunbookAsync(IncidentChannel channel, Uri runbook, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(runbook);
        lock (_gate)
        {
            EnsureWritable(channel.ChannelId);
            _runbooks.Add(new RunbookAdded(channel.ChannelId, runbook));
        }
        return Task.CompletedTask;
    }

    public Task PostAsync(string channelId, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channelId);
        ArgumentNullException.ThrowIfNull(text);
        lock (_gate)
        {
            EnsureWritable(channelId);
            if (_rateLimitedPosts.TryGetValue(channelId, out var limited) && limited.Count > 0)
            {
                _rateLimitedPosts[channelId] = (limited.Count - 1, limited.RetryAfter);
                throw new ChatDeliveryException($"Slack chat.postMessage failed: ratelimited (in {channelId})") { IsTransient = true, RetryAfter = limited.RetryAfter };
            }
            _posts.Add(new ChannelPost(channelId, text));
        }
        return Task.CompletedTask;
    }

    public Task RemindAsync(Actor person, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(person);
        ArgumentNullException.ThrowIfNull(text);
        if (person.Platform != Name)
        {
            throw new ChatDeliveryException($"{person.DisplayName} is a {person.Platform} user; {Name} cannot message them.");
        }
        lock (_gate)
        {
            _reminders.Add(new Reminder(person, text));
        }
        return Task.CompletedTask;
    }

    public Task ArchiveAsync(IncidentChannel channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        lock (_gate)
        {
            if (!_knownChannels.Contains(channel.ChannelId))
            {
                throw new ChatDeliveryException($"channel_not_found: {channel.ChannelId}");
            }
            if (!_archivedChannels.Add(channel.ChannelId))
            {
                throw new ChatDeliveryException($"already_archived: {channel.ChannelId}");
            }
            _archives.Add(channel.ChannelId);
        }
        return Task.CompletedTask;
    }

    public string? PlatformUserIdOf(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Name == "slack" ? user.SlackUserId : user.TeamsUserId;
    }

    // Called under the lock.
    private void EnsureWritable(string channelId)
    {
        if (!_knownChannels.Contains(channelId))
        {
            throw new ChatDeliveryException($"channel_not_found: {channelId}");
        }
        if (_archivedChannels.Contains(channelId))
        {
            throw new ChatDeliveryException($"is_archived: {channelId}");
        }
    }

    private List<T> Snapshot<T>(List<T> items)
    {
        lock (_gate)
        {
            return [.. items];
        }
    }
}
