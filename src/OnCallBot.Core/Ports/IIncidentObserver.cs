using OnCallBot.Core.Model;
using OnCallBot.Core.Paging;

namespace OnCallBot.Core.Ports;

/// <summary>
/// Told of the paging flow's milestones, after each is saved (incident coordination opens a channel on
/// creation, invites whoever is notified, names the first acknowledger commander...). An observer's failure
/// never undoes or fails the milestone: it is recorded on the incident's timeline.
/// </summary>
public interface IIncidentObserver
{
    Task OnCreatedAsync(Incident incident, PageRequest request, CancellationToken cancellationToken);

    Task OnNotifiedAsync(Incident incident, User person, string platform, CancellationToken cancellationToken);

    Task OnAcknowledgedAsync(Incident incident, Actor actor, CancellationToken cancellationToken);

    Task OnResolvedAsync(Incident incident, Actor actor, CancellationToken cancellationToken);
}
