using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OnCallBot.Slack.Paging;

/// <summary>
/// Work the Slack handler finishes after answering Slack (which gives up after 3 s): each item runs in its own
/// DI scope with its own cancellation, and its failure is logged, never lost silently.
/// </summary>
/// <remarks>
/// Deliberately not durable. What runs here is an acknowledge, resolve or escalate-now a person asked for by
/// clicking a button: the incident and its escalation are already in the store, so if the process dies before the
/// click is carried out, nothing is lost but the click, and the button is still there to press again. Paging
/// itself never runs here: escalation steps are durable scheduler jobs.
/// </remarks>
internal sealed class SlackBackgroundWork : IAsyncDisposable
{
    // On shutdown, running items get this long to finish (a chat.update or two) before they are cancelled.
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ILogger<SlackBackgroundWork> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, Task> _running = new();
    private long _sequence;

    public SlackBackgroundWork(IServiceScopeFactory scopes, TimeProvider time, ILogger<SlackBackgroundWork> logger)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _scopes = scopes;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Starts <paramref name="work"/> now, off the request, and returns its task so a caller may still wait for it
    /// for a while. Failures are logged here; a caller that awaits the task sees them too.
    /// </summary>
    public Task<T> Start<T>(string what, Func<IServiceProvider, CancellationToken, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        var id = Interlocked.Increment(ref _sequence);
        var task = Task.Run(async () =>
        {
            try
            {
                await using var scope = _scopes.CreateAsyncScope();
                return await work(scope.ServiceProvider, _stopping.Token);
            }
            catch (Exception ex)
            {
                Log.BackgroundWorkFailed(_logger, ex, what);
                throw;
            }
        });
        _running[id] = task;
        _ = task.ContinueWith(
            (_, state) => _running.TryRemove((long)state!, out var _), id, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    /// <summary>Completes when nothing started so far is still running (tests, and graceful shutdown).</summary>
    public async Task WhenIdleAsync()
    {
        while (!_running.IsEmpty)
        {
            try
            {
                await Task.WhenAll(_running.Values);
            }
            catch (Exception)
            {
                // Each failure was logged where it happened; waiting for idleness is not the place to rethrow it.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        var idle = WhenIdleAsync();
        try
        {
            await idle.WaitAsync(ShutdownGrace, _time);
        }
        catch (TimeoutException)
        {
            await _stopping.CancelAsync();
            await idle;
        }
        _stopping.Dispose();
    }
}
