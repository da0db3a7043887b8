using Microsoft.Extensions.Diagnostics.HealthChecks;
using OnCallBot.Core.Ports;

namespace OnCallBot.Scheduling.Delivery;

/// <summary>
/// The "outbox" health check: how much work waits per platform and lane, and the oldest item's age. Degraded when
/// the oldest item of any lane has waited longer than <see cref="StaleAfter"/> (a platform refusing, or far behind).
/// </summary>
internal sealed class OutboxHealthCheck(IOutboxStore store, TimeProvider time) : IHealthCheck
{
    public const string Name = "outbox";

    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var depths = await store.GetDepthAsync(cancellationToken);
        var data = new Dictionary<string, object>();
        TimeSpan? oldest = null;
        foreach (var depth in depths)
        {
            var age = depth.OldestEnqueuedAt is { } at ? now - at.ToDateTimeOffset() : TimeSpan.Zero;
            var lane = depth.Lane.ToString().ToLowerInvariant();
            data[$"{depth.Platform}.{lane}.waiting"] = depth.Waiting;
            data[$"{depth.Platform}.{lane}.oldest_age_seconds"] = Math.Round(Math.Max(0, age.TotalSeconds), 1);
            oldest = oldest is { } o && o > age ? o : age;
        }
        var total = depths.Sum(d => d.Waiting);
        if (oldest is { } worst && worst > StaleAfter)
        {
            return HealthCheckResult.Degraded($"{total} items wait in the outbox; the oldest for {worst.TotalMinutes:0} minutes.", data: data);
        }
        return HealthCheckResult.Healthy(total == 0 ? "Nothing waits in the outbox." : $"{total} items wait in the outbox.", data);
    }
}
