namespace OnCallBot.Core.Ports;

/// <summary>
/// Port to where each person's direct conversation with the bot is remembered, per chat platform (a Slack DM channel
/// id, a Teams 1:1 conversation id), so a platform opens one only for someone it never messaged, or when the one it
/// had is gone. Keyed by the platform's name and the person's id on that platform.
/// </summary>
public interface IDirectConversationStore
{
    /// <summary>The conversation last remembered for the person, or null when there is none.</summary>
    Task<string?> FindAsync(string platform, string platformUserId, CancellationToken cancellationToken);

    /// <summary>Remembers <paramref name="conversationId"/> for the person, replacing any earlier one.</summary>
    Task RememberAsync(string platform, string platformUserId, string conversationId, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets the person's conversation, but only while it is still <paramref name="conversationId"/>: a fresh one
    /// remembered meanwhile (by another send) is kept.
    /// </summary>
    Task ForgetAsync(string platform, string platformUserId, string conversationId, CancellationToken cancellationToken);
}
