using Serilog;
using Serilog.Configuration;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;

namespace OnCallBot.Host.Hosting;

/// <summary>
/// Serilog for the host, the Serilog.AspNetCore way: readable console text by default (one line per event, control
/// characters escaped), compact JSON (CLEF, one object per line) when <c>Log:Format</c> is <c>json</c>. Levels and
/// overrides are tuned in the standard <c>Serilog</c> section (e.g. <c>Serilog:MinimumLevel:Override:Quartz</c>).
/// Secrets are masked in every event, at every level and in both formats (<see cref="SecretRedactor"/>).
/// </summary>
internal static class LoggingSetup
{
    public const string FormatKey = "Log:Format";

    /// <summary>The HTTP client's categories (<c>System.Net.Http.HttpClient.{client}.LogicalHandler|ClientHandler</c>).</summary>
    public const string HttpClientCategory = "System.Net.Http.HttpClient";

    /// <summary>Serilog as the host's only logging provider, writing to the console (stdout).</summary>
    public static WebApplicationBuilder AddOnCallLogging(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOnCallLogging((sinks, formatter) => sinks.Console(formatter));
        return builder;
    }

    /// <summary>Serilog as the only logging provider, writing to the sinks <paramref name="writeTo"/> adds (the console, or a test's).</summary>
    internal static IServiceCollection AddOnCallLogging(this IServiceCollection services, Action<LoggerSinkConfiguration, ITextFormatter> writeTo)
    {
        // The logger is built from the final configuration (WebApplicationFactory's settings included). The static
        // Log.Logger is left alone: several hosts in one test process would otherwise replace and close each other's.
        services.AddSerilog(
            (provider, logger) => Configure(logger, provider.GetRequiredService<IConfiguration>(), writeTo),
            preserveStaticLogger: true);
        // Every HttpClient from IHttpClientFactory (the Slack client, and any later one): header values are never
        // shown in the HTTP client's own logs, whatever the runtime's default. Its events still carry the raw values
        // as properties; SecretRedactionEnricher sets those to the redacted text.
        services.ConfigureHttpClientDefaults(http => http.RedactLoggedHeaders(_ => true));
        return services;
    }

    /// <summary>
    /// One log line per inbound request, at Information: method, route template, status and elapsed time; never the
    /// body, the query string or a header (Slack's signature headers included). Health probes log at Debug.
    /// </summary>
    public static WebApplication UseOnCallRequestLogging(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var logger = app.Services.GetRequiredService<Serilog.ILogger>();
        app.UseSerilogRequestLogging(options =>
        {
            // The host's logger, not the static Log.Logger (left silent, see AddOnCallLogging).
            options.Logger = logger;
            options.MessageTemplate = "HTTP {RequestMethod} {Route} responded {StatusCode} in {Elapsed:0.0} ms";
            options.IncludeQueryInRequestPath = false;
            options.EnrichDiagnosticContext = (diagnostics, http) =>
                // The route template keeps ids out of the line; a request no route matched shows its path instead.
                diagnostics.Set("Route", http.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } route } ? route : http.Request.Path.ToString());
            options.GetLevel = RequestLevel;
        });
        return app;
    }

    /// <summary>
    /// The host's logger configuration: defaults, then the <c>Serilog</c> section (which wins), then secret masking
    /// and the <c>Log:Format</c> formatter on the sinks <paramref name="writeTo"/> adds (the console, or a test's).
    /// </summary>
    internal static LoggerConfiguration Configure(
        LoggerConfiguration logger, IConfiguration configuration, Action<LoggerSinkConfiguration, ITextFormatter> writeTo)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(writeTo);
        var formatter = Formatter(configuration[FormatKey]);
        var redactor = new SecretRedactor(configuration);
        logger
            .MinimumLevel.Information()
            // Quartz and ASP.NET Core are chatty at Information; their warnings still show.
            .MinimumLevel.Override("Quartz", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            // Four Information lines per outbound call (start, send, receive, end) drown everything else; the Slack
            // client logs each call at Debug and each failure at Warning itself.
            .MinimumLevel.Override(HttpClientCategory, LogEventLevel.Warning)
            .ReadFrom.Configuration(configuration)
            .Enrich.FromLogContext()
            // Last, so it also sees what the enrichers above (and those from configuration) added.
            .Enrich.With(new SecretRedactionEnricher(redactor));
        return logger.WriteTo.Sink(LoggerSinkConfiguration.Wrap(sink => new SecretRedactingSink(sink, redactor), sinks => writeTo(sinks, formatter)));
    }

    internal static ITextFormatter Formatter(string? format) => (format ?? "text").Trim().ToLowerInvariant() switch
    {
        // CLEF with the message rendered (@m) for log shippers, and @i to group events of one kind.
        "json" => new RenderedCompactJsonFormatter(),
        "text" => new SingleLineTextFormatter(),
        _ => throw new InvalidOperationException(
            $"{FormatKey} is '{format}'; use 'text' (readable console lines) or 'json' (one JSON object per line)."),
    };

    private static LogEventLevel RequestLevel(HttpContext http, double elapsedMs, Exception? exception)
    {
        // /healthz (HealthEndpoints.DisplayName): a probe every few seconds is not news, a 503 included (the failing
        // check is logged by the health check service itself, once per probe run, not once per load balancer poll).
        if (exception is null && http.GetEndpoint()?.DisplayName == HealthEndpoints.DisplayName)
        {
            return LogEventLevel.Debug;
        }
        return exception is not null || http.Response.StatusCode >= StatusCodes.Status500InternalServerError
            ? LogEventLevel.Error
            : LogEventLevel.Information;
    }
}
