using NodaTime;
using OnCallBot.Core.Ports;

namespace OnCallBot.Core.Paging;

/// <summary>
/// Holds one run's lease on an escalation step: takes it, renews it every third of its length while the run lasts
/// (a send paced or retried by its platform can take longer than the lease), checks it is still held before each send
/// and before the step is saved, and gives it back at the end.
/// </summary>
internal sealed class StepLeaseKeeper
{
    private readonly IIncidentStore _store;
    private readonly TimeProvider _time;
    private readonly long _incidentNumber;
    private readonly int _step;
    private readonly string _holder;
    private readonly Duration _length;
    private readonly Lock _gate = new();
    private readonly ITimer _heartbeat;
    private Instant _until;
    private bool _lost;
    private Task _renewing = Task.CompletedTask;

    private StepLeaseKeeper(IIncidentStore store, TimeProvider time, long incidentNumber, int step, string holder, Duration length, Instant until)
    {
        _store = store;
        _time = time;
        _incidentNumber = incidentNumber;
        _step = step;
        _holder = holder;
        _length = length;
        _until = until;
        var period = (length / 3).ToTimeSpan();
        _heartbeat = time.CreateTimer(_ => Beat(), null, period, period);
    }

    private Instant Now => Instant.FromDateTimeOffset(_time.GetUtcNow());

    /// <summary>Takes the lease for a new holder; the keeper is null when another run holds it (until <c>Lease.Until</c>).</summary>
    public static async Task<(StepLease Lease, StepLeaseKeeper? Keeper)> TakeAsync(
        IIncidentStore store, TimeProvider time, long incidentNumber, int step, Duration length, CancellationToken cancellationToken)
    {
        // The host in the holder says, to whoever reads the store, where a stuck run was; the GUID makes each run its own.
        var holder = $"{Environment.MachineName}/{Guid.NewGuid():N}";
        var lease = await store.TryTakeStepLeaseAsync(incidentNumber, step, holder, Instant.FromDateTimeOffset(time.GetUtcNow()), length, cancellationToken);
        return (lease, lease.Taken ? new StepLeaseKeeper(store, time, incidentNumber, step, holder, length, lease.Until) : null);
    }

    /// <summary>
    /// Throws <see cref="StepLeaseLostException"/> when the lease was taken over (this run stalled past it); renews it
    /// first when less than half of it is left, so what follows (a send, the save) starts well inside it.
    /// </summary>
    public async Task EnsureHeldAsync(CancellationToken cancellationToken)
    {
        bool renew;
        lock (_gate)
        {
            ThrowIfLost();
            renew = Now + _length / 2 >= _until;
        }
        if (renew)
        {
            await RenewAsync(cancellationToken);
            lock (_gate)
            {
                ThrowIfLost();
            }
        }
    }

    /// <summary>Stops renewing (the lease is someone else's now, or about to be given back).</summary>
    public async Task StopAsync()
    {
        await _heartbeat.DisposeAsync();
        Task renewing;
        lock (_gate)
        {
            renewing = _renewing;
        }
        await renewing;
    }

    /// <summary>Stops renewing and gives the lease back: the step's record is saved, the next run need not wait.</summary>
    public async Task StopAndReleaseAsync(Instant now)
    {
        await StopAsync();
        // Not the run's token: a shutdown cancels it, and giving the lease back is what spares the next start the wait.
        await _store.ReleaseStepLeaseAsync(_incidentNumber, _step, _holder, now, CancellationToken.None);
    }

    /// <summary>As <see cref="StopAndReleaseAsync"/>, after the run failed: the failure is what the caller must see.</summary>
    public async Task StopAndReleaseQuietlyAsync(Instant now)
    {
        try
        {
            await StopAndReleaseAsync(now);
        }
#pragma warning disable CA1031 // The run's own failure is rethrown; an unreleased lease only runs out (StepLease) before the retry takes it.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private void Beat()
    {
        var beat = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_lost || !_renewing.IsCompleted)
            {
                return;
            }
            _renewing = beat.Task;
        }
        _ = RenewOnBeatAsync(beat);
    }

    private async Task RenewOnBeatAsync(TaskCompletionSource beat)
    {
        try
        {
            await RenewAsync(CancellationToken.None);
        }
#pragma warning disable CA1031 // A store blip on a heartbeat is retried by the next beat, and the check before each send renews for itself.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            beat.SetResult();
        }
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        var until = Now + _length;
        var held = await _store.RenewStepLeaseAsync(_incidentNumber, _step, _holder, until, cancellationToken);
        lock (_gate)
        {
            if (!held)
            {
                _lost = true;
            }
            else if (until > _until)
            {
                _until = until;
            }
        }
    }

    private void ThrowIfLost()
    {
        if (_lost)
        {
            throw new StepLeaseLostException(
                $"{IncidentReference.Format(_incidentNumber)}: the lease on escalation step {_step} was taken over by another run; this run stops.");
        }
    }
}

/// <summary>A run of an escalation step lost its lease to another run (it stalled past it) and must stop sending and saving.</summary>
public sealed class StepLeaseLostException : Exception
{
    public StepLeaseLostException(string message)
        : base(message)
    {
    }

    public StepLeaseLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StepLeaseLostException()
    {
    }
}
