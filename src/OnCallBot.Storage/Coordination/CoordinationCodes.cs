using OnCallBot.Core.Coordination;

namespace OnCallBot.Storage.Coordination;

/// <summary>
/// The text stored for incident phases. Spelled out rather than taken from the enum names, so renaming a member in
/// code can never change what rows already in a database mean (the migration's CHECK lists the same codes).
/// </summary>
internal static class CoordinationCodes
{
    private static readonly Dictionary<IncidentPhase, string> PhaseCodes = new()
    {
        [IncidentPhase.Investigating] = "investigating",
        [IncidentPhase.Identified] = "identified",
        [IncidentPhase.Monitoring] = "monitoring",
        [IncidentPhase.Resolved] = "resolved",
    };

    private static readonly Dictionary<string, IncidentPhase> PhasesByCode = PhaseCodes.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);

    /// <summary>The column prefix of each role's holder in <c>incident_rooms</c>.</summary>
    public static string ColumnPrefixOf(IncidentRole role) => role switch
    {
        IncidentRole.Commander => "commander",
        IncidentRole.Scribe => "scribe",
        IncidentRole.Comms => "comms",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "This role has no columns in incident_rooms; add them with a migration."),
    };

    public static string Of(IncidentPhase phase) =>
        PhaseCodes.TryGetValue(phase, out var code)
            ? code
            : throw new ArgumentOutOfRangeException(nameof(phase), phase, "This incident phase has no stored code; add one to CoordinationCodes (and the migration's CHECK).");

    public static IncidentPhase PhaseOf(string code) =>
        PhasesByCode.TryGetValue(code, out var phase)
            ? phase
            : throw new InvalidOperationException(
                $"The store holds an incident room in phase '{code}', which this build of OnCallBot does not know; a newer version wrote it.");
}
