using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using NodaTime;
using NodaTime.Text;
using Npgsql;

namespace OnCallBot.Storage;

/// <summary>
/// What differs between the engines: how an instant and a GUID are stored, and how a constraint violation reads.
/// Instants are stored in UTC to the microsecond on both (PostgreSQL's timestamptz resolution); anything finer is
/// truncated before it is written, so what is read back equals what the caller sees after <see cref="Truncate"/>.
/// </summary>
internal abstract class SqlDialect
{
    public static SqlDialect Sqlite { get; } = new SqliteDialect();

    public static SqlDialect Postgres { get; } = new PostgresDialect();

    public static SqlDialect For(StorageProvider provider) => provider switch
    {
        StorageProvider.Sqlite => Sqlite,
        StorageProvider.Postgres => Postgres,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown storage provider."),
    };

    /// <summary>The instant as stored: truncated (towards the past) to whole microseconds.</summary>
    public static Instant Truncate(Instant instant)
    {
        var ticks = instant.ToUnixTimeTicks();
        var remainder = ticks % 10;
        if (remainder < 0)
        {
            remainder += 10;
        }
        return Instant.FromUnixTimeTicks(ticks - remainder);
    }

    public abstract object ToDb(Instant instant);

    public abstract Instant ReadInstant(DbDataReader reader, int ordinal);

    public abstract object ToDb(Guid id);

    public abstract Guid ReadGuid(DbDataReader reader, int ordinal);

    public abstract bool IsUniqueViolation(DbException exception);

    private sealed class SqliteDialect : SqlDialect
    {
        // Fixed width, so text order is time order and the overlap query can compare the column directly.
        private static readonly InstantPattern Pattern =
            InstantPattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss'.'ffffff'Z'");

        private const int SqliteConstraint = 19;

        public override object ToDb(Instant instant) => Pattern.Format(Truncate(instant));

        public override Instant ReadInstant(DbDataReader reader, int ordinal) =>
            Pattern.Parse(reader.GetString(ordinal)).GetValueOrThrow();

        public override object ToDb(Guid id) => id.ToString("D", CultureInfo.InvariantCulture);

        public override Guid ReadGuid(DbDataReader reader, int ordinal) =>
            Guid.ParseExact(reader.GetString(ordinal), "D");

        public override bool IsUniqueViolation(DbException exception) =>
            exception is SqliteException { SqliteErrorCode: SqliteConstraint } sqlite &&
            sqlite.Message.Contains("UNIQUE", StringComparison.OrdinalIgnoreCase);
    }

    private sealed class PostgresDialect : SqlDialect
    {
        public override object ToDb(Instant instant) => Truncate(instant).ToDateTimeUtc();

        public override Instant ReadInstant(DbDataReader reader, int ordinal) =>
            Instant.FromDateTimeUtc(DateTime.SpecifyKind(reader.GetFieldValue<DateTime>(ordinal), DateTimeKind.Utc));

        public override object ToDb(Guid id) => id;

        public override Guid ReadGuid(DbDataReader reader, int ordinal) => reader.GetFieldValue<Guid>(ordinal);

        public override bool IsUniqueViolation(DbException exception) =>
            exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
    }
}

internal static class DbCommandExtensions
{
    public static DbCommand WithParameter(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }

    public static DbCommand CreateCommand(this DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }
}
