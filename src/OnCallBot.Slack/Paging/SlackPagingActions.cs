namespace OnCallBot.Slack.Paging;

/// <summary>
/// The <c>action_id</c>s of the paging buttons. They are stable: messages sent weeks ago still carry them, so a
/// rename would break every button already in people's DMs. Each button's <c>value</c> is the incident number.
/// </summary>
internal static class SlackPagingActions
{
    public const string Acknowledge = "oncallbot.ack";
    public const string EscalateNow = "oncallbot.escalate";
    public const string Resolve = "oncallbot.resolve";

    public static bool IsPagingAction(string actionId) => actionId is Acknowledge or EscalateNow or Resolve;
}
