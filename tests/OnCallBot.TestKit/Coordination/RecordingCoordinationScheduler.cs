using NodaTime;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Ports;

namespace OnCallBot.TestKit.Coordination;

/// <summary>
/// An <see cref="ICoordinationScheduler"/> that holds what the Quartz one would (one pending status reminder and one
/// pending archive per incident, scheduling again replaces; open-channel requests waiting to run) and runs the due
/// work only when a test says so, at the clock's now: time never moves by itself.
/// </summary>
public sealed class RecordingCoordinationScheduler : ICoordinationScheduler
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, Instant> _reminders = [];
    private readonly Dictionary<long, Instant> _archives = [];
    private readonly List<(long IncidentNumber, Instant DueAt)> _reminderHistory = [];
    private readonly TimeProvider _time;

    public RecordingCoordinationScheduler(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>The status reminder waiting for each incident, when it is due.</summary>
    public IReadOnlyDictionary<long, Instant> PendingReminders => Copy(_reminders);

    /// <summary>Every status reminder ever scheduled, in order, including those replaced or cancelled since.</summary>
    public IReadOnlyList<(long IncidentNumber, Instant DueAt)> ReminderHistory
    {
        get
        {
            lock (_gate)
            {
                return [.. _reminderHistory];
            }
        }
    }

    /// <summary>The channel archiving waiting for each incident, when it is due.</summary>
    public IReadOnlyDictionary<long, Instant> PendingArchives => Copy(_archives);

    public Task ScheduleStatusReminderAsync(long incidentNumber, Instant dueAt, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _reminders[incidentNumber] = dueAt;
            _reminderHistory.Add((incidentNumber, dueAt));
        }
        return Task.CompletedTask;
    }

    public Task CancelStatusReminderAsync(long incidentNumber, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _reminders.Remove(incidentNumber);
        }
        return Task.CompletedTask;
    }

    public Task ScheduleArchiveAsync(long incidentNumber, Instant at, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _archives[incidentNumber] = at;
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Runs every status reminder due at the clock's now, earliest first; each is gone before it runs, like a fired
    /// one-shot trigger, so the reminder may schedule the next one in its place. Returns the incidents reminded.
    /// </summary>
    public async Task<IReadOnlyList<long>> FireDueRemindersAsync(CoordinationService coordination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(coordination);
        var fired = new List<long>();
        foreach (var incidentNumber in TakeDue(_reminders))
        {
            fired.Add(incidentNumber);
            await coordination.RunStatusReminderAsync(incidentNumber, cancellationToken);
        }
        return fired;
    }

    /// <summary>Runs every channel archiving due at the clock's now; returns the incidents archived.</summary>
    public async Task<IReadOnlyList<long>> FireDueArchivesAsync(CoordinationService coordination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(coordination);
        var fired = new List<long>();
        foreach (var incidentNumber in TakeDue(_archives))
        {
            fired.Add(incidentNumber);
            await coordination.ArchiveChannelsAsync(incidentNumber, cancellationToken);
        }
        return fired;
    }

    private List<long> TakeDue(Dictionary<long, Instant> pending)
    {
        var now = Instant.FromDateTimeOffset(_time.GetUtcNow());
        lock (_gate)
        {
            var due = pending.Where(p => p.Value <= now).OrderBy(p => p.Value).ThenBy(p => p.Key).Select(p => p.Key).ToList();
            foreach (var incidentNumber in due)
            {
                pending.Remove(incidentNumber);
            }
            return due;
        }
    }

    private Dictionary<long, Instant> Copy(Dictionary<long, Instant> items)
    {
        lock (_gate)
        {
            return new Dictionary<long, Instant>(items);
        }
    }
}
