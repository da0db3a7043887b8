namespace OnCallBot.Teams.Cards;

/// <summary>
/// The <c>verb</c>s of the cards' <c>Action.Execute</c> buttons: the same names as the Slack buttons' action ids, so
/// one table of actions can serve both once it moves to the core. They are stable: cards sent weeks ago still carry
/// them. Each button's <c>data</c> is <c>{"incident": number}</c> (<see cref="AdaptiveElements.IncidentDataKey"/>).
/// </summary>
internal static class TeamsCardVerbs
{
    public const string Acknowledge = Core.Paging.PagingActions.Acknowledge;
    public const string EscalateNow = Core.Paging.PagingActions.EscalateNow;
    public const string Resolve = Core.Paging.PagingActions.Resolve;

    public const string Commander = "oncallbot.role.commander";
    public const string Scribe = "oncallbot.role.scribe";
    public const string Comms = "oncallbot.role.comms";
}
