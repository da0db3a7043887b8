using System.Globalization;
using NodaTime;
using NodaTime.Text;
using OnCallBot.Core.OnCall;

namespace OnCallBot.Host.Cli;

/// <summary>
/// Reads the <c>--at</c> instant an admin types: an ISO-8601 date-time with <c>Z</c> or an offset is exact,
/// to the minute (<c>2026-03-29T03:30+02:00</c>) or with seconds and fractions; a local date-time without one
/// is read in the zone being asked about, and refused when that zone skips it or repeats it (a DST night),
/// because guessing would answer for the wrong hour. Instants outside what the resolver answers for are refused.
/// </summary>
internal static class InstantArgument
{
    private static readonly OffsetPattern OffsetText = OffsetPattern.CreateWithInvariantCulture("+HH:mm");

    // "o<G>" reads Z as well as +HH, +HH:mm and +HH:mm:ss. A space is accepted in place of the T because the
    // local forms accept it, and a refusal offers the admin's own text with an offset appended.
    private static readonly OffsetDateTimePattern[] OffsetPatterns =
    [
        OffsetDateTimePattern.Create("uuuu'-'MM'-'dd'T'HH':'mm':'ss;FFFFFFFFFo<G>", CultureInfo.InvariantCulture, default),
        OffsetDateTimePattern.Create("uuuu'-'MM'-'dd'T'HH':'mmo<G>", CultureInfo.InvariantCulture, default),
        OffsetDateTimePattern.Create("uuuu'-'MM'-'dd' 'HH':'mm':'ss;FFFFFFFFFo<G>", CultureInfo.InvariantCulture, default),
        OffsetDateTimePattern.Create("uuuu'-'MM'-'dd' 'HH':'mmo<G>", CultureInfo.InvariantCulture, default),
    ];

    private static readonly LocalDateTimePattern[] LocalPatterns =
    [
        LocalDateTimePattern.ExtendedIso,
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm"),
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd' 'HH':'mm"),
    ];

    private static readonly InstantPattern RangeText = InstantPattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm'Z'");

    public static bool TryParse(string text, DateTimeZone zone, out Instant instant, out string error)
    {
        text = text.Trim();
        instant = default;
        error = "";
        foreach (var pattern in OffsetPatterns)
        {
            if (pattern.Parse(text) is { Success: true } offset)
            {
                if (!NearSupportedRange(offset.Value.LocalDateTime))
                {
                    error = OutOfRange(text);
                    return false;
                }
                instant = offset.Value.ToInstant();
                return InRange(instant, text, out error);
            }
        }
        foreach (var pattern in LocalPatterns)
        {
            if (pattern.Parse(text) is not { Success: true } local)
            {
                continue;
            }
            if (!NearSupportedRange(local.Value))
            {
                error = OutOfRange(text);
                return false;
            }
            var mapping = zone.MapLocal(local.Value);
            switch (mapping.Count)
            {
                case 1:
                    instant = mapping.Single().ToInstant();
                    return InRange(instant, text, out error);
                case 0:
                    error = $"{text} does not exist in {zone.Id} (the clocks skip it on that night); give an offset, e.g. {text}{OffsetText.Format(mapping.EarlyInterval.WallOffset)} (before the change) or {text}{OffsetText.Format(mapping.LateInterval.WallOffset)} (after).";
                    return false;
                default:
                    error = $"{text} happens twice in {zone.Id} (the clocks go back that night); give an offset: {text}{OffsetText.Format(mapping.First().Offset)} (the first) or {text}{OffsetText.Format(mapping.Last().Offset)} (the second).";
                    return false;
            }
        }
        error = $"'{text}' is not an instant: use ISO-8601, e.g. 2026-03-29T01:30Z, 2026-03-29T03:30+02:00, 2026-03-29T01:30:00Z, or a local 2026-03-29T03:30 in the schedule's time zone.";
        return false;
    }

    // Checked before converting to an instant: a local value near the ends of time overflows when its offset is applied.
    private static bool NearSupportedRange(LocalDateTime local) =>
        local.Year >= OnCallResolver.SupportedRange.Start.InUtc().Year - 1 && local.Year <= OnCallResolver.SupportedRange.End.InUtc().Year + 1;

    private static bool InRange(Instant instant, string text, out string error)
    {
        error = OnCallResolver.SupportedRange.Contains(instant) ? "" : OutOfRange(text);
        return error.Length == 0;
    }

    private static string OutOfRange(string text) =>
        $"'{text}' is outside the instants 'who' answers for: from {RangeText.Format(OnCallResolver.SupportedRange.Start)} up to {RangeText.Format(OnCallResolver.SupportedRange.End)}.";
}
