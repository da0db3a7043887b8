using System.Data.Common;

namespace OnCallBot.Storage;

/// <summary>Opens connections to the configured store (see <see cref="StorageOptions"/>).</summary>
public interface IDbConnectionFactory
{
    /// <summary>The engine the connections go to.</summary>
    StorageProvider Provider { get; }

    /// <summary>Where the store is, without credentials: safe to log and to show in health reports.</summary>
    string Description { get; }

    /// <summary>
    /// Opens a new connection, which the caller disposes. SQLite connections come with WAL journaling, foreign keys
    /// on and a busy timeout, since the scheduler writes to the same file.
    /// </summary>
    Task<DbConnection> OpenAsync(CancellationToken cancellationToken);
}
