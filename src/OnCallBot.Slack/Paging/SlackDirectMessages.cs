using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.Slack.WebApi;

namespace OnCallBot.Slack.Paging;

/// <summary>
/// Posting to a person's DM with the bot: the channel remembered in the store (<see cref="IDirectConversationStore"/>)
/// when there is one, else (or when Slack says it is gone) a freshly opened one, remembered for next time.
/// <c>conversations.open</c> is paced workspace-wide (Tier 3), so pages and reminders alike open a DM only once.
/// </summary>
internal static class SlackDirectMessages
{
    // What chat.postMessage answers for a DM channel that no longer takes messages; a fresh conversations.open fixes it.
    private static readonly HashSet<string> ChannelGoneErrors = new(StringComparer.Ordinal) { "channel_not_found", "is_archived", "not_in_channel" };

    public static Task<SlackMessageRef> PostAsync(IDirectConversationStore conversations, SlackWebApiClient client, string slackUserId,
        Func<string, Task<SlackMessageRef>> post, CancellationToken cancellationToken) =>
        DirectConversations.PostAsync(conversations, SlackChatPlatform.PlatformName, slackUserId,
            ct => client.OpenConversationAsync([slackUserId], ct), post,
            ex => ex is SlackApiException api && ChannelGoneErrors.Contains(api.Error), cancellationToken);
}
