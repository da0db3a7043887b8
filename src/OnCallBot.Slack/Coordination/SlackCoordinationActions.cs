using OnCallBot.Core.Coordination;

namespace OnCallBot.Slack.Coordination;

/// <summary>
/// The <c>action_id</c>s of the incident card's role buttons. Stable, as cards pinned in old channels still carry
/// them; each button's <c>value</c> is the incident number.
/// </summary>
internal static class SlackCoordinationActions
{
    public const string Commander = "oncallbot.role.commander";
    public const string Scribe = "oncallbot.role.scribe";
    public const string Comms = "oncallbot.role.comms";

    public static string For(IncidentRole role) => role switch
    {
        IncidentRole.Commander => Commander,
        IncidentRole.Scribe => Scribe,
        _ => Comms,
    };

    public static bool TryParse(string actionId, out IncidentRole role)
    {
        (var known, role) = actionId switch
        {
            Commander => (true, IncidentRole.Commander),
            Scribe => (true, IncidentRole.Scribe),
            Comms => (true, IncidentRole.Comms),
            _ => (false, default),
        };
        return known;
    }
}
