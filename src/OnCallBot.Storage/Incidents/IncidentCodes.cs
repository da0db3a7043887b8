using OnCallBot.Core.Paging;

namespace OnCallBot.Storage.Incidents;

/// <summary>
/// The text stored for statuses and event kinds. Spelled out rather than taken from the enum names, so renaming a
/// member in code can never change what rows already in a database mean.
/// </summary>
internal static class IncidentCodes
{
    private static readonly Dictionary<IncidentStatus, string> StatusCodes = new()
    {
        [IncidentStatus.Triggered] = Triggered,
        [IncidentStatus.Acknowledged] = "acknowledged",
        [IncidentStatus.Resolved] = "resolved",
    };

    private static readonly Dictionary<IncidentEventKind, string> KindCodes = new()
    {
        [IncidentEventKind.Created] = "created",
        [IncidentEventKind.Notified] = "notified",
        [IncidentEventKind.NotificationFailed] = "notification_failed",
        [IncidentEventKind.LevelSkipped] = "level_skipped",
        [IncidentEventKind.Missed] = "missed",
        [IncidentEventKind.Escalated] = "escalated",
        [IncidentEventKind.Repeated] = "repeated",
        [IncidentEventKind.Exhausted] = "exhausted",
        [IncidentEventKind.Acknowledged] = "acknowledged",
        [IncidentEventKind.Resolved] = "resolved",
        [IncidentEventKind.DeliveryDelayed] = "delivery_delayed",
        [IncidentEventKind.ChannelOpened] = "channel_opened",
        [IncidentEventKind.ChannelFailed] = "channel_failed",
        [IncidentEventKind.ResponderAdded] = "responder_added",
        [IncidentEventKind.RoleAssigned] = "role_assigned",
        [IncidentEventKind.SeverityChanged] = "severity_changed",
        [IncidentEventKind.PhaseChanged] = "phase_changed",
        [IncidentEventKind.Note] = "note",
        [IncidentEventKind.ImpactStarted] = "impact_started",
        [IncidentEventKind.ImpactEnded] = "impact_ended",
        [IncidentEventKind.StatusUpdate] = "status_update",
        [IncidentEventKind.StatusReminder] = "status_reminder",
        [IncidentEventKind.TeamPulledIn] = "team_pulled_in",
        [IncidentEventKind.Archived] = "archived",
    };

    private static readonly Dictionary<string, IncidentStatus> StatusesByCode = StatusCodes.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);

    private static readonly Dictionary<string, IncidentEventKind> KindsByCode = KindCodes.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);

    public const string Triggered = "triggered";

    public static string Of(IncidentStatus status) =>
        StatusCodes.TryGetValue(status, out var code)
            ? code
            : throw new ArgumentOutOfRangeException(nameof(status), status, "This incident status has no stored code; add one to IncidentCodes.");

    public static string Of(IncidentEventKind kind) =>
        KindCodes.TryGetValue(kind, out var code)
            ? code
            : throw new ArgumentOutOfRangeException(nameof(kind), kind, "This event kind has no stored code; add one to IncidentCodes.");

    public static IncidentStatus StatusOf(string code) =>
        StatusesByCode.TryGetValue(code, out var status)
            ? status
            : throw new InvalidOperationException(
                $"The store holds an incident with status '{code}', which this build of OnCallBot does not know; a newer version wrote it.");

    public static IncidentEventKind KindOf(string code) =>
        KindsByCode.TryGetValue(code, out var kind)
            ? kind
            : throw new InvalidOperationException(
                $"The store holds an incident event of kind '{code}', which this build of OnCallBot does not know; a newer version wrote it.");
}
