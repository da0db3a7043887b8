using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace OnCallBot.Host.Hosting;

internal static class HealthEndpoints
{
    /// <summary>
    /// The health checks behind <c>/healthz</c> (the on-call config's; the store and the scheduler register their
    /// own) and its settings, section <c>Health</c>: <c>ShowDetails</c> = <c>loopback</c> (default), <c>always</c>
    /// or <c>never</c>, validated at start.
    /// </summary>
    public static IServiceCollection AddOnCallHealth(this IServiceCollection services)
    {
        services.AddOptions<HealthOptions>()
            .BindConfiguration(HealthOptions.SectionName)
            .Validate(
                o => HealthOptions.IsValidShowDetails(o.ShowDetails),
                $"Health:ShowDetails must be '{HealthOptions.Loopback}' (the default: details for callers on this machine), '{HealthOptions.Always}' or '{HealthOptions.Never}'.")
            .ValidateOnStart();
        services.AddHealthChecks().AddOnCallConfigHealthCheck();
        return services;
    }

    /// <summary>
    /// <c>GET /healthz</c>: 200 while the store, the scheduler and the on-call config are usable (Healthy or
    /// Degraded), 503 otherwise, and the overall status, for every caller. The JSON body also gives each check's
    /// state, description and data, so an admin sees which part is down, to the callers <c>Health:ShowDetails</c>
    /// allows: those descriptions name file paths and the database.
    /// </summary>
    public static IEndpointRouteBuilder MapOnCallHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = WriteAsync });
        return app;
    }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var options = context.RequestServices.GetRequiredService<IOptions<HealthOptions>>().Value;
        object body = options.ShowsDetailsTo(context)
            ? new
            {
                status = report.Status.ToString(),
                checks = report.Entries.ToDictionary(
                    e => e.Key,
                    e => new
                    {
                        status = e.Value.Status.ToString(),
                        description = e.Value.Description ?? e.Value.Exception?.Message,
                        data = e.Value.Data.Count == 0 ? null : e.Value.Data,
                    }),
            }
            : new { status = report.Status.ToString() };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }
}
