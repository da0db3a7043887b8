using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnCallBot.Core.OnCall;
using OnCallBot.Core.Ports;
using OnCallBot.Storage.Coordination;
using OnCallBot.Storage.Inbound;
using OnCallBot.Storage.Incidents;
using OnCallBot.Storage.Migrations;
using OnCallBot.Storage.Repositories;

namespace OnCallBot.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Adds the store: SQLite (default) or PostgreSQL per the <c>Storage</c> configuration section
    /// (<see cref="StorageOptions"/>, validated at start with a message naming the key to fix).
    /// </summary>
    /// <remarks>
    /// Registers <see cref="IDbConnectionFactory"/>, <see cref="IStorageMigrator"/>, <see cref="IConfigSnapshotStore"/>,
    /// <see cref="IOverrideStore"/> (also as <see cref="IOverrideSource"/>), <see cref="IIncidentStore"/>, <see cref="ICoordinationStore"/> (incident rooms), <see cref="IDirectConversationStore"/> (each person's DM per chat platform), <see cref="IInboundRequestStore"/> (requests received lately, for deduplication), <see cref="IOutboxStore"/> (work for the chat platforms), a hosted service that applies pending
    /// migrations while the host is starting (before any hosted service starts, so before the scheduler) and the
    /// <c>store</c> health check. Every registration is TryAdd, so a host or test can replace a part first.
    /// A <see cref="TimeProvider"/> is taken from the container (<see cref="TimeProvider.System"/> when none is).
    /// </remarks>
    public static IServiceCollection AddOnCallStorage(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.SectionName)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IDbConnectionFactory, DbConnectionFactory>();
        services.TryAddSingleton<IStorageMigrator>(sp => new MigrationRunner(
            sp.GetRequiredService<IDbConnectionFactory>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<MigrationRunner>>()));
        services.TryAddSingleton<IConfigSnapshotStore, SqlConfigSnapshotStore>();
        services.TryAddSingleton<IOverrideStore, SqlOverrideStore>();
        services.TryAddSingleton<IOverrideSource>(sp => sp.GetRequiredService<IOverrideStore>());
        services.TryAddSingleton<IIncidentStore, SqlIncidentStore>();
        services.TryAddSingleton<ICoordinationStore, SqlCoordinationStore>();
        services.TryAddSingleton<IDirectConversationStore, SqlDirectConversationStore>();
        services.TryAddSingleton<IOutboxStore, Delivery.SqlOutboxStore>();
        services.TryAddSingleton<IInboundRequestStore>(sp => new SqlInboundRequestStore(sp.GetRequiredService<IDbConnectionFactory>()));

        // First among hosted services as well as running in StartingAsync, so it also precedes hosts that start
        // their services concurrently or call StartAsync directly on the ones before it.
        if (!services.Any(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(MigrationHostedService)))
        {
            services.Insert(0, ServiceDescriptor.Singleton<IHostedService, MigrationHostedService>());
        }

        services.AddHealthChecks();
        services.Configure<HealthCheckServiceOptions>(options =>
        {
            if (!options.Registrations.Any(r => r.Name == StoreHealthCheck.Name))
            {
                options.Registrations.Add(new HealthCheckRegistration(
                    StoreHealthCheck.Name,
                    sp => new StoreHealthCheck(sp.GetRequiredService<IDbConnectionFactory>()),
                    failureStatus: null,
                    tags: ["ready"]));
            }
        });
        return services;
    }
}
