using OnCallBot.Core.Ports;

namespace OnCallBot.Core.Paging;

/// <summary>
/// Sending to a person's direct conversation with the bot, the same way on every platform: the one remembered in
/// <see cref="IDirectConversationStore"/> when there is one, else (or when the platform says it is gone) a freshly
/// opened one, remembered for next time. Opening is the platform's slow, rate-limited call, so it is made only for
/// someone never messaged, or whose conversation is gone.
/// </summary>
public static class DirectConversations
{
    /// <summary>
    /// Posts with <paramref name="post"/> to the person's conversation. <paramref name="isGone"/> tells a failure that a
    /// fresh conversation fixes; any other failure is thrown as it is. A conversation gone as soon as opened is
    /// forgotten and the failure thrown: nothing more is tried now.
    /// </summary>
    public static async Task<T> PostAsync<T>(IDirectConversationStore conversations, string platform, string platformUserId,
        Func<CancellationToken, Task<string>> open, Func<string, Task<T>> post, Func<Exception, bool> isGone, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conversations);
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(post);
        ArgumentNullException.ThrowIfNull(isGone);
        if (await conversations.FindAsync(platform, platformUserId, cancellationToken) is { } remembered)
        {
            try
            {
                return await post(remembered);
            }
            catch (Exception ex) when (isGone(ex))
            {
                await conversations.ForgetAsync(platform, platformUserId, remembered, cancellationToken);
            }
        }
        var opened = await open(cancellationToken);
        await conversations.RememberAsync(platform, platformUserId, opened, cancellationToken);
        try
        {
            return await post(opened);
        }
        catch (Exception ex) when (isGone(ex))
        {
            await conversations.ForgetAsync(platform, platformUserId, opened, cancellationToken);
            throw;
        }
    }
}
