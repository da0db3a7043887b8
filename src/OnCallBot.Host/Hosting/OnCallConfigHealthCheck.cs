using Microsoft.Extensions.Diagnostics.HealthChecks;
using OnCallBot.Configuration;

namespace OnCallBot.Host.Hosting;

/// <summary>
/// "oncall-config": Healthy while the file in force is the file on disk; Degraded when the last edit was
/// invalid (the bot still serves the last good version) or when no config is set (nobody can be paged).
/// </summary>
internal sealed class OnCallConfigHealthCheck(OnCallModelFileProvider provider) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var model = provider.Current;
        var data = new Dictionary<string, object>
        {
            ["path"] = provider.ConfigPath ?? "",
            ["sha256"] = provider.CurrentSha256 ?? "",
            ["services"] = model.Services.Count,
            ["schedules"] = model.Schedules.Count,
            ["users"] = model.Users.Count,
        };
        if (string.IsNullOrWhiteSpace(provider.ConfigPath))
        {
            return Task.FromResult(HealthCheckResult.Degraded("No on-call config is set (OnCall:ConfigPath): nobody can be paged.", data: data));
        }
        var errors = provider.LastReloadErrors;
        if (errors.Count > 0)
        {
            data["errors"] = errors.Select(e => e.ToString()).ToArray();
            return Task.FromResult(HealthCheckResult.Degraded(
                $"The config file on disk is invalid ({errors.Count} error{(errors.Count == 1 ? "" : "s")}); serving the last good version.", data: data));
        }
        return Task.FromResult(HealthCheckResult.Healthy(
            $"{model.Services.Count} services, {model.Schedules.Count} schedules, {model.Users.Count} users", data));
    }
}

internal static class OnCallConfigHealthCheckExtensions
{
    public static IHealthChecksBuilder AddOnCallConfigHealthCheck(this IHealthChecksBuilder builder) =>
        builder.AddCheck<OnCallConfigHealthCheck>("oncall-config");
}
