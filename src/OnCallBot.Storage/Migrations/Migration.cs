namespace OnCallBot.Storage.Migrations;

/// <summary>
/// One step of the store's schema: applied once, in version order, each in its own transaction, and recorded in
/// <c>schema_migrations</c>. The SQL is per engine because types differ (instants are ISO-8601 UTC text with
/// microseconds on SQLite and <c>timestamptz</c> on PostgreSQL; ids are text and <c>uuid</c>).
/// </summary>
/// <remarks>Table names must not start with <c>qrtz_</c>: those are the scheduler's (Quartz), in the same database.</remarks>
internal sealed record Migration(int Version, string Name, string Sqlite, string Postgres)
{
    public string SqlFor(StorageProvider provider) => provider switch
    {
        StorageProvider.Sqlite => Sqlite,
        StorageProvider.Postgres => Postgres,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown storage provider."),
    };
}
