using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnCallBot.Teams.Connector;
using OnCallBot.Teams.Inbound;

namespace OnCallBot.Teams;

public static class TeamsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Teams adapter's settings (section <c>Teams</c>). The Bot Framework transport itself is not
    /// built yet: with or without credentials, the host says once at start what state Teams is in.
    /// </summary>
    public static IServiceCollection AddTeams(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<TeamsOptions>().BindConfiguration(TeamsOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TeamsStatusReporter>());
        // Outbound: the token and Bot Connector clients (Connector/), refusing every call while Teams is off.
        services.AddTeamsConnector();
        services.AddTeamsInbound();
        return services;
    }
}

/// <summary>Says once, at start, whether Teams is on, so an admin never has to guess why nothing arrives.</summary>
internal sealed partial class TeamsStatusReporter(IOptions<TeamsOptions> options, ILogger<TeamsStatusReporter> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.IsEnabled)
        {
            LogTeamsNotYetAvailable(logger);
        }
        else
        {
            LogTeamsOff(logger);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Teams is off: set Teams:AppId and Teams:AppPassword to turn it on")]
    private static partial void LogTeamsOff(ILogger logger);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning,
        Message = "Teams credentials are set, but this build has no Teams transport yet: Teams stays off")]
    private static partial void LogTeamsNotYetAvailable(ILogger logger);
}
