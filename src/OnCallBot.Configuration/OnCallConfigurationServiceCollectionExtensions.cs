using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using OnCallBot.Core.Model;

namespace OnCallBot.Configuration;

public static class OnCallConfigurationServiceCollectionExtensions
{
    /// <summary>
    /// Serves the on-call model from the YAML file named by configuration section <c>OnCall</c>:
    /// <c>ConfigPath</c> (optional; empty means an empty model and a warning), <c>ReloadDebounce</c> (TimeSpan,
    /// default 00:00:01, at most 00:01:00), <c>WatchForChanges</c> (default true) and <c>MaxConfigBytes</c> (default
    /// 4194304, between 1024 and 67108864). Registers
    /// <see cref="OnCallModelFileProvider"/> as a singleton for itself and <see cref="IOnCallModelProvider"/>, and a
    /// hosted service that loads the file at start. Needs an <see cref="Core.Ports.IConfigSnapshotStore"/> registered
    /// elsewhere (the storage part); uses a registered <see cref="TimeProvider"/> or the system one.
    /// Register this before hosted services that read the model when they start.
    /// </summary>
    public static IServiceCollection AddOnCallConfiguration(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddOptions<OnCallOptions>()
            .BindConfiguration(OnCallOptions.SectionName)
            .Validate(
                o => o.ReloadDebounce >= TimeSpan.Zero && o.ReloadDebounce <= OnCallOptions.MaxReloadDebounce,
                $"OnCall:ReloadDebounce must be a TimeSpan between 00:00:00 and {OnCallOptions.MaxReloadDebounce:c}, e.g. 00:00:01 for one second.")
            .Validate(o => OnCallOptions.IsValidMaxConfigBytes(o.MaxConfigBytes), OnCallOptions.MaxConfigBytesProblem)
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<OnCallModelFileProvider>();
        services.TryAddSingleton<IOnCallModelProvider>(sp => sp.GetRequiredService<OnCallModelFileProvider>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, OnCallConfigurationHostedService>());
        return services;
    }
}
