using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;

namespace OnCallBot.Core.Paging;

/// <summary>What to page: a service (by id or alias, through its escalation policy) or one person directly.</summary>
public abstract record PageTarget
{
    public sealed record ServiceNamed(string NameOrAlias) : PageTarget;

    public sealed record Person(string UserId) : PageTarget;
}

/// <summary>
/// A request to page. <see cref="IdempotencyKey"/> is the same for every delivery of one request.
/// <see cref="JoinIncident"/> is set when the page pulls another team into an existing incident
/// (<c>/incident page</c>): its responders join that incident's channel instead of opening their own.
/// </summary>
public sealed record PageRequest(PageTarget Target, string Summary, Actor Pager, string IdempotencyKey, long? JoinIncident = null);

/// <summary>The answer to a page request, for the person who paged.</summary>
public abstract record PageOutcome
{
    /// <summary>The incident exists and its first notifications are on their way to <see cref="FirstLevel"/>.</summary>
    public sealed record Paged(Incident Incident, Service? Service, LevelOnCall? FirstLevel, IReadOnlyList<string> Notes) : PageOutcome;

    /// <summary>The same request was delivered again: nothing new was created.</summary>
    public sealed record AlreadyPaged(Incident Incident) : PageOutcome;

    public sealed record UnknownService(string Name, IReadOnlyList<Service> Suggestions) : PageOutcome;

    public sealed record UnknownUser(string Name) : PageOutcome;

    public sealed record MissingSummary : PageOutcome;
}

/// <summary>The answer to acknowledge, resolve or escalate-now.</summary>
public abstract record ActionOutcome
{
    public sealed record Done(Incident Incident) : ActionOutcome;

    /// <summary>Nothing changed; <see cref="Reason"/> says why in one line (already acknowledged by whom, resolved...).</summary>
    public sealed record Refused(Incident Incident, string Reason) : ActionOutcome;

    public sealed record NotFound(string Reference) : ActionOutcome;
}

/// <summary>What one wake-up of an escalation step did.</summary>
public abstract record EscalationStepOutcome
{
    /// <summary>The step ran and its record (and the next wake-up, if any) is saved.</summary>
    public sealed record Ran : EscalationStepOutcome;

    /// <summary>Nothing to do: the step already ran, the incident moved on, or there is no such incident.</summary>
    public sealed record NothingToDo : EscalationStepOutcome;

    /// <summary>
    /// Another run of the same step holds its lease (a restart race, a misfire, another host): this one sent and wrote
    /// nothing, and the step's wake-up comes back at <see cref="RetryAt"/>, when that lease ends, in case its holder died.
    /// </summary>
    public sealed record Busy(NodaTime.Instant RetryAt) : EscalationStepOutcome;

    /// <summary>This run lost its lease part-way (it stalled past it) and stopped; the run that took it over finishes the step.</summary>
    public sealed record Superseded : EscalationStepOutcome;
}
