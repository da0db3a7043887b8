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
    /// Opens a new connection, which the caller disposes, for reading (a write goes through
    /// <see cref="BeginWriteAsync"/>). SQLite connections come with WAL journaling, <c>synchronous = FULL</c>,
    /// foreign keys on and a busy timeout, since the scheduler writes to the same file.
    /// </summary>
    Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Opens a connection and begins a write transaction on it, which the caller commits and disposes. On SQLite the
    /// writers of this process take turns through one gate per database file, waited for asynchronously, and the
    /// transaction begins <c>BEGIN IMMEDIATE</c>, so it holds the file's write lock from its first statement: threads
    /// queue cheaply instead of spinning in SQLite's busy handler, and a transaction that read first never fails to
    /// upgrade to writing. The scheduler's own transactions still take SQLite's lock; the busy timeout covers them.
    /// PostgreSQL: no gate (row locks serialize what conflicts), read committed.
    /// </summary>
    Task<StoreWrite> BeginWriteAsync(CancellationToken cancellationToken);
}
