using NodaTime;

namespace OnCallBot.Core.Ports;

/// <summary>Port to the durable timers of coordination (Quartz): status-update reminders and channel archiving.</summary>
public interface ICoordinationScheduler
{
    /// <summary>Wakes <c>CoordinationService.RunStatusReminderAsync</c> at <paramref name="dueAt"/>; replaces a pending one.</summary>
    Task ScheduleStatusReminderAsync(long incidentNumber, Instant dueAt, CancellationToken cancellationToken);

    Task CancelStatusReminderAsync(long incidentNumber, CancellationToken cancellationToken);

    /// <summary>Wakes <c>CoordinationService.ArchiveChannelsAsync</c> at <paramref name="at"/>.</summary>
    Task ScheduleArchiveAsync(long incidentNumber, Instant at, CancellationToken cancellationToken);
}
