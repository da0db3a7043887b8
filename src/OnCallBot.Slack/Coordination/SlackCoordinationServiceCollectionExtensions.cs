using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OnCallBot.Core.Ports;

namespace OnCallBot.Slack.Coordination;

/// <summary>Registers Slack's side of incident coordination; called by <c>AddSlackPaging</c>.</summary>
internal static class SlackCoordinationServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="SlackIncidentChannels"/> as an <see cref="IIncidentChannels"/> (enumerable, beside Teams').
    /// The core's <c>CoordinationService</c>, which uses it and which the /incident commands call, is registered by
    /// the host (<c>AddOnCallCoordination</c>); without it the commands say coordination is off.
    /// </summary>
    public static IServiceCollection AddSlackCoordination(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IIncidentChannels, SlackIncidentChannels>());
        return services;
    }
}
