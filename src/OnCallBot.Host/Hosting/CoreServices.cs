using Microsoft.Extensions.DependencyInjection.Extensions;
using OnCallBot.Core.OnCall;
using OnCallBot.Core.Ports;

namespace OnCallBot.Host.Hosting;

internal static class CoreServices
{
    /// <summary>The core's services, wired to the store's ports. The core itself knows nothing of DI.</summary>
    public static IServiceCollection AddOnCallCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new OnCallResolver(sp.GetRequiredService<IOverrideStore>()));
        return services;
    }
}
