namespace OnCallBot.Storage;

/// <summary>The database engines the store runs on.</summary>
public enum StorageProvider
{
    /// <summary>An embedded SQLite file: the default, for a single host.</summary>
    Sqlite,

    /// <summary>PostgreSQL: for several hosts sharing one store and one clustered scheduler.</summary>
    Postgres,
}
