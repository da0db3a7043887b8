using OnCallBot.Core.Ports;

namespace OnCallBot.Storage.Repositories;

/// <summary>
/// Each person's direct conversation with the bot per chat platform, in <c>direct_conversations</c> (one row per
/// platform and platform user id). Remembering is an upsert; forgetting deletes only the conversation named, so a
/// fresh one remembered by a concurrent send survives.
/// </summary>
internal sealed class SqlDirectConversationStore(IDbConnectionFactory connections) : IDirectConversationStore
{
    public async Task<string?> FindAsync(string platform, string platformUserId, CancellationToken cancellationToken)
    {
        Validate(platform, platformUserId);
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT conversation_id FROM direct_conversations WHERE platform = @platform AND platform_user_id = @platform_user_id")
            .WithParameter("@platform", platform)
            .WithParameter("@platform_user_id", platformUserId);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task RememberAsync(string platform, string platformUserId, string conversationId, CancellationToken cancellationToken)
    {
        Validate(platform, platformUserId);
        ArgumentException.ThrowIfNullOrWhiteSpace(conversationId);
        await using var write = await connections.BeginWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var command = connection.CreateCommand(
            "INSERT INTO direct_conversations (platform, platform_user_id, conversation_id) VALUES (@platform, @platform_user_id, @conversation_id) " +
            "ON CONFLICT (platform, platform_user_id) DO UPDATE SET conversation_id = excluded.conversation_id", write.Transaction)
            .WithParameter("@platform", platform)
            .WithParameter("@platform_user_id", platformUserId)
            .WithParameter("@conversation_id", conversationId);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await write.CommitAsync(cancellationToken);
    }

    public async Task ForgetAsync(string platform, string platformUserId, string conversationId, CancellationToken cancellationToken)
    {
        Validate(platform, platformUserId);
        ArgumentException.ThrowIfNullOrWhiteSpace(conversationId);
        await using var write = await connections.BeginWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var command = connection.CreateCommand(
            "DELETE FROM direct_conversations WHERE platform = @platform AND platform_user_id = @platform_user_id AND conversation_id = @conversation_id", write.Transaction)
            .WithParameter("@platform", platform)
            .WithParameter("@platform_user_id", platformUserId)
            .WithParameter("@conversation_id", conversationId);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await write.CommitAsync(cancellationToken);
    }

    private static void Validate(string platform, string platformUserId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(platform);
        ArgumentException.ThrowIfNullOrWhiteSpace(platformUserId);
    }
}
