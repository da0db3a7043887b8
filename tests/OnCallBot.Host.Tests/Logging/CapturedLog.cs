using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OnCallBot.Host.Hosting;
using Serilog.Core;
using Serilog.Events;
using Serilog.Extensions.Logging;
using Serilog.Formatting;

namespace OnCallBot.Host.Tests.Logging;

/// <summary>
/// The host's logging pipeline (<see cref="LoggingSetup"/>: levels, secret masking, the <c>Log:Format</c> formatter),
/// writing into memory instead of the console, so a test reads exactly what an admin's console would show.
/// </summary>
internal sealed class CapturedLog : IDisposable
{
    private readonly StringBuilder _output = new();

    private CapturedLog(IConfigurationRoot configuration)
    {
        Configuration = configuration;
        Logger = LoggingSetup.Configure(new Serilog.LoggerConfiguration(), configuration, WriteTo).CreateLogger();
        Factory = new SerilogLoggerFactory(Logger, dispose: false);
    }

    public IConfigurationRoot Configuration { get; }

    public Logger Logger { get; }

    public ILoggerFactory Factory { get; }

    /// <summary>Everything written so far, as the console would have it.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The output's physical lines (a trailing newline ends the last one).</summary>
    public string[] Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static CapturedLog Start(string format, params (string Key, string Value)[] settings) =>
        new(Settings(format, settings));

    public static IConfigurationRoot Settings(string format, params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))
                .Append(new("Log:Format", format)))
            .Build();

    /// <summary>The sink half of <see cref="LoggingSetup.Configure"/> and <see cref="LoggingSetup.AddOnCallLogging(IServiceCollection, Action{Serilog.Configuration.LoggerSinkConfiguration, ITextFormatter})"/>.</summary>
    public static Action<Serilog.Configuration.LoggerSinkConfiguration, ITextFormatter> Into(StringBuilder output) =>
        (sinks, formatter) => sinks.Sink(new FormattingSink(formatter, output));

    public void Dispose()
    {
        Factory.Dispose();
        Logger.Dispose();
    }

    private void WriteTo(Serilog.Configuration.LoggerSinkConfiguration sinks, ITextFormatter formatter) => Into(_output)(sinks, formatter);

    private sealed class FormattingSink(ITextFormatter formatter, StringBuilder output) : ILogEventSink
    {
        public void Emit(LogEvent logEvent)
        {
            using var writer = new StringWriter();
            formatter.Format(logEvent, writer);
            lock (output)
            {
                output.Append(writer);
            }
        }
    }
}
