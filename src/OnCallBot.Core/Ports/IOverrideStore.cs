using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;

namespace OnCallBot.Core.Ports;

/// <summary>Port to the schedule overrides kept in the store (not in the config file), so chat can add them.</summary>
public interface IOverrideStore : IOverrideSource
{
    Task AddAsync(ScheduleOverride scheduleOverride, CancellationToken cancellationToken);

    /// <summary>Removes an override; returns false when no override has that id.</summary>
    Task<bool> RemoveAsync(Guid id, CancellationToken cancellationToken);
}
