using Microsoft.Extensions.Diagnostics.HealthChecks;
using OnCallBot.Storage.Migrations;

namespace OnCallBot.Storage;

/// <summary>
/// The "store" health check: opens a connection, runs <c>SELECT 1</c> and reads the schema version. Unhealthy when
/// the database cannot be reached or its schema is not the one this build migrates to.
/// </summary>
internal sealed class StoreHealthCheck(IDbConnectionFactory connections) : IHealthCheck
{
    public const string Name = "store";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var expected = MigrationCatalog.LatestVersion;
        var data = new Dictionary<string, object>
        {
            ["provider"] = connections.Provider.ToString().ToLowerInvariant(),
            ["database"] = connections.Description,
            ["expected_schema_version"] = expected,
        };
        try
        {
            await using var connection = await connections.OpenAsync(cancellationToken);
            await using (var ping = connection.CreateCommand("SELECT 1"))
            {
                await ping.ExecuteScalarAsync(cancellationToken);
            }
            var version = await MigrationRunner.ReadSchemaVersionAsync(connection, connections.Provider, cancellationToken);
            data["schema_version"] = version ?? 0;
            if (version != expected)
            {
                return new HealthCheckResult(
                    context.Registration.FailureStatus,
                    $"{connections.Description} answers, but its schema is at version {version ?? 0} and this build expects {expected}.",
                    data: data);
            }
            return HealthCheckResult.Healthy($"{connections.Description}, schema version {version}.", data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(
                context.Registration.FailureStatus, $"{connections.Description} cannot be reached: {ex.Message}", ex, data);
        }
    }
}
