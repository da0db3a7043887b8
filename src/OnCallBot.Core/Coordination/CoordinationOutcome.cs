namespace OnCallBot.Core.Coordination;

/// <summary>The answer to a coordination command, for the person who gave it.</summary>
public abstract record CoordinationOutcome
{
    /// <summary>Done; <see cref="Message"/> says what changed, in one line.</summary>
    public sealed record Done(IncidentRoom Room, string Message) : CoordinationOutcome;

    /// <summary>Nothing changed; <see cref="Reason"/> says why and what to do instead.</summary>
    public sealed record Refused(string Reason) : CoordinationOutcome;

    public sealed record NotFound(string Reference) : CoordinationOutcome;
}
