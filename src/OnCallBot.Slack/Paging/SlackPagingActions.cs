using OnCallBot.Core.Paging;

namespace OnCallBot.Slack.Paging;

/// <summary>
/// The <c>action_id</c>s of the paging buttons. They are stable: messages sent weeks ago still carry them, so a
/// rename would break every button already in people's DMs. Each button's <c>value</c> is the incident number.
/// </summary>
internal static class SlackPagingActions
{
    public const string Acknowledge = PagingActions.Acknowledge;
    public const string EscalateNow = PagingActions.EscalateNow;
    public const string Resolve = PagingActions.Resolve;

    public static bool IsPagingAction(string actionId) => PagingActions.IsPagingAction(actionId);
}
