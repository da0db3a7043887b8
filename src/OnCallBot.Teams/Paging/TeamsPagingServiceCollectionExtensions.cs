using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OnCallBot.Core.Delivery;
using OnCallBot.Core.Ports;
using OnCallBot.Teams.Inbound;

namespace OnCallBot.Teams.Paging;

internal static class TeamsPagingServiceCollectionExtensions
{
    /// <summary>
    /// Registers Teams as a paging platform: <see cref="TeamsChatPlatform"/> (an <see cref="IChatPlatform"/>, reaching
    /// nobody while Teams is off), its outbox pacing (<see cref="TeamsDeliveryPacing"/> over one
    /// <see cref="TeamsConversationPacer"/>, which the Connector's calls draw from too) and <see cref="TeamsPagingHandler"/>
    /// as the <see cref="ITeamsActivityHandler"/>. Call before <c>AddTeamsInbound</c>, whose logging handler is then not used.
    /// </summary>
    public static IServiceCollection AddTeamsPaging(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TeamsConversationPacer>();
        services.TryAddSingleton<TeamsChatPlatform>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChatPlatform, TeamsChatPlatform>(sp => sp.GetRequiredService<TeamsChatPlatform>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeliveryPacing, TeamsDeliveryPacing>());
        services.TryAddSingleton<ITeamsActivityHandler, TeamsPagingHandler>();
        return services;
    }
}
