using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnCallBot.Slack.Inbound;
using OnCallBot.Slack.Paging;
using OnCallBot.Slack.SocketMode;
using OnCallBot.Slack.WebApi;
using Refit;

namespace OnCallBot.Slack;

/// <summary>Registers the Slack transport.</summary>
public static class SlackServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Slack transport, configured from the <c>Slack</c> section (<see cref="SlackOptions"/>,
    /// validated at start): <see cref="SlackWebApiClient"/> over the Refit client <see cref="ISlackWebApi"/> (with
    /// handlers for the bearer token, <see cref="SlackRateLimiter"/> pacing, 429 retries and <c>"ok": false</c>),
    /// <see cref="SlackRequestVerifier"/>, the endpoints behind
    /// <see cref="SlackEndpointRouteBuilderExtensions.MapSlack"/>, and <see cref="SlackSocketModeClient"/>.
    /// </summary>
    /// <remarks>
    /// The paging feature is registered too (<c>Paging/SlackPagingServiceCollectionExtensions</c>): Slack as an
    /// <c>IChatPlatform</c> and the <see cref="ISlackInboundHandler"/> for /page, /ack, /resolve, /incident and the
    /// page buttons; they need the core's <c>PagingService</c> and <c>IOnCallModelProvider</c> from the host. When Slack is not configured nothing connects, the endpoints answer 503
    /// with "Slack is off: ...", and the host logs that message once at start. Everything is added with TryAdd,
    /// so a host or test may replace any part (e.g. <see cref="TimeProvider"/>) before or after.
    /// </remarks>
    public static IServiceCollection AddSlack(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddOptions<SlackOptions>().BindConfiguration(SlackOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SlackOptions>, SlackOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();

        services.TryAddSingleton<SlackRequestVerifier>();
        services.TryAddSingleton<SlackInboundDispatcher>();
        services.TryAddSingleton<SlackHttpEndpoints>();

        services.TryAddSingleton<SlackRateLimiter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Core.Delivery.IDeliveryPacing, SlackDeliveryPacing>());
        services.TryAddTransient<SlackResponseHandler>();
        services.TryAddTransient<SlackRetryAfterHandler>();
        services.TryAddTransient<SlackPacingHandler>();
        services.TryAddTransient<SlackAuthenticationHandler>();
        // Refit's source generator writes every method inline, so no reflection request builder is needed. Handlers,
        // outermost first: only "ok": true reaches Refit; each 429 retry waits its turn in the limiter again; the
        // token goes on last, on every attempt.
        services.AddRefitGeneratedClient<ISlackWebApi>(SlackWebApiWire.CreateRefitSettings())
            .ConfigureHttpClient((sp, client) =>
            {
                var baseUrl = sp.GetRequiredService<IOptionsMonitor<SlackOptions>>().CurrentValue.ApiBaseUrl.ToString();
                // Method names are resolved relative to the base; without the slash "api" would be replaced.
                client.BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
            })
            .AddHttpMessageHandler<SlackResponseHandler>()
            .AddHttpMessageHandler<SlackRetryAfterHandler>()
            .AddHttpMessageHandler<SlackPacingHandler>()
            .AddHttpMessageHandler<SlackAuthenticationHandler>();
        services.TryAddTransient(sp => new SlackWebApiClient(sp.GetRequiredService<ISlackWebApi>()));

        services.TryAddSingleton(sp => new SlackSocketModeClient(
            sp.GetRequiredService<IServiceScopeFactory>(),
            sp.GetRequiredService<SlackInboundDispatcher>(),
            sp.GetRequiredService<IOptionsMonitor<SlackOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<SlackSocketModeClient>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SlackStatusLogger>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SlackSocketModeHostedService>());
        services.AddSlackPaging();
        return services;
    }
}

/// <summary>Runs the registered <see cref="SlackSocketModeClient"/> as a hosted service (it returns at once when Socket Mode is off).</summary>
internal sealed class SlackSocketModeHostedService(SlackSocketModeClient client) : IHostedService, IDisposable
{
    public Task StartAsync(CancellationToken cancellationToken) => client.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => client.StopAsync(cancellationToken);

    public void Dispose() => client.Dispose();
}
