using NodaTime;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;

namespace OnCallBot.TestKit.Paging;

/// <summary>A wake-up the scheduler holds: run <see cref="Step"/> of an incident at <see cref="DueAt"/>.</summary>
public sealed record WakeUp(long IncidentNumber, int Step, Instant DueAt);

/// <summary>
/// An <see cref="IEscalationScheduler"/> that holds one pending wake-up per incident, as the Quartz one does
/// (scheduling replaces unless the pending one is later in the escalation, or the same step no later; cancelling
/// removes; a wake-up that fires is gone), and runs the due ones only when a test
/// says so, at the clock's now: time never moves by itself.
/// </summary>
public sealed class RecordingScheduler : IEscalationScheduler
{
    // Far more than any test needs; a flow that keeps scheduling itself "now" would otherwise spin forever.
    private const int MaxFiringsPerCall = 1000;

    private readonly Lock _gate = new();
    private readonly Dictionary<long, WakeUp> _pending = [];
    private readonly List<WakeUp> _history = [];
    private readonly TimeProvider _time;

    public RecordingScheduler(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>The wake-ups waiting, one per incident at most.</summary>
    public IReadOnlyDictionary<long, WakeUp> Pending
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<long, WakeUp>(_pending);
            }
        }
    }

    /// <summary>Every wake-up ever scheduled, in order, including those replaced or cancelled since.</summary>
    public IReadOnlyList<WakeUp> History
    {
        get
        {
            lock (_gate)
            {
                return [.. _history];
            }
        }
    }

    public Task ScheduleStepAsync(long incidentNumber, int step, Instant dueAt, CancellationToken cancellationToken)
    {
        var wakeUp = new WakeUp(incidentNumber, step, dueAt);
        lock (_gate)
        {
            _history.Add(wakeUp);
            // As the Quartz scheduler: a pending wake-up later in the escalation, or for the same step no later, is
            // kept over a stale request (a step's retry arriving after the step's successor was scheduled).
            if (_pending.TryGetValue(incidentNumber, out var pending)
                && (pending.Step > step || (pending.Step == step && pending.DueAt <= dueAt)))
            {
                return Task.CompletedTask;
            }
            _pending[incidentNumber] = wakeUp;
        }
        return Task.CompletedTask;
    }

    public Task CancelAsync(long incidentNumber, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _pending.Remove(incidentNumber);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Runs every wake-up due at the clock's now, earliest first, through <paramref name="paging"/>, including those
    /// the steps themselves schedule for now (escalate-now). Returns the wake-ups it ran.
    /// </summary>
    public async Task<IReadOnlyList<WakeUp>> FireDueAsync(PagingService paging, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paging);
        var fired = new List<WakeUp>();
        while (true)
        {
            var now = Instant.FromDateTimeOffset(_time.GetUtcNow());
            WakeUp? due;
            lock (_gate)
            {
                due = _pending.Values.Where(w => w.DueAt <= now).OrderBy(w => w.DueAt).ThenBy(w => w.IncidentNumber).FirstOrDefault();
                if (due is null)
                {
                    return fired;
                }
                // Gone before it runs, like a fired one-shot trigger: the step may schedule the next one in its place.
                _pending.Remove(due.IncidentNumber);
            }
            if (fired.Count >= MaxFiringsPerCall)
            {
                throw new InvalidOperationException($"More than {MaxFiringsPerCall} wake-ups came due at {now}: the flow keeps rescheduling itself.");
            }
            fired.Add(due);
            await paging.RunEscalationStepAsync(due.IncidentNumber, due.Step, cancellationToken);
        }
    }
}
