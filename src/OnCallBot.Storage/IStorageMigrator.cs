namespace OnCallBot.Storage;

/// <summary>
/// Brings the store's schema up to this build's version. Run at start by the host (before anything else uses the
/// database) and callable from the command line.
/// </summary>
public interface IStorageMigrator
{
    /// <summary>
    /// Applies every pending migration, each in its own transaction, and returns the schema version now in place.
    /// Safe to run again (nothing pending is a no-op) and, on PostgreSQL, from several hosts at once (they take turns
    /// on an advisory lock). Throws <see cref="InvalidOperationException"/> when the database is newer than this build.
    /// </summary>
    Task<int> MigrateAsync(CancellationToken cancellationToken);
}
