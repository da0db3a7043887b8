using System.Reflection;
using OnCallBot.Storage;
using Xunit.Sdk;

namespace OnCallBot.Storage.Tests.Infrastructure;

/// <summary>Runs a theory against SQLite (a real file in a temp directory).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SqliteCaseAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[StorageProvider.Sqlite]];
}

/// <summary>
/// Runs a theory against PostgreSQL (ONCALLBOT_TEST_POSTGRES); the case is reported as skipped, with the reason and
/// how to fix it, when the variable is not set.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresCaseAttribute : DataAttribute
{
    public PostgresCaseAttribute()
    {
        if (PostgresTestServer.ConnectionString is null)
        {
            Skip = PostgresTestServer.SkipReason;
        }
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[StorageProvider.Postgres]];
}
