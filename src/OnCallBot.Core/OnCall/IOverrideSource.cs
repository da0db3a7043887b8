using NodaTime;
using OnCallBot.Core.Model;

namespace OnCallBot.Core.OnCall;

/// <summary>Port to where schedule overrides are kept (the store), read for a window of time.</summary>
public interface IOverrideSource
{
    /// <summary>The overrides of <paramref name="scheduleId"/> that overlap <paramref name="window"/>.</summary>
    Task<IReadOnlyList<ScheduleOverride>> GetOverridesAsync(string scheduleId, Interval window, CancellationToken cancellationToken);
}
