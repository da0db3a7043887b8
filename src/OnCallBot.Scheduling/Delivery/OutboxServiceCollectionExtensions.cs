using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnCallBot.Core.Delivery;
using OnCallBot.Core.Ports;

namespace OnCallBot.Scheduling.Delivery;

public static class OutboxServiceCollectionExtensions
{
    /// <summary>
    /// Adds the outbox: <see cref="Outbox"/> (where the flows put work), <see cref="OutboxDispatcher"/> over every
    /// registered <see cref="IOutboxHandler"/> and <see cref="IDeliveryPacing"/>, the worker that runs it, options from
    /// section <c>Outbox</c> (validated at start) and the <c>outbox</c> health check. Safe to call again.
    /// </summary>
    public static IServiceCollection AddOnCallOutbox(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(OutboxDispatcher)))
        {
            return services;
        }
        services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OutboxOptions>, OutboxOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new Outbox(sp.GetRequiredService<IOutboxStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp =>
        {
            var logger = sp.GetRequiredService<ILogger<OutboxWorker>>();
            return new OutboxDispatcher(
                sp.GetRequiredService<IOutboxStore>(),
                sp.GetServices<IOutboxHandler>(),
                sp.GetServices<IDeliveryPacing>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<IOptions<OutboxOptions>>().Value,
                (item, ex) => Log.WorkFaulted(logger, ex, item.Kind, item.Id, item.IncidentNumber, item.Platform, item.Attempts));
        });
        services.AddHostedService<OutboxWorker>();
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            OutboxHealthCheck.Name,
            sp => new OutboxHealthCheck(sp.GetRequiredService<IOutboxStore>(), sp.GetRequiredService<TimeProvider>()),
            failureStatus: null,
            tags: ["ready"]));
        return services;
    }
}

internal sealed class OutboxOptionsValidator : IValidateOptions<OutboxOptions>
{
    public ValidateOptionsResult Validate(string? name, OutboxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.LaneConcurrency is < 1 or > 64)
        {
            errors.Add($"{OutboxOptions.SectionName}:LaneConcurrency is {options.LaneConcurrency}; set it between 1 and 64 (default 4).");
        }
        if (options.ClaimLease < TimeSpan.FromSeconds(10) || options.ClaimLease > TimeSpan.FromHours(1))
        {
            errors.Add($"{OutboxOptions.SectionName}:ClaimLease is {options.ClaimLease}; set it between 00:00:10 and 01:00:00 (default 00:02:00).");
        }
        if (options.RetryDelay < TimeSpan.FromMilliseconds(100) || options.RetryDelay > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{OutboxOptions.SectionName}:RetryDelay is {options.RetryDelay}; set it between 00:00:00.1 and 00:05:00 (default 00:00:05).");
        }
        if (options.MaxAttempts is < 1 or > 100)
        {
            errors.Add($"{OutboxOptions.SectionName}:MaxAttempts is {options.MaxAttempts}; set it between 1 and 100 (default 8).");
        }
        if (options.PollInterval < TimeSpan.FromMilliseconds(100) || options.PollInterval > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{OutboxOptions.SectionName}:PollInterval is {options.PollInterval}; set it between 00:00:00.1 and 00:01:00 (default 00:00:01).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
