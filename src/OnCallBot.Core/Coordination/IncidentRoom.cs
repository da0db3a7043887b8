using NodaTime;
using OnCallBot.Core.Paging;

namespace OnCallBot.Core.Coordination;

/// <summary>Where the response stands. Resolved is reached by resolving the incident.</summary>
public enum IncidentPhase
{
    Investigating,
    Identified,
    Monitoring,
    Resolved,
}

/// <summary>The three roles of a response; one holder each, one person may hold several.</summary>
public enum IncidentRole
{
    Commander,
    Scribe,
    Comms,
}

/// <summary>Who holds a role, since when.</summary>
public sealed record RoleHolder(Actor Person, Instant Since);

/// <summary>An incident's channel on one platform, and the message id of its card there.</summary>
public sealed record IncidentChannel(string Platform, string ChannelId, string Name, string? CardMessageId);

/// <summary>
/// The coordination side of an incident: severity, phase, roles, its channels, who is responding, customer
/// impact, and the status-update clock. Paging state stays on <see cref="Incident"/>; both share the audit trail.
/// <see cref="LinkedIncidents"/> are pages opened from this incident to pull in other teams
/// (<c>/incident page</c>): their responders join this incident's channel.
/// </summary>
public sealed record IncidentRoom(
    long IncidentNumber,
    int Severity,
    IncidentPhase Phase,
    RoleHolder? Commander,
    RoleHolder? Scribe,
    RoleHolder? Comms,
    IReadOnlyList<IncidentChannel> Channels,
    IReadOnlyList<Actor> Responders,
    IReadOnlyList<long> LinkedIncidents,
    Instant? ImpactStartedAt,
    Instant? ImpactEndedAt,
    Instant? LastStatusUpdateAt,
    Instant? NextStatusUpdateDueAt,
    long Version)
{
    public const int HighestSeverity = 1;
    public const int LowestSeverity = 4;

    public string Reference => IncidentReference.Format(IncidentNumber);

    public RoleHolder? Holder(IncidentRole role) => role switch
    {
        IncidentRole.Commander => Commander,
        IncidentRole.Scribe => Scribe,
        _ => Comms,
    };

    public IncidentRoom WithRole(IncidentRole role, RoleHolder? holder) => role switch
    {
        IncidentRole.Commander => this with { Commander = holder },
        IncidentRole.Scribe => this with { Scribe = holder },
        _ => this with { Comms = holder },
    };

    /// <summary>
    /// The one rule of who responds to this incident, which every restricted command follows on every platform
    /// (<see cref="CoordinationOptions.RestrictedActions"/>): whoever opened the page; whoever was notified for it
    /// (by any escalation step, or by a page pulled into it with <c>/incident page</c>); whoever acknowledged it or a
    /// page pulled into it; whoever resolved it; whoever holds or has held one of its roles (taken or given). The
    /// coordination flow adds each to <see cref="Responders"/> as it happens. Being in the incident's channel does not
    /// count: anyone in the workspace can join a public channel.
    /// </summary>
    public bool IsResponder(Actor person) =>
        Responders.Any(r => SamePerson(r, person))
        || new[] { Commander, Scribe, Comms }.Any(h => h is not null && SamePerson(h.Person, person));

    public IncidentRoom WithResponder(Actor person) =>
        Responders.Any(r => SamePerson(r, person)) ? this : this with { Responders = [.. Responders, person] };

    public IncidentChannel? ChannelOn(string platform) => Channels.FirstOrDefault(c => c.Platform == platform);

    /// <summary>The same person: the same config user, or the same id on the same platform.</summary>
    public static bool SamePerson(Actor a, Actor b) =>
        (a.UserId is not null && string.Equals(a.UserId, b.UserId, StringComparison.OrdinalIgnoreCase))
        || (a.Platform == b.Platform && a.PlatformUserId == b.PlatformUserId);
}
