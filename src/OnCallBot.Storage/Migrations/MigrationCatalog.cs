namespace OnCallBot.Storage.Migrations;

/// <summary>
/// Every migration this build knows, oldest first.
/// </summary>
/// <remarks>
/// To change the schema, add a file <c>M000NWhatItDoes.cs</c> with a <see cref="Migration"/> numbered one past the
/// last, SQL for both engines, and append it to <see cref="All"/>. Never edit or renumber a migration that has
/// shipped: databases out there have recorded it as applied and will not run it again.
/// </remarks>
internal static class MigrationCatalog
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        M0001Initial.Migration,
        M0002Incidents.Migration,
        M0003IncidentRooms.Migration,
        M0004StepLeasesAndDirectConversations.Migration,
        M0005InboundRequests.Migration,
        M0006Outbox.Migration,
    ];

    public static int LatestVersion => All[^1].Version;
}
