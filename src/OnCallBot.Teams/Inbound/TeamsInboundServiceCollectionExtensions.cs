using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OnCallBot.Teams.Inbound;

internal static class TeamsInboundServiceCollectionExtensions
{
    /// <summary>
    /// Registers the inbound transport behind <see cref="TeamsEndpointRouteBuilderExtensions.MapTeams"/>: the
    /// <c>Teams:OpenIdMetadataUrl</c> check at start, <see cref="BotFrameworkSigningKeys"/> (one cache per host),
    /// <see cref="BotFrameworkTokenValidator"/>, the in-memory <see cref="ITeamsServiceUrls"/> and the logging
    /// <see cref="ITeamsActivityHandler"/> until a real one is registered. All with TryAdd, so a host or test replaces any.
    /// </summary>
    public static IServiceCollection AddTeamsInbound(this IServiceCollection services)
    {
        services.AddOptions<TeamsOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TeamsOptions>, TeamsInboundOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        services.AddHttpClient(BotFrameworkSigningKeys.HttpClientName, client =>
        {
            // The metadata and key documents are a few KB; a stalled or huge answer must not hold requests.
            client.Timeout = TimeSpan.FromSeconds(10);
            client.MaxResponseContentBufferSize = 1024 * 1024;
        });
        services.TryAddSingleton<BotFrameworkSigningKeys>();
        services.TryAddSingleton<BotFrameworkTokenValidator>();
        services.TryAddSingleton<ITeamsServiceUrls, InMemoryTeamsServiceUrls>();
        services.TryAddSingleton<ITeamsActivityHandler, LoggingTeamsActivityHandler>();
        services.TryAddSingleton<TeamsHttpEndpoint>();
        return services;
    }
}
