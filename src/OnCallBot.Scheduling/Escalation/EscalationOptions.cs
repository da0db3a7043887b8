using Microsoft.Extensions.Options;

namespace OnCallBot.Scheduling.Escalation;

/// <summary>How escalation wake-ups recover from failures (section <c>Paging:Escalation</c>).</summary>
public sealed class EscalationOptions
{
    public const string SectionName = "Paging:Escalation";

    /// <summary>
    /// How long after a failed escalation step (a chat platform or the store down) it is tried again; the same delay
    /// spaces attempts to rebuild wake-ups from the store at start. Default 30 seconds; between 1 second and 1 hour.
    /// </summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);
}

internal sealed class EscalationOptionsValidator : IValidateOptions<EscalationOptions>
{
    public ValidateOptionsResult Validate(string? name, EscalationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.RetryDelay < TimeSpan.FromSeconds(1) || options.RetryDelay > TimeSpan.FromHours(1)
            ? ValidateOptionsResult.Fail(
                $"{EscalationOptions.SectionName}:RetryDelay is {options.RetryDelay}; set it between 00:00:01 and 01:00:00 (default 00:00:30).")
            : ValidateOptionsResult.Success;
    }
}

internal sealed class PagingOptionsValidator : IValidateOptions<Core.Paging.PagingOptions>
{
    public ValidateOptionsResult Validate(string? name, Core.Paging.PagingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.DirectPageTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Paging:DirectPageTimeout is {options.DirectPageTimeout}; set a positive duration such as 00:05:00 (the default).");
        }
        if (options.DirectPageRepeat < 0)
        {
            errors.Add($"Paging:DirectPageRepeat is {options.DirectPageRepeat}; set 0 or more (default 2).");
        }
        if (options.MaxDeliveryDelay < TimeSpan.Zero || options.MaxDeliveryDelay > TimeSpan.FromHours(1))
        {
            errors.Add($"Paging:MaxDeliveryDelay is {options.MaxDeliveryDelay}; set between 00:00:00 (count every level's timeout from the step's start) and 01:00:00 (default 00:00:30).");
        }
        if (options.StepLease < TimeSpan.FromSeconds(3) || options.StepLease > TimeSpan.FromMinutes(10))
        {
            errors.Add($"Paging:StepLease is {options.StepLease}; set between 00:00:03 and 00:10:00 (default 00:00:30).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
