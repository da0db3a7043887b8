using OnCallBot.Core.Ports;

namespace OnCallBot.TestKit.Paging;

/// <summary>
/// The reference behaviour of <see cref="IDirectConversationStore"/>, kept in memory: one conversation per (platform,
/// platform user id), remembering replaces, forgetting drops only the conversation it names.
/// </summary>
public sealed class InMemoryDirectConversationStore : IDirectConversationStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Platform, string UserId), string> _conversations = [];

    /// <summary>Everything remembered now, for assertions.</summary>
    public IReadOnlyDictionary<(string Platform, string UserId), string> Remembered
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<(string, string), string>(_conversations);
            }
        }
    }

    public Task<string?> FindAsync(string platform, string platformUserId, CancellationToken cancellationToken)
    {
        Validate(platform, platformUserId);
        lock (_gate)
        {
            return Task.FromResult(_conversations.GetValueOrDefault((platform, platformUserId)));
        }
    }

    public Task RememberAsync(string platform, string platformUserId, string conversationId, CancellationToken cancellationToken)
    {
        Validate(platform, platformUserId);
        ArgumentException.ThrowIfNullOrWhiteSpace(conversationId);
        lock (_gate)
        {
            _conversations[(platform, platformUserId)] = conversationId;
        }
        return Task.CompletedTask;
    }

    public Task ForgetAsync(string platform, string platformUserId, string conversationId, CancellationToken cancellationToken)
    {
        Validate(platform, platformUserId);
        ArgumentException.ThrowIfNullOrWhiteSpace(conversationId);
        lock (_gate)
        {
            if (_conversations.TryGetValue((platform, platformUserId), out var current) && current == conversationId)
            {
                _conversations.Remove((platform, platformUserId));
            }
        }
        return Task.CompletedTask;
    }

    private static void Validate(string platform, string platformUserId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(platform);
        ArgumentException.ThrowIfNullOrWhiteSpace(platformUserId);
    }
}
