using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OnCallBot.Teams.Inbound;
using OnCallBot.Teams.Paging;
using Refit;

namespace OnCallBot.Teams.Connector;

/// <summary>Registers the outbound half of Teams: the token client, the Bot Connector client and their handlers.</summary>
internal static class TeamsConnectorServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="TeamsConnectorClient"/> over the Refit client <see cref="IBotConnectorApi"/> (handlers,
    /// outermost first: errors to <see cref="TeamsApiException"/>, 429/5xx retries, the trusted service URL, the
    /// bearer token), <see cref="BotTokenProvider"/> over <see cref="IBotTokenApi"/> (errors, retries), the
    /// one <see cref="ITeamsServiceUrls"/> the inbound side fills and every call is checked against, and the outbound
    /// settings' validation. All TryAdd, so a host or test may replace a part. While Teams is off
    /// (<see cref="TeamsOptions.IsEnabled"/> false) every call is refused with <see cref="TeamsApiException.TeamsOffCode"/>
    /// before anything is sent.
    /// </summary>
    public static IServiceCollection AddTeamsConnector(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<TeamsOptions>().BindConfiguration(TeamsOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TeamsOptions>, TeamsConnectorOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();

        // The same list the inbound endpoint fills (AddTeamsInbound registers it the same way; TryAdd keeps one).
        services.TryAddSingleton<ITeamsServiceUrls, InMemoryTeamsServiceUrls>();
        services.TryAddSingleton<BotTokenProvider>();

        services.TryAddTransient<TokenResponseHandler>();
        services.TryAddTransient<ConnectorResponseHandler>();
        services.TryAddTransient<TeamsRetryHandler>();
        services.TryAddTransient<ConnectorServiceUrlHandler>();
        services.TryAddSingleton<TeamsConversationPacer>();
        services.TryAddTransient<ConnectorPacingHandler>();
        services.TryAddTransient<ConnectorAuthenticationHandler>();

        services.AddRefitGeneratedClient<IBotTokenApi>(TeamsTokenEndpoint.CreateRefitSettings())
            .ConfigureHttpClient((sp, client) => client.BaseAddress = TeamsTokenEndpoint.For(sp.GetRequiredService<IOptionsMonitor<TeamsOptions>>().CurrentValue))
            .AddHttpMessageHandler<TokenResponseHandler>()
            .AddHttpMessageHandler<TeamsRetryHandler>();

        // Only 2xx reaches Refit; each retry goes through the trust check and gets the (cached) token again.
        services.AddRefitGeneratedClient<IBotConnectorApi>(ConnectorWire.CreateRefitSettings())
            .ConfigureHttpClient(client => client.BaseAddress = ConnectorWire.PlaceholderBaseAddress)
            .AddHttpMessageHandler<ConnectorResponseHandler>()
            .AddHttpMessageHandler<TeamsRetryHandler>()
            // Each try is an operation Teams counts: paced per conversation (7/s, 8/2 s, 60/30 s, 1800/h).
            .AddHttpMessageHandler<ConnectorPacingHandler>()
            .AddHttpMessageHandler<ConnectorServiceUrlHandler>()
            .AddHttpMessageHandler<ConnectorAuthenticationHandler>();
        services.TryAddTransient(sp => new TeamsConnectorClient(sp.GetRequiredService<IBotConnectorApi>(), sp.GetRequiredService<IOptionsMonitor<TeamsOptions>>()));
        return services;
    }
}
