using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnCallBot.Teams.Connector;
using OnCallBot.Teams.Inbound;
using OnCallBot.Teams.Paging;

namespace OnCallBot.Teams;

public static class TeamsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Teams adapter (section <c>Teams</c>): the inbound endpoint behind <c>MapTeams</c>
    /// (<c>POST /api/messages</c>, Bot Framework JWT validated first), the Bot Connector client, and paging in Teams
    /// (<c>page</c>, <c>ack</c>, <c>resolve</c>, <c>help</c> by @mention or in a 1:1 chat; proactive page cards whose
    /// Acknowledge, Escalate now and Resolve buttons work; Teams as an <c>IChatPlatform</c> and its outbox pacing).
    /// Teams is on only with <c>Teams:AppId</c> and <c>Teams:AppPassword</c>; the host says once at start which state it is in.
    /// </summary>
    public static IServiceCollection AddTeams(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<TeamsOptions>().BindConfiguration(TeamsOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TeamsStatusReporter>());
        // Outbound: the token and Bot Connector clients (Connector/), refusing every call while Teams is off.
        services.AddTeamsConnector();
        // Before the inbound part, so its TryAdd keeps the paging handler instead of the logging one.
        services.AddTeamsPaging();
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
            LogTeamsOn(logger, options.Value.AppId!, string.IsNullOrWhiteSpace(options.Value.TenantId) ? "multi-tenant" : options.Value.TenantId!);
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

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information,
        Message = "Teams is on for app {AppId} ({Tenant}): messaging endpoint POST /api/messages; paging, page/ack/resolve and the page card's buttons work. Not yet in Teams: incident channels, /incident commands, the app manifest")]
    private static partial void LogTeamsOn(ILogger logger, string appId, string tenant);
}
