using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OnCallBot.Storage;
using Quartz;

namespace OnCallBot.Scheduling;

public static class SchedulingServiceCollectionExtensions
{
    /// <summary>The scheduler's name. Every host sharing a PostgreSQL store uses it, which is what makes them one cluster.</summary>
    public const string SchedulerName = "OnCallBot";

    /// <summary>The name of the scheduler's health check.</summary>
    public const string HealthCheckName = "scheduler";

    /// <summary>
    /// Adds the Quartz scheduler with its persistent job store in the same database as the store (the
    /// <c>Storage</c> section: the SQLite file, or the PostgreSQL database), so scheduled work survives restarts.
    /// Jobs are scheduled through <see cref="ISchedulerFactory"/>.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item><description>Also calls <see cref="StorageServiceCollectionExtensions.AddOnCallStorage"/>: the store's
    /// migrations run while the host is starting, before the scheduler starts (and they create the SQLite file's
    /// directory). Quartz's own tables (<c>qrtz_*</c>) are created when missing by Quartz (<c>ProvisionSchema</c>);
    /// the store's migrations never use that prefix.</description></item>
    /// <item><description>PostgreSQL: clustered. Each host gets a generated instance id; a trigger fires on one
    /// host, and a dead host's triggers are taken over by the others. SQLite: one host, not clustered.</description></item>
    /// <item><description>Misfires: a trigger that came due while no scheduler was running fires once, at once, when
    /// one starts (<see cref="DefaultMisfireHandling.FireAndProceed"/>, which Quartz maps to <c>FireNow</c> for
    /// simple triggers and <c>FireAndProceed</c> for cron and calendar triggers). A trigger that states its own
    /// misfire instruction keeps it.</description></item>
    /// <item><description>Lanes (<see cref="TriggerLanes"/>): twenty jobs at once, at most four of them coordination (reminders, archiving),
    /// escalation triggers at a higher priority, and our triggers fire late for up to an hour through normal
    /// acquisition, in due order, rather than through the misfire handler.</description></item>
    /// <item><description>Time: Quartz takes the container's <see cref="TimeProvider"/> (system time unless a host
    /// registers another).</description></item>
    /// <item><description>Job data is serialized with System.Text.Json.</description></item>
    /// <item><description>The hosted service waits for running jobs to complete on shutdown.</description></item>
    /// <item><description>Calling this again on the same services does nothing.</description></item>
    /// <item><description>Health check <c>scheduler</c> (Quartz's): healthy while running and its store answers,
    /// degraded in standby, unhealthy otherwise.</description></item>
    /// </list>
    /// Throws <see cref="InvalidOperationException"/> naming the key to fix when the <c>Storage</c> settings are invalid,
    /// since the job store's engine has to be chosen here.
    /// </remarks>
    public static IServiceCollection AddOnCallScheduling(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        // Once per container: Quartz's hosted service and health check must not be added twice (AddOnCallPaging calls this too).
        if (services.Any(d => d.ServiceType == typeof(SchedulingMarker)))
        {
            return services;
        }
        services.AddSingleton<SchedulingMarker>();

        var options = configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        var settings = StorageSettings.Resolve(options);

        services.AddOnCallStorage();
        services.AddQuartz(quartz =>
        {
            quartz.ConfigureScheduler(scheduler =>
            {
                scheduler.InstanceName = SchedulerName;
                scheduler.DefaultMisfireHandling = DefaultMisfireHandling.FireAndProceed;
                // The scheduler thread sleeps up to this long when nothing is due (default 30 s). A trigger scheduled on
                // this host wakes it at once, but one scheduled by another host (PostgreSQL), or a wake-up that races the
                // thread going idle, waits for the next poll: one second keeps a page's first notification near-immediate,
                // at the cost of one small query a second.
                scheduler.IdleWaitTime = TimeSpan.FromSeconds(1);
            });
            // Escalation is never starved by coordination: see TriggerLanes.
            quartz.UseDefaultThreadPool(TriggerLanes.MaxConcurrency);
            quartz.UseExecutionLimits(limits => limits.ForGroup(TriggerLanes.CoordinationExecutionGroup, TriggerLanes.CoordinationMaxConcurrent));
            quartz.UsePersistentStore(store =>
            {
                if (settings.Provider == StorageProvider.Postgres)
                {
                    store.UsePostgres(settings.ConnectionString);
                    store.UseClustering(_ => { });
                }
                else
                {
                    // The same file as the store, in WAL mode (a property of the file, set by the store), so Quartz's
                    // readers never block a writer. Quartz runs SQLite transactions serializable (BEGIN IMMEDIATE) under
                    // its own in-process lock, and the driver retries a busy file for its command timeout (30 s by
                    // default): Quartz and the store's single writer gate take turns at SQLite's write lock.
                    store.UseSqlite(dataSource =>
                    {
                        dataSource.ConnectionString = settings.ConnectionString;
                        // Runs when Quartz first needs a connection, which can be before the store's migrations have
                        // created the file's directory (anything resolving the scheduler before the host starts).
                        dataSource.DataSourceFactory = _ =>
                        {
                            settings.EnsureSqliteDirectory();
                            return SqliteFactory.Instance.CreateDataSource(settings.ConnectionString);
                        };
                    });
                }
                store.ConfigureStore(jobStore =>
                {
                    // Stated rather than left to the defaults, because firing under a backlog depends on them. Our
                    // triggers carry their own, longer threshold (TriggerLanes.LateFiringWindow), so the misfire
                    // handler only sees triggers a host that was down left behind; it recovers them twenty per
                    // transaction, short enough that firing rounds are not locked out between batches.
                    jobStore.MisfireThreshold = TimeSpan.FromMinutes(1);
                    jobStore.MaxMisfiresToHandleAtATime = 20;
                });
                store.UseSystemTextJsonSerializer();
                store.ProvisionSchema();
            });
            quartz.AddQuartzHealthChecks(health => health.Name = HealthCheckName);
        });
        services.AddQuartzHostedService(hosted => hosted.WaitForJobsToComplete = true);
        return services;
    }

    private sealed class SchedulingMarker;
}
