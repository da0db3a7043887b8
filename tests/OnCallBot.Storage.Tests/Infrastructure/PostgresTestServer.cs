namespace OnCallBot.Storage.Tests.Infrastructure;

/// <summary>The PostgreSQL server the PostgreSQL cases run against, from ONCALLBOT_TEST_POSTGRES.</summary>
public static class PostgresTestServer
{
    public const string EnvironmentVariable = "ONCALLBOT_TEST_POSTGRES";

    public const string SkipReason =
        "ONCALLBOT_TEST_POSTGRES is not set, so the PostgreSQL cases are skipped. Run `.ci/postgres.sh start` and " +
        "`source .ci/out/postgres.env` (or export a connection string to a server where you may create schemas and databases).";

    public static string? ConnectionString =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value ? value : null;
}
