using NodaTime;
using NodaTime.Text;

namespace OnCallBot.Host.Cli;

/// <summary>
/// Reads the <c>--at</c> instant an admin types: an ISO-8601 instant with <c>Z</c> or an offset is exact;
/// a local date-time without one is read in the zone being asked about, and refused when that zone
/// skips it or repeats it (a DST night), because guessing would answer for the wrong hour.
/// </summary>
internal static class InstantArgument
{
    private static readonly OffsetDateTimePattern WithOffset = OffsetDateTimePattern.ExtendedIso;
    private static readonly InstantPattern Utc = InstantPattern.ExtendedIso;
    private static readonly OffsetPattern OffsetText = OffsetPattern.CreateWithInvariantCulture("+HH:mm");
    private static readonly LocalDateTimePattern[] LocalPatterns =
    [
        LocalDateTimePattern.ExtendedIso,
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm"),
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd' 'HH':'mm"),
    ];

    public static bool TryParse(string text, DateTimeZone zone, out Instant instant, out string error)
    {
        text = text.Trim();
        instant = default;
        error = "";
        if (Utc.Parse(text) is { Success: true } utc)
        {
            instant = utc.Value;
            return true;
        }
        if (WithOffset.Parse(text) is { Success: true } offset)
        {
            instant = offset.Value.ToInstant();
            return true;
        }
        foreach (var pattern in LocalPatterns)
        {
            if (pattern.Parse(text) is not { Success: true } local)
            {
                continue;
            }
            var mapping = zone.MapLocal(local.Value);
            switch (mapping.Count)
            {
                case 1:
                    instant = mapping.Single().ToInstant();
                    return true;
                case 0:
                    error = $"{text} does not exist in {zone.Id} (the clocks skip it on that night); give an offset, e.g. {text}{OffsetText.Format(mapping.EarlyInterval.WallOffset)} (before the change) or {text}{OffsetText.Format(mapping.LateInterval.WallOffset)} (after).";
                    return false;
                default:
                    error = $"{text} happens twice in {zone.Id} (the clocks go back that night); give an offset: {text}{OffsetText.Format(mapping.First().Offset)} (the first) or {text}{OffsetText.Format(mapping.Last().Offset)} (the second).";
                    return false;
            }
        }
        error = $"'{text}' is not an instant: use ISO-8601, e.g. 2026-03-29T01:30:00Z, 2026-03-29T03:30+02:00, or a local 2026-03-29T03:30 in the schedule's time zone.";
        return false;
    }
}
