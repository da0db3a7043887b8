using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace OnCallBot.Host.Hosting;

/// <summary>
/// Serilog for the host: readable console text by default, one JSON object per line when
/// <c>Log:Format</c> is <c>json</c> (for log shippers). Levels and overrides can be tuned in the standard
/// <c>Serilog</c> section (e.g. <c>Serilog:MinimumLevel:Override:Quartz</c>).
/// </summary>
internal static class LoggingSetup
{
    public const string FormatKey = "Log:Format";

    public static WebApplicationBuilder AddOnCallLogging(this WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(CreateLogger(builder.Configuration), dispose: true);
        return builder;
    }

    public static Serilog.ILogger CreateLogger(IConfiguration configuration)
    {
        var format = configuration[FormatKey] ?? "text";
        var logger = new LoggerConfiguration()
            .MinimumLevel.Information()
            // Quartz and ASP.NET Core are chatty at Information; their warnings still show.
            .MinimumLevel.Override("Quartz", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .ReadFrom.Configuration(configuration)
            .Enrich.FromLogContext();

        return format.ToLowerInvariant() switch
        {
            "json" => logger.WriteTo.Console(new JsonFormatter(renderMessage: true)).CreateLogger(),
            "text" => logger.WriteTo.Console(
                outputTemplate: "{Timestamp:HH:mm:ss} {Level:u3} {SourceContext}: {Message:lj}{NewLine}{Exception}",
                formatProvider: System.Globalization.CultureInfo.InvariantCulture).CreateLogger(),
            _ => throw new InvalidOperationException(
                $"{FormatKey} is '{format}'; use 'text' (readable console lines) or 'json' (one JSON object per line)."),
        };
    }
}
