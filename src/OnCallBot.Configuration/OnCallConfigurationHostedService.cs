using Microsoft.Extensions.Hosting;

namespace OnCallBot.Configuration;

/// <summary>Loads the on-call config when the host starts (failing the start when none is usable) and stops the file watcher.</summary>
internal sealed class OnCallConfigurationHostedService(OnCallModelFileProvider provider) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => provider.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => provider.StopAsync(cancellationToken);
}
