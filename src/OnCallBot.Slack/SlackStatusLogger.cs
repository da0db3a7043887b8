using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OnCallBot.Slack;

/// <summary>Says once at start whether Slack is on, and how to turn it on when it is off.</summary>
internal sealed class SlackStatusLogger : IHostedService
{
    private readonly IOptionsMonitor<SlackOptions> _options;
    private readonly ILogger<SlackStatusLogger> _logger;

    public SlackStatusLogger(IOptionsMonitor<SlackOptions> options, ILogger<SlackStatusLogger> logger)
    {
        _options = options;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        if (options.IsEnabled)
        {
            Log.SlackOn(_logger, !string.IsNullOrWhiteSpace(options.SigningSecret), options.IsSocketModeEnabled);
        }
        else
        {
            Log.SlackOff(_logger);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
