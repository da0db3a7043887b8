namespace OnCallBot.Storage;

/// <summary>Loads the bundled native SQLite library, once per process.</summary>
public static class SqliteInitialization
{
    private static readonly Lazy<bool> Initialized = new(() =>
    {
        SQLitePCL.Batteries.Init();
        return true;
    });

    /// <summary>
    /// Call before any SQLite connection is opened, including by the scheduler (Quartz opens its own connections
    /// through Microsoft.Data.Sqlite).
    /// </summary>
    public static void EnsureInitialized() => _ = Initialized.Value;
}
