using System.Data.Common;

namespace OnCallBot.Storage;

/// <summary>
/// One short write transaction on its own connection (<see cref="IDbConnectionFactory.BeginWriteAsync"/>). Disposing
/// it without <see cref="CommitAsync"/> rolls back; either way it closes the connection and lets the next writer of
/// this process in. Hold it only for the SQL: never across a call to a chat platform or any other slow wait.
/// </summary>
public sealed class StoreWrite : IAsyncDisposable
{
    private Action? _release;

    internal StoreWrite(DbConnection connection, DbTransaction transaction, Action? release)
    {
        Connection = connection;
        Transaction = transaction;
        _release = release;
    }

    /// <summary>The connection the transaction runs on; pass <see cref="Transaction"/> to every command.</summary>
    public DbConnection Connection { get; }

    /// <summary>The write transaction: <c>BEGIN IMMEDIATE</c> on SQLite, read committed on PostgreSQL.</summary>
    public DbTransaction Transaction { get; }

    /// <summary>Commits the transaction. Disposing still has to follow, to free the connection and the writer gate.</summary>
    public Task CommitAsync(CancellationToken cancellationToken) => Transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
        finally
        {
            Interlocked.Exchange(ref _release, null)?.Invoke();
        }
    }
}
