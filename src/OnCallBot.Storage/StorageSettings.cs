using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace OnCallBot.Storage;

/// <summary>
/// <see cref="StorageOptions"/> checked and resolved: which engine, the connection string to open it with (shared
/// with the scheduler so both use one database) and a description that is safe to log.
/// </summary>
public sealed class StorageSettings
{
    private StorageSettings(StorageProvider provider, string connectionString, string description, string? sqliteFilePath)
    {
        Provider = provider;
        ConnectionString = connectionString;
        Description = description;
        SqliteFilePath = sqliteFilePath;
    }

    public StorageProvider Provider { get; }

    /// <summary>The connection string to open; it may hold a password, so it is never logged (use <see cref="Description"/>).</summary>
    public string ConnectionString { get; }

    /// <summary>The engine and where it is (SQLite file path, or PostgreSQL host:port/database), without credentials.</summary>
    public string Description { get; }

    /// <summary>The absolute path of the SQLite file, or null for PostgreSQL (or a SQLite URI data source).</summary>
    public string? SqliteFilePath { get; }

    /// <summary>
    /// Creates the SQLite file's directory when it does not exist yet; returns true when it created it. Nothing to do
    /// for PostgreSQL. Called before the first connection, by the store and by the scheduler, whichever opens first.
    /// </summary>
    public bool EnsureSqliteDirectory()
    {
        if (SqliteFilePath is null || Path.GetDirectoryName(SqliteFilePath) is not { Length: > 0 } directory || Directory.Exists(directory))
        {
            return false;
        }
        Directory.CreateDirectory(directory);
        return true;
    }

    /// <summary>Resolves <paramref name="options"/>, throwing <see cref="InvalidOperationException"/> with a fix-it message when they are invalid.</summary>
    public static StorageSettings Resolve(StorageOptions options) =>
        TryResolve(options, out var settings, out var error) ? settings : throw new InvalidOperationException(error);

    /// <summary>Resolves <paramref name="options"/>; on failure <paramref name="error"/> says which key to set and how.</summary>
    public static bool TryResolve(
        StorageOptions options,
        [NotNullWhen(true)] out StorageSettings? settings,
        [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(options);
        settings = null;
        var provider = (options.Provider ?? string.Empty).Trim();
        if (provider.Equals(StorageOptions.SqliteProvider, StringComparison.OrdinalIgnoreCase))
        {
            return TryResolveSqlite(options.ConnectionString, out settings, out error);
        }
        if (provider.Equals(StorageOptions.PostgresProvider, StringComparison.OrdinalIgnoreCase))
        {
            return TryResolvePostgres(options.ConnectionString, out settings, out error);
        }
        error = $"Storage:Provider is '{options.Provider}', which is not supported. Allowed values: " +
            $"'{StorageOptions.SqliteProvider}' (the default: one host, an embedded file) or " +
            $"'{StorageOptions.PostgresProvider}' (several hosts sharing one database).";
        return false;
    }

    private static bool TryResolveSqlite(string? connectionString, [NotNullWhen(true)] out StorageSettings? settings, [NotNullWhen(false)] out string? error)
    {
        settings = null;
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(
                string.IsNullOrWhiteSpace(connectionString) ? StorageOptions.DefaultSqliteConnectionString : connectionString);
        }
        catch (ArgumentException ex)
        {
            error = $"Storage:ConnectionString is not a valid SQLite connection string ({ex.Message}). Example: \"{StorageOptions.DefaultSqliteConnectionString}\".";
            return false;
        }
        var dataSource = builder.DataSource?.Trim();
        if (string.IsNullOrEmpty(dataSource))
        {
            error = $"Storage:ConnectionString has no Data Source: name the SQLite file, for example \"{StorageOptions.DefaultSqliteConnectionString}\".";
            return false;
        }
        if (dataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
        {
            error = "Storage:ConnectionString names an in-memory SQLite database, which would lose everything on restart and cannot be shared with the scheduler. " +
                $"Name a file instead, for example \"{StorageOptions.DefaultSqliteConnectionString}\".";
            return false;
        }
        if (builder.Mode == SqliteOpenMode.ReadOnly)
        {
            error = "Storage:ConnectionString opens SQLite read-only (Mode=ReadOnly); the store needs to write. Remove the Mode setting.";
            return false;
        }

        string? filePath = null;
        if (!dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            // Resolved once so the store and the scheduler open the same file whatever the current directory later is.
            filePath = Path.GetFullPath(dataSource);
            builder.DataSource = filePath;
        }
        builder.ForeignKeys = true;
        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        settings = new StorageSettings(StorageProvider.Sqlite, builder.ToString(), $"sqlite {filePath ?? dataSource}", filePath);
        error = null;
        return true;
    }

    /// <summary>Connections per pool per host when the connection string does not say (Npgsql's own default is 100).</summary>
    internal const int DefaultMaxPoolSize = 20;

    // Npgsql's builder answers every known key as present, so what the admin wrote is read as written (any spelling).
    private static bool SaysMaxPoolSize(string connectionString)
    {
        var written = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        return written.Keys.Cast<string>().Any(key =>
            key.Replace(" ", "", StringComparison.Ordinal).Equals("MaximumPoolSize", StringComparison.OrdinalIgnoreCase)
            || key.Replace(" ", "", StringComparison.Ordinal).Equals("MaxPoolSize", StringComparison.OrdinalIgnoreCase));
    }

    private static bool TryResolvePostgres(string? connectionString, [NotNullWhen(true)] out StorageSettings? settings, [NotNullWhen(false)] out string? error)
    {
        settings = null;
        const string example = "\"Host=db.internal;Port=5432;Database=oncallbot;Username=oncallbot;Password=...\"";
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            error = "Storage:ConnectionString is required when Storage:Provider is 'postgres'. Set it (environment variable " +
                $"Storage__ConnectionString), for example {example}.";
            return false;
        }
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            error = $"Storage:ConnectionString is not a valid PostgreSQL connection string ({ex.Message}). Example: {example}.";
            return false;
        }
        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            error = $"Storage:ConnectionString has no Host: name the PostgreSQL server, for example {example}.";
            return false;
        }
        if (!SaysMaxPoolSize(connectionString))
        {
            // Two pools open to the server from each host (the store's and the scheduler's), each of Npgsql's default 100:
            // under a burst of pages they ran a stock server (max_connections 100) out of connections, and pages failed.
            // A smaller pool makes callers wait their turn instead. Set Maximum Pool Size to choose another.
            builder.MaxPoolSize = DefaultMaxPoolSize;
        }
        var database = builder.Database ?? builder.Username ?? "(default database)";
        settings = new StorageSettings(StorageProvider.Postgres, builder.ConnectionString, $"postgres {builder.Host}:{builder.Port}/{database}", null);
        error = null;
        return true;
    }
}
