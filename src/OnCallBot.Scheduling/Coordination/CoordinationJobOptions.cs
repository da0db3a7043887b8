using Microsoft.Extensions.Options;

namespace OnCallBot.Scheduling.Coordination;

/// <summary>How coordination's scheduled work recovers from failures (section <c>Incidents:Jobs</c>).</summary>
public sealed class CoordinationJobOptions
{
    public const string SectionName = "Incidents:Jobs";

    /// <summary>
    /// How long after a failed run (the store or a chat platform down) opening channels, a status reminder or archiving
    /// is tried again. Default 30 seconds; between 1 second and 1 hour.
    /// </summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);
}

internal sealed class CoordinationJobOptionsValidator : IValidateOptions<CoordinationJobOptions>
{
    public ValidateOptionsResult Validate(string? name, CoordinationJobOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.RetryDelay < TimeSpan.FromSeconds(1) || options.RetryDelay > TimeSpan.FromHours(1)
            ? ValidateOptionsResult.Fail(
                $"{CoordinationJobOptions.SectionName}:RetryDelay is {options.RetryDelay}; set it between 00:00:01 and 01:00:00 (default 00:00:30).")
            : ValidateOptionsResult.Success;
    }
}
