using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OnCallBot.Core.Delivery;
using OnCallBot.Scheduling.Delivery;
using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.Scheduling.Escalation;

namespace OnCallBot.Scheduling;

public static class PagingServiceCollectionExtensions
{
    /// <summary>
    /// Adds the paging flow with durable escalation: <see cref="PagingService"/> (singleton), its
    /// <see cref="IEscalationScheduler"/> on Quartz, the job that runs escalation steps, and a hosted service that
    /// rebuilds pending wake-ups from the store once the scheduler has started.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item><description>Also adds the scheduler and the store (<see cref="SchedulingServiceCollectionExtensions.AddOnCallScheduling"/>,
    /// which is safe to call again), so incidents (<see cref="IIncidentStore"/>) and wake-ups share one database.</description></item>
    /// <item><description>Options: <see cref="PagingOptions"/> from section <c>Paging</c> and <see cref="EscalationOptions"/>
    /// from <c>Paging:Escalation</c>, both validated at start.</description></item>
    /// <item><description>Registers <see cref="OnCallResolver"/> over the store's overrides and <see cref="TimeProvider.System"/>
    /// unless already registered. The host must register an <see cref="IOnCallModelProvider"/> (the on-call config)
    /// and the <see cref="IChatPlatform"/>s that are on. Every registered <see cref="IIncidentObserver"/> (incident
    /// coordination, from AddOnCallCoordination) is told of each page's milestones.</description></item>
    /// </list>
    /// Every registration is TryAdd, so a host or a test can replace any part first.
    /// </remarks>
    public static IServiceCollection AddOnCallPaging(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOnCallScheduling(configuration);
        services.AddOnCallOutbox();

        services.AddOptions<PagingOptions>().BindConfiguration(PagingOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PagingOptions>, PagingOptionsValidator>());
        services.AddOptions<EscalationOptions>().BindConfiguration(EscalationOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EscalationOptions>, EscalationOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new OnCallResolver(sp.GetRequiredService<IOverrideStore>()));
        services.TryAddSingleton<IEscalationScheduler, QuartzEscalationScheduler>();
        services.TryAddSingleton<EscalationStepRunner>();
        // A page's first step runs at once on this host (PromptStepRunner), beside Quartz's threads.
        services.TryAddSingleton<PromptStepRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<PromptStepRunner>());
        services.TryAddSingleton(sp => new PagingService(
            sp.GetRequiredService<IIncidentStore>(),
            sp.GetRequiredService<IEscalationScheduler>(),
            sp.GetServices<IChatPlatform>(),
            sp.GetRequiredService<OnCallResolver>(),
            sp.GetRequiredService<IOnCallModelProvider>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<PagingOptions>>().Value,
            sp.GetRequiredService<Outbox>(),
            sp.GetServices<IIncidentObserver>()));
        // The same instance: the paging flow rewrites its page messages through the outbox.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOutboxHandler, PagingService>(sp => sp.GetRequiredService<PagingService>()));
        services.AddHostedService<EscalationReconciler>();
        services.AddHostedService<OverdueEscalationSweep>();
        return services;
    }
}
