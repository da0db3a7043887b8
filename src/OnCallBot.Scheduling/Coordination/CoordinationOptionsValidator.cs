using System.Globalization;
using Microsoft.Extensions.Options;
using OnCallBot.Core.Coordination;

namespace OnCallBot.Scheduling.Coordination;

/// <summary>
/// Checks the <c>Incidents</c> section at start, every problem at once, each naming its key and how to fix it.
/// A zero status-update interval is accepted: it is how a severity's default reminders are turned off, since
/// configuration can add or change a default key but never remove one.
/// </summary>
internal sealed class CoordinationOptionsValidator : IValidateOptions<CoordinationOptions>
{
    private const string Section = CoordinationOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, CoordinationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.DefaultSeverity is < IncidentRoom.HighestSeverity or > IncidentRoom.LowestSeverity)
        {
            errors.Add($"{Section}:DefaultSeverity is {options.DefaultSeverity}; set 1 (worst) to 4 (least). Default 3.");
        }
        if (!IsOneOf(options.RestrictedActions, "responders", "anyone"))
        {
            errors.Add($"{Section}:RestrictedActions is '{options.RestrictedActions}'; set 'responders' (the default: only people in the response " +
                "may change severity, phase and others' roles, or resolve) or 'anyone'.");
        }
        foreach (var (severity, interval) in options.StatusUpdateIntervals ?? [])
        {
            if (!IsSeverity(severity))
            {
                errors.Add($"{Section}:StatusUpdateIntervals:{severity} is not a severity; use the keys 1 to 4, e.g. {Section}:StatusUpdateIntervals:1 = 00:30:00.");
            }
            else if (interval < TimeSpan.Zero)
            {
                errors.Add($"{Section}:StatusUpdateIntervals:{severity} is {interval}; set a positive duration such as 01:00:00, " +
                    $"or 00:00:00 for no status reminders at SEV{severity}.");
            }
        }
        foreach (var (severity, byPlatform) in options.StakeholderChannels ?? [])
        {
            if (!IsSeverity(severity))
            {
                errors.Add($"{Section}:StakeholderChannels:{severity} is not a severity; use the keys 1 to 4, e.g. {Section}:StakeholderChannels:1:slack = C0STATUS.");
                continue;
            }
            foreach (var (platform, channel) in byPlatform ?? [])
            {
                if (string.IsNullOrWhiteSpace(channel))
                {
                    errors.Add($"{Section}:StakeholderChannels:{severity}:{platform} is empty; set the channel id to post SEV{severity} status updates in, or remove the key.");
                }
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsSeverity(string key) =>
        int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var severity)
        && severity is >= IncidentRoom.HighestSeverity and <= IncidentRoom.LowestSeverity
        && key.Length == 1;

    private static bool IsOneOf(string? value, params string[] allowed) =>
        value is not null && allowed.Any(a => string.Equals(a, value, StringComparison.OrdinalIgnoreCase));
}
