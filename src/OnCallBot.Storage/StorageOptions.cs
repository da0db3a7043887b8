namespace OnCallBot.Storage;

/// <summary>
/// Where the store keeps its data. Bound from the <c>Storage</c> configuration section and validated at start.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><description><c>Storage:Provider</c>: <c>sqlite</c> (default, one host) or <c>postgres</c> (several hosts).</description></item>
/// <item><description><c>Storage:ConnectionString</c>: for SQLite defaults to <see cref="DefaultSqliteConnectionString"/>
/// (a relative path is taken from the current directory, and the file's directory is created on first start);
/// required for PostgreSQL.</description></item>
/// </list>
/// The scheduler (Quartz) keeps its tables in the same database.
/// </remarks>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    public const string SqliteProvider = "sqlite";

    public const string PostgresProvider = "postgres";

    public const string DefaultSqliteConnectionString = "Data Source=data/oncallbot.db";

    /// <summary><c>sqlite</c> or <c>postgres</c> (case-insensitive). Defaults to <c>sqlite</c>.</summary>
    public string Provider { get; set; } = SqliteProvider;

    /// <summary>The ADO.NET connection string for <see cref="Provider"/>; optional for SQLite.</summary>
    public string? ConnectionString { get; set; }
}
