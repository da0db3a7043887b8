using NodaTime;
using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;

namespace OnCallBot.TestKit;

/// <summary>An on-call model that never reloads: the config a test was written against.</summary>
public sealed class FixedOnCallModel(OnCallModel model) : IOnCallModelProvider
{
    public OnCallModel Current => model;
}

/// <summary>Overrides kept in memory, answering by overlap as the store does; empty unless a test adds some.</summary>
public sealed class InMemoryOverrides : IOverrideSource
{
    private readonly List<ScheduleOverride> _items = [];

    public InMemoryOverrides Add(string scheduleId, string userId, Instant start, Instant end, Instant? createdAt = null)
    {
        _items.Add(new ScheduleOverride(Guid.NewGuid(), scheduleId, userId, start, end, "test", createdAt ?? start, null));
        return this;
    }

    public Task<IReadOnlyList<ScheduleOverride>> GetOverridesAsync(string scheduleId, Interval window, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ScheduleOverride>>(
            _items.Where(o => o.ScheduleId == scheduleId && o.Start < window.End && window.Start < o.End).ToList());
}
