using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OnCallBot.Scheduling.Escalation;

/// <summary>
/// The prompt lane: a page's first escalation step, due the moment the page is saved, runs on this host straight away
/// instead of through a Quartz trigger. A trigger would cost the page's path a locked scheduler transaction, and the
/// step three more (acquire, fire, complete) before the first person is even looked up; under a storm of pages those
/// transactions, not Slack, were what kept people waiting. Later steps, retries and everything timed stay on Quartz.
/// </summary>
/// <remarks>
/// Nothing is lost by skipping the trigger: the incident and its pending step are in the store before the page is
/// answered. If this host stops or dies with steps still queued here, <see cref="EscalationReconciler"/> gives them to
/// Quartz at the next start, and on PostgreSQL any live host's periodic sweep does so once they are overdue. A step
/// queued twice (the sweep racing this lane) runs once: the queue keeps one entry per step, and the step's lease in the
/// store serializes runs across hosts. <see cref="Workers"/> steps run at once, beside Quartz's own escalation threads,
/// so a backlog here never holds back a timed escalation, nor the other way round.
/// </remarks>
internal sealed class PromptStepRunner(IServiceProvider services, ILogger<PromptStepRunner> logger) : BackgroundService
{
    /// <summary>
    /// First steps running at once. Each mostly waits (on the store's writer and on the platform's pacing of one
    /// person's DMs), so this is about not letting one slow person hold up the others, not about the CPU.
    /// </summary>
    public const int Workers = TriggerLanes.MaxConcurrency - TriggerLanes.CoordinationMaxConcurrent;

    private readonly Channel<EscalationWakeUp> _due = Channel.CreateUnbounded<EscalationWakeUp>(new UnboundedChannelOptions { SingleWriter = false, SingleReader = false });
    private readonly ConcurrentDictionary<(long Incident, int Step), byte> _queued = new();
    private volatile bool _accepting;

    /// <summary>Raised after each step this lane ran has finished, whatever its outcome (the tests await it).</summary>
    internal event Action<EscalationWakeUp>? Ran;

    /// <summary>
    /// Queues the step to run now; false when this lane is not running (the host is starting or stopping), and the
    /// caller must give the step to Quartz instead.
    /// </summary>
    public bool TryRun(EscalationWakeUp wakeUp)
    {
        ArgumentNullException.ThrowIfNull(wakeUp);
        if (!_accepting)
        {
            return false;
        }
        if (!_queued.TryAdd((wakeUp.IncidentNumber, wakeUp.Step), 0))
        {
            return true;
        }
        if (_due.Writer.TryWrite(wakeUp))
        {
            return true;
        }
        _queued.TryRemove((wakeUp.IncidentNumber, wakeUp.Step), out _);
        return false;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _accepting = true;
        var runner = services.GetRequiredService<EscalationStepRunner>();
        return Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(() => WorkAsync(runner, stoppingToken), CancellationToken.None)));
    }

    private async Task WorkAsync(EscalationStepRunner runner, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var wakeUp in _due.Reader.ReadAllAsync(stoppingToken))
            {
                _queued.TryRemove((wakeUp.IncidentNumber, wakeUp.Step), out _);
                // The runner logs and reschedules whatever goes wrong, shutdown included.
                await runner.RunAsync(wakeUp, stoppingToken);
                Ran?.Invoke(wakeUp);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is still queued stays pending in the store (see the remarks).
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _accepting = false;
        _due.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
        if (!_queued.IsEmpty)
        {
            Log.PromptStepsLeft(logger, _queued.Count);
        }
    }
}
