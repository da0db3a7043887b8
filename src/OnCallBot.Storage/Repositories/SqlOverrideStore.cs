using System.Data.Common;
using System.Text;
using Microsoft.Extensions.Logging;
using NodaTime;
using OnCallBot.Core.Model;
using OnCallBot.Core.Ports;

namespace OnCallBot.Storage.Repositories;

/// <summary>
/// Overrides in <c>schedule_overrides</c>. Instants are kept to the microsecond (see <see cref="SqlDialect"/>); an
/// override is the half-open interval [start, end), so one ending exactly when a window starts does not overlap it.
/// </summary>
internal sealed class SqlOverrideStore(IDbConnectionFactory connections, ILogger<SqlOverrideStore> logger) : IOverrideStore
{
    private const string Columns = "id, schedule_id, user_id, starts_at, ends_at, created_by, created_at, reason";

    private readonly SqlDialect _dialect = SqlDialect.For(connections.Provider);

    public async Task AddAsync(ScheduleOverride scheduleOverride, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scheduleOverride);
        var o = scheduleOverride;
        if (o.Id == Guid.Empty)
        {
            throw new ArgumentException("An override needs a non-empty Id.", nameof(scheduleOverride));
        }
        ArgumentException.ThrowIfNullOrWhiteSpace(o.ScheduleId, nameof(scheduleOverride));
        ArgumentException.ThrowIfNullOrWhiteSpace(o.UserId, nameof(scheduleOverride));
        ArgumentException.ThrowIfNullOrWhiteSpace(o.CreatedBy, nameof(scheduleOverride));
        // Compared as stored, so an end a few nanoseconds after the start is refused here rather than by the database.
        if (SqlDialect.Truncate(o.End) <= SqlDialect.Truncate(o.Start))
        {
            throw new ArgumentException(
                $"An override must end after it starts; got start {o.Start} and end {o.End} (to the microsecond).", nameof(scheduleOverride));
        }

        await using var write = await connections.BeginWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var command = connection.CreateCommand(
            $"INSERT INTO schedule_overrides ({Columns}) VALUES (@id, @schedule_id, @user_id, @starts_at, @ends_at, @created_by, @created_at, @reason)", write.Transaction);
        command.WithParameter("@id", _dialect.ToDb(o.Id))
            .WithParameter("@schedule_id", o.ScheduleId)
            .WithParameter("@user_id", o.UserId)
            .WithParameter("@starts_at", _dialect.ToDb(o.Start))
            .WithParameter("@ends_at", _dialect.ToDb(o.End))
            .WithParameter("@created_by", o.CreatedBy)
            .WithParameter("@created_at", _dialect.ToDb(o.CreatedAt))
            .WithParameter("@reason", o.Reason);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (DbException ex) when (_dialect.IsUniqueViolation(ex))
        {
            throw new InvalidOperationException($"An override with id {o.Id} already exists; nothing was changed.", ex);
        }
        await write.CommitAsync(cancellationToken);
        Log.OverrideAdded(logger, o.Id, o.ScheduleId, o.UserId);
    }

    public async Task<bool> RemoveAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var write = await connections.BeginWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var command = connection.CreateCommand("DELETE FROM schedule_overrides WHERE id = @id", write.Transaction)
            .WithParameter("@id", _dialect.ToDb(id));
        var removed = await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        await write.CommitAsync(cancellationToken);
        if (removed)
        {
            Log.OverrideRemoved(logger, id);
        }
        return removed;
    }

    public async Task<IReadOnlyList<ScheduleOverride>> GetOverridesAsync(string scheduleId, Interval window, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scheduleId);
        if (window.HasStart && window.HasEnd && SqlDialect.Truncate(window.End) <= SqlDialect.Truncate(window.Start))
        {
            // An empty window overlaps nothing.
            return [];
        }

        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand(string.Empty);
        var sql = new StringBuilder($"SELECT {Columns} FROM schedule_overrides WHERE schedule_id = @schedule_id");
        command.WithParameter("@schedule_id", scheduleId);
        // Half-open intervals overlap when each starts before the other ends.
        if (window.HasEnd)
        {
            sql.Append(" AND starts_at < @window_end");
            command.WithParameter("@window_end", _dialect.ToDb(window.End));
        }
        if (window.HasStart)
        {
            sql.Append(" AND ends_at > @window_start");
            command.WithParameter("@window_start", _dialect.ToDb(window.Start));
        }
        sql.Append(" ORDER BY created_at, starts_at, id");
        command.CommandText = sql.ToString();

        var result = new List<ScheduleOverride>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(new ScheduleOverride(
                _dialect.ReadGuid(reader, 0),
                reader.GetString(1),
                reader.GetString(2),
                _dialect.ReadInstant(reader, 3),
                _dialect.ReadInstant(reader, 4),
                reader.GetString(5),
                _dialect.ReadInstant(reader, 6),
                reader.IsDBNull(7) ? null : reader.GetString(7)));
        }
        return result;
    }
}
