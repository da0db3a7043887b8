using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OnCallBot.Core.Delivery;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;
using OnCallBot.Core.Ports;
using OnCallBot.Scheduling.Coordination;

namespace OnCallBot.Scheduling;

public static class CoordinationServiceCollectionExtensions
{
    /// <summary>
    /// Adds incident coordination: <see cref="CoordinationService"/> (singleton, also registered as an
    /// <see cref="IIncidentObserver"/> so the paging flow tells it of pages, notifications, acknowledgements and
    /// resolutions), its <see cref="ICoordinationScheduler"/> on Quartz and the jobs that open channels, remind of
    /// status updates and archive channels.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item><description>Also adds the paging flow (<see cref="PagingServiceCollectionExtensions.AddOnCallPaging"/>, safe to
    /// call again), hence the scheduler and the store, whose <see cref="ICoordinationStore"/> keeps the rooms.</description></item>
    /// <item><description>Options: <see cref="CoordinationOptions"/> from section <c>Incidents</c> (DefaultSeverity 1 to 4;
    /// RestrictedActions <c>responders</c> or <c>anyone</c>; StatusUpdateIntervals and StakeholderChannels keyed by
    /// severity <c>1</c> to <c>4</c>, intervals not negative, zero meaning no reminders; ArchiveChannelAfter any, negative
    /// meaning never) and <see cref="CoordinationJobOptions"/> from <c>Incidents:Jobs</c>, both validated at start with
    /// messages naming the key to fix.</description></item>
    /// <item><description>Chat platforms that can open channels register an <see cref="IIncidentChannels"/>; with none,
    /// incidents still get rooms (roles, severity, notes, timeline) and run in direct messages.</description></item>
    /// </list>
    /// Every registration is TryAdd, so a host or a test can replace any part first.
    /// </remarks>
    public static IServiceCollection AddOnCallCoordination(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOnCallPaging(configuration);

        services.AddOptions<CoordinationOptions>().BindConfiguration(CoordinationOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CoordinationOptions>, CoordinationOptionsValidator>());
        services.AddOptions<CoordinationJobOptions>().BindConfiguration(CoordinationJobOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CoordinationJobOptions>, CoordinationJobOptionsValidator>());

        services.TryAddSingleton<ICoordinationScheduler, QuartzCoordinationScheduler>();
        services.TryAddSingleton(sp => new CoordinationService(
            sp.GetRequiredService<ICoordinationStore>(),
            sp.GetRequiredService<IIncidentStore>(),
            sp.GetRequiredService<ICoordinationScheduler>(),
            sp.GetServices<IIncidentChannels>(),
            sp.GetRequiredService<OnCallResolver>(),
            sp.GetRequiredService<IOnCallModelProvider>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<CoordinationOptions>>().Value,
            sp.GetRequiredService<Outbox>()));
        // The same instance as the singleton above: one service both observes paging and takes commands.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IIncidentObserver, CoordinationService>(sp => sp.GetRequiredService<CoordinationService>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOutboxHandler, CoordinationService>(sp => sp.GetRequiredService<CoordinationService>()));
        services.TryAddTransient<OpenChannelsJob>();
        services.TryAddTransient<StatusReminderJob>();
        services.TryAddTransient<ArchiveChannelsJob>();
        return services;
    }
}
