using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnCallBot.Core.Delivery;

namespace OnCallBot.Scheduling.Delivery;

/// <summary>
/// The host's one loop over the outbox: looks when work is enqueued here, when started work ends, when a rate bucket
/// that held work back opens, and every <see cref="OutboxOptions.PollInterval"/> (work enqueued by another host, or
/// waiting for a retry). Work runs on the thread pool, never on a scheduler thread.
/// </summary>
internal sealed class OutboxWorker(
    OutboxDispatcher dispatcher,
    Outbox outbox,
    IOptions<OutboxOptions> options,
    TimeProvider time,
    ILogger<OutboxWorker> logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        dispatcher.Changed += OnChanged;
        outbox.Enqueued += OnChanged;
        Log.WorkerStarted(logger, string.Join(", ", dispatcher.Platforms.DefaultIfEmpty("no platform")));
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = options.Value.PollInterval;
                try
                {
                    var (recheck, _) = await dispatcher.DispatchAsync(stoppingToken);
                    if (recheck is { } soon && soon < wait)
                    {
                        wait = soon;
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
#pragma warning disable CA1031 // The store being down must not stop the worker: it is logged and tried again.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Log.DispatchFailed(logger, ex, wait);
                }
                await WaitForChangeAsync(wait, stoppingToken);
            }
        }
        finally
        {
            dispatcher.Changed -= OnChanged;
            outbox.Enqueued -= OnChanged;
            // Started work finishes (each records its outcome) before the host goes on stopping.
            await dispatcher.WhenIdleAsync();
        }
    }

    /// <summary>Until something changed or <paramref name="wait"/> passed on the injected clock, whichever is first.</summary>
    private async Task WaitForChangeAsync(TimeSpan wait, CancellationToken stoppingToken)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var woken = _wake.WaitAsync(either.Token);
        var timer = Task.Delay(wait, time, either.Token);
        await Task.WhenAny(woken, timer);
        await either.CancelAsync();
        try
        {
            await woken;
        }
        catch (OperationCanceledException)
        {
            // The timer came first (or the host is stopping): the loop looks either way.
        }
        try
        {
            await timer;
        }
        catch (OperationCanceledException)
        {
            // Woken before the timer ran out.
        }
    }

    private void OnChanged(object? sender, EventArgs e)
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken: one look covers every change since.
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
