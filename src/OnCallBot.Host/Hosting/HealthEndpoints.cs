using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace OnCallBot.Host.Hosting;

internal static class HealthEndpoints
{
    /// <summary>
    /// The health checks behind <c>/healthz</c> (the on-call config's; the store and the scheduler register their
    /// own), the background probe that runs them, and their settings, section <c>Health</c>: <c>ShowDetails</c> =
    /// <c>loopback</c> (default), <c>always</c> or <c>never</c>; <c>CheckInterval</c> (default 5 s, 1 s to 10 min);
    /// validated at start.
    /// </summary>
    public static IServiceCollection AddOnCallHealth(this IServiceCollection services)
    {
        services.AddOptions<HealthOptions>()
            .BindConfiguration(HealthOptions.SectionName)
            .Validate(
                o => HealthOptions.IsValidShowDetails(o.ShowDetails),
                $"Health:ShowDetails must be '{HealthOptions.Loopback}' (the default: details for callers on this machine), '{HealthOptions.Always}' or '{HealthOptions.Never}'.")
            .Validate(
                o => HealthOptions.IsValidCheckInterval(o.CheckInterval),
                $"Health:CheckInterval must be from {HealthOptions.MinCheckInterval:c} to {HealthOptions.MaxCheckInterval:c} (the default is 00:00:05).")
            .ValidateOnStart();
        services.AddHealthChecks().AddOnCallConfigHealthCheck();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HealthProbe>();
        services.AddHostedService(sp => sp.GetRequiredService<HealthProbe>());
        return services;
    }

    /// <summary>
    /// <c>GET /healthz</c>, answered at once from the background probe's latest results: 200 while the store, the
    /// scheduler and the on-call config are usable (Healthy or Degraded), 503 otherwise, and 503 <c>Starting</c>
    /// before the first run has completed. Every caller gets the overall status, when the results were taken
    /// (<c>checked_at</c>) and their age in seconds (<c>age_seconds</c>); results older than three intervals (at
    /// least 15 s) mean a run is hanging, and the answer is 503 Unhealthy. Each check's state, description and data,
    /// which name file paths and the database, go only to the callers <c>Health:ShowDetails</c> allows.
    /// </summary>
    public static IEndpointRouteBuilder MapOnCallHealth(this IEndpointRouteBuilder app)
    {
        // The display name is what the request log lowers to Debug (LoggingSetup): a probe every few seconds is not news.
        app.MapGet("/healthz", WriteAsync).WithDisplayName(DisplayName);
        return app;
    }

    internal const string DisplayName = "Health checks";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private static Task WriteAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptions<HealthOptions>>().Value;
        var answer = Answer(
            services.GetRequiredService<HealthProbe>().Latest,
            services.GetRequiredService<TimeProvider>().GetUtcNow(),
            options,
            options.ShowsDetailsTo(context));
        context.Response.StatusCode = answer.StatusCode;
        context.Response.ContentType = "application/json; charset=utf-8";
        // A cached answer from a proxy would hide the results' age.
        context.Response.Headers.CacheControl = "no-store, no-cache";
        return context.Response.WriteAsync(JsonSerializer.Serialize(answer.Body, Json));
    }

    /// <summary>The status code and JSON body of <c>/healthz</c> for the <paramref name="latest"/> results at <paramref name="now"/>.</summary>
    internal static (int StatusCode, object Body) Answer(HealthSnapshot? latest, DateTimeOffset now, HealthOptions options, bool showDetails)
    {
        if (latest is null)
        {
            return (StatusCodes.Status503ServiceUnavailable, new
            {
                status = "Starting",
                description = "The first health checks have not completed yet.",
            });
        }
        var age = now - latest.CompletedAt;
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }
        var stale = age > options.StaleAfter;
        var status = stale ? HealthStatus.Unhealthy : latest.Report.Status;
        var statusCode = status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        var checkedAt = latest.CompletedAt.ToString("O", CultureInfo.InvariantCulture);
        var ageSeconds = Math.Round(age.TotalSeconds, 1);
        // Says only that the probe is stuck, not which check: that is in the details.
        string? description = stale
            ? $"The health checks last completed {ageSeconds:0.#} s ago (Health:CheckInterval is {options.CheckInterval.TotalSeconds:0.#} s): a check is hanging."
            : null;
        if (!showDetails)
        {
            return (statusCode, new { status = status.ToString(), description, checked_at = checkedAt, age_seconds = ageSeconds });
        }
        return (statusCode, new
        {
            status = status.ToString(),
            description,
            checked_at = checkedAt,
            age_seconds = ageSeconds,
            checks = latest.Report.Entries.ToDictionary(
                e => e.Key,
                e => new
                {
                    status = e.Value.Status.ToString(),
                    description = e.Value.Description ?? e.Value.Exception?.Message,
                    data = e.Value.Data.Count == 0 ? null : e.Value.Data,
                }),
        });
    }
}
