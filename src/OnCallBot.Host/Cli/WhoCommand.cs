using System.CommandLine;
using NodaTime;
using OnCallBot.Configuration;
using OnCallBot.Core.OnCall;
using OnCallBot.Core.Ports;
using OnCallBot.Host.Hosting;
using OnCallBot.Storage;

namespace OnCallBot.Host.Cli;

/// <summary>
/// <c>who &lt;service|schedule&gt; [--at INSTANT] [--config FILE]</c>: who is on call, from the on-call config
/// and the overrides in the store, exactly as a page would resolve it.
/// </summary>
internal static class WhoCommand
{
    public const int UnknownTarget = 2;
    public const int BadInput = 3;

    public static Command Create(TextWriter output, TextWriter error, IReadOnlyDictionary<string, string?>? settings)
    {
        var target = new Argument<string>("target") { Description = "A service id or alias (e.g. checkout, cart), or a schedule id." };
        var at = new Option<string?>("--at") { Description = "The instant to ask about: ISO-8601 with Z or an offset (2026-03-29T01:30Z, 2026-03-29T03:30+02:00), or a local time in the schedule's zone (2026-03-29T03:30); default: now." };
        var config = new Option<FileInfo?>("--config") { Description = "The on-call config file; default: the OnCall:ConfigPath setting." };
        var command = new Command("who", "Show who is on call for a service or a schedule, with their shift window and the escalation levels behind them.");
        command.Arguments.Add(target);
        command.Options.Add(at);
        command.Options.Add(config);
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(target)!, parse.GetValue(at), parse.GetValue(config), output, error, settings, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        string name,
        string? atText,
        FileInfo? configFile,
        TextWriter output,
        TextWriter error,
        IReadOnlyDictionary<string, string?>? settings,
        CancellationToken cancellationToken)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        SettingsSources.AddAll(builder.Configuration, []);
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOnCallStorage();
        using var host = builder.Build();

        var configPath = configFile?.FullName ?? builder.Configuration["OnCall:ConfigPath"];
        if (string.IsNullOrWhiteSpace(configPath))
        {
            await error.WriteLineAsync("No on-call config: pass --config FILE or set OnCall:ConfigPath.");
            return BadInput;
        }
        // The bot's own size limit, so 'who' reads exactly the files the bot would.
        if (ConfigCommand.MaxConfigBytes(settings) is not { } maxBytes)
        {
            await error.WriteLineAsync(OnCallOptions.MaxConfigBytesProblem);
            return BadInput;
        }
        var loaded = OnCallConfigLoader.Load(configPath, maxBytes);
        if (!loaded.IsValid)
        {
            await error.WriteLineAsync(loaded.FormatErrors());
            await error.WriteLineAsync($"{loaded.Source}: invalid, so nobody can be looked up; fix it (see 'config validate').");
            return ConfigCommand.Invalid;
        }
        var model = loaded.Model;

        var service = model.FindService(name);
        var schedule = service is null ? model.FindSchedule(name) : null;
        if (service is null && schedule is null)
        {
            var suggestions = model.SuggestServices(name).Select(s => s.Id)
                .Concat(model.Schedules.Keys.Where(k => k.Contains(name, StringComparison.OrdinalIgnoreCase)))
                .Distinct().ToList();
            await error.WriteLineAsync(
                $"No service, alias or schedule named '{name}'." +
                (suggestions.Count > 0 ? $" Did you mean: {string.Join(", ", suggestions)}?" : $" Known services: {string.Join(", ", model.Services.Keys.Order())}."));
            return UnknownTarget;
        }

        var zone = schedule?.TimeZone ?? model.TimeZoneOf(service!);
        var instant = Instant.FromDateTimeOffset(TimeProvider.System.GetUtcNow());
        if (atText is not null && !InstantArgument.TryParse(atText, zone, out instant, out var problem))
        {
            await error.WriteLineAsync(problem);
            return BadInput;
        }

        await host.Services.GetRequiredService<IStorageMigrator>().MigrateAsync(cancellationToken);
        var resolver = new OnCallResolver(host.Services.GetRequiredService<IOverrideStore>());
        var report = service is not null
            ? WhoReport.ForService(await resolver.ForServiceAsync(model, service, instant, cancellationToken), model)
            : WhoReport.ForSchedule(await resolver.ForScheduleAsync(model, schedule!, instant, cancellationToken));
        await output.WriteAsync(report);
        return 0;
    }
}
