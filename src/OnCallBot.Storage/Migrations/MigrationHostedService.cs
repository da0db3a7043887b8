using Microsoft.Extensions.Hosting;

namespace OnCallBot.Storage.Migrations;

/// <summary>
/// Migrates the store while the host is starting. The work is in <see cref="StartingAsync"/>, which the host runs
/// before any hosted service's StartAsync (the scheduler's included), so nothing touches the database before its
/// schema is current; a failure stops the host.
/// </summary>
internal sealed class MigrationHostedService(IStorageMigrator migrator) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => migrator.MigrateAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
