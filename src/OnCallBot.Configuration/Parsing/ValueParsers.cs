using System.Globalization;
using System.Net.Mail;
using System.Text.RegularExpressions;
using NodaTime;
using NodaTime.Text;
using OnCallBot.Core.Model;

namespace OnCallBot.Configuration.Parsing;

/// <summary>
/// Parsers for the scalar formats of the config file. Each returns null on success and otherwise the
/// message to show, saying what is wrong and what a right value looks like.
/// </summary>
internal static partial class ValueParsers
{
    /// <summary>Acknowledgement timeouts beyond a day mean a page nobody will ever escalate: almost surely a typo.</summary>
    internal static readonly Duration MaxAckTimeout = Duration.FromHours(24);

    /// <summary>Longer shifts than a year are not rotations; the limit also keeps shift arithmetic far from overflow.</summary>
    internal const int MaxShiftDays = 366;

    private static readonly LocalTimePattern TimePattern = LocalTimePattern.CreateWithInvariantCulture("H:mm");

    private static readonly Dictionary<string, IsoDayOfWeek> Weekdays = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mon"] = IsoDayOfWeek.Monday, ["monday"] = IsoDayOfWeek.Monday,
        ["tue"] = IsoDayOfWeek.Tuesday, ["tuesday"] = IsoDayOfWeek.Tuesday,
        ["wed"] = IsoDayOfWeek.Wednesday, ["wednesday"] = IsoDayOfWeek.Wednesday,
        ["thu"] = IsoDayOfWeek.Thursday, ["thursday"] = IsoDayOfWeek.Thursday,
        ["fri"] = IsoDayOfWeek.Friday, ["friday"] = IsoDayOfWeek.Friday,
        ["sat"] = IsoDayOfWeek.Saturday, ["saturday"] = IsoDayOfWeek.Saturday,
        ["sun"] = IsoDayOfWeek.Sunday, ["sunday"] = IsoDayOfWeek.Sunday,
    };

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdRegex();

    [GeneratedRegex("^(?:(?<h>[0-9]{1,6})h)?(?:(?<m>[0-9]{1,6})m)?(?:(?<s>[0-9]{1,6})s)?$", RegexOptions.CultureInvariant)]
    private static partial Regex TimeoutRegex();

    [GeneratedRegex("^(?<n>[0-9]{1,6})(?<unit>[hd])$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex ShiftRegex();

    [GeneratedRegex("^[UW][A-Z0-9]{2,}$", RegexOptions.CultureInvariant)]
    private static partial Regex SlackUserIdRegex();

    [GeneratedRegex("^[CG][A-Z0-9]{2,}$", RegexOptions.CultureInvariant)]
    private static partial Regex SlackChannelIdRegex();

    public static IEnumerable<string> WeekdayNames => ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    /// <summary>Ids are typed in chat commands (<c>/page cart</c>), so they are single words.</summary>
    public static string? CheckId(string value, string what) =>
        IdRegex().IsMatch(value)
            ? null
            : $"{what} {ValueText.Quoted(value)} is not valid: use up to 64 letters, digits, '-', '_' or '.', starting with a letter or digit (e.g. '{Slug(value)}')";

    public static string? ParseTimeout(string text, out Duration timeout)
    {
        timeout = Duration.Zero;
        var trimmed = text.Trim();
        if (trimmed.Length > 0 && trimmed.All(char.IsAsciiDigit))
        {
            return $"timeout {ValueText.Quoted(text)} has no unit: write e.g. {ValueText.Cut(trimmed)}m for minutes ({ValueText.Cut(trimmed)}s and {ValueText.Cut(trimmed)}h also work)";
        }
        var match = TimeoutRegex().Match(trimmed);
        if (trimmed.Length == 0 || !match.Success)
        {
            return $"timeout {ValueText.Quoted(text)} is not a duration: use <N>s, <N>m or <N>h, or a combination in that order such as 1h30m";
        }
        timeout = Duration.FromHours(Number(match, "h")) + Duration.FromMinutes(Number(match, "m")) + Duration.FromSeconds(Number(match, "s"));
        if (timeout <= Duration.Zero)
        {
            return $"timeout {ValueText.Quoted(text)} must be more than zero: nobody could acknowledge before the next level is paged";
        }
        if (timeout > MaxAckTimeout)
        {
            return $"timeout {ValueText.Quoted(text)} is longer than 24h: a page would wait more than a day before escalating";
        }
        return null;
    }

    public static string? ParseShift(string text, out ShiftLength shift)
    {
        shift = ShiftLength.Daily;
        var trimmed = text.Trim();
        if (trimmed.Equals("daily", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        if (trimmed.Equals("weekly", StringComparison.OrdinalIgnoreCase))
        {
            shift = ShiftLength.Weekly;
            return null;
        }
        var match = ShiftRegex().Match(trimmed);
        if (!match.Success)
        {
            return $"shift {ValueText.Quoted(text)} is not valid: use daily, weekly, <N>h or <N>d (e.g. 12h, 3d)";
        }
        var n = int.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
        var hours = char.ToLowerInvariant(match.Groups["unit"].Value[0]) == 'h';
        if (n <= 0)
        {
            return $"shift {ValueText.Quoted(text)} must be at least 1{(hours ? "h" : "d")}";
        }
        if (hours ? n > MaxShiftDays * 24 : n > MaxShiftDays)
        {
            return $"shift {ValueText.Quoted(text)} is longer than a year: a rotation hands over at least once a year";
        }
        shift = hours ? ShiftLength.OfHours(n) : ShiftLength.OfDays(n);
        return null;
    }

    public static string? ParseDate(string text, out LocalDate date)
    {
        var result = LocalDatePattern.Iso.Parse(text.Trim());
        date = result.Success ? result.Value : default;
        return result.Success ? null : $"date {ValueText.Quoted(text)} is not valid: use YYYY-MM-DD, e.g. 2026-01-05";
    }

    /// <summary>A time of day as H:mm; <paramref name="allowEndOfDay"/> accepts 24:00 (as midnight) where it reads naturally: the end of a window.</summary>
    public static string? ParseTime(string text, string what, bool allowEndOfDay, out LocalTime time)
    {
        var trimmed = text.Trim();
        if (allowEndOfDay && trimmed == "24:00")
        {
            time = LocalTime.Midnight;
            return null;
        }
        var result = TimePattern.Parse(trimmed);
        time = result.Success ? result.Value : default;
        return result.Success ? null : $"{what} {ValueText.Quoted(text)} is not a time of day: use HH:mm on a 24-hour clock, e.g. \"09:00\" or \"18:30\"";
    }

    public static string? ParseWeekday(string text, out IsoDayOfWeek day) =>
        Weekdays.TryGetValue(text.Trim(), out day)
            ? null
            : $"unknown weekday {ValueText.Quoted(text)}{Suggestions.DidYouMean(text, Weekdays.Keys)} (use mon, tue, wed, thu, fri, sat or sun)";

    public static string? ParseTimeZone(string text, out DateTimeZone zone)
    {
        var trimmed = text.Trim();
        if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(trimmed) is { } found)
        {
            zone = found;
            return null;
        }
        zone = DateTimeZone.Utc;
        var ids = DateTimeZoneProviders.Tzdb.Ids;
        var city = "/" + trimmed.Replace(' ', '_');
        var suggestion = trimmed.Length > Suggestions.MaxInputLength
            ? null
            : ids.FirstOrDefault(id => id.Equals(trimmed, StringComparison.OrdinalIgnoreCase))
                ?? ids.FirstOrDefault(id => id.EndsWith(city, StringComparison.OrdinalIgnoreCase))
                ?? Suggestions.Closest(trimmed, ids);
        return suggestion is not null
            ? $"unknown time zone {ValueText.Quoted(text)}; did you mean '{suggestion}'? (use an IANA zone such as Europe/Berlin)"
            : $"unknown time zone {ValueText.Quoted(text)}: use an IANA zone such as Europe/Berlin, America/New_York or UTC";
    }

    public static string? ParseRunbook(string text, out Uri? uri)
    {
        if (Uri.TryCreate(text.Trim(), UriKind.Absolute, out var parsed)
            && (parsed.Scheme == Uri.UriSchemeHttps || parsed.Scheme == Uri.UriSchemeHttp))
        {
            uri = parsed;
            return null;
        }
        uri = null;
        return $"runbook {ValueText.Quoted(text)} is not an absolute http(s) URL: write the full address, e.g. https://runbooks.example.com/checkout";
    }

    public static string? CheckEmail(string text) =>
        MailAddress.TryCreate(text, out var address) && address.Address == text && address.DisplayName.Length == 0
            ? null
            : $"email {ValueText.Quoted(text)} is not an email address (e.g. alice@example.com)";

    public static string? CheckSlackUserId(string text) =>
        SlackUserIdRegex().IsMatch(text)
            ? null
            : $"slack {ValueText.Quoted(text)} is not a Slack member id: use the id from the user's Slack profile (Copy member ID), like U0123ABCD, not a name or @handle";

    public static string? CheckSlackChannelId(string text) =>
        SlackChannelIdRegex().IsMatch(text)
            ? null
            : $"slack channel {ValueText.Quoted(text)} is not a Slack channel id: use the id from the channel's details (like C0123ABCD), not its #name";

    private static long Number(Match match, string group) =>
        match.Groups[group].Success ? long.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : 0;

    private static string Slug(string value)
    {
        var chars = value.Trim().ToLowerInvariant()
            .Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-')
            .ToArray();
        var slug = new string(chars).Trim('-', '.', '_');
        return slug.Length == 0 ? "my-id" : slug[..Math.Min(slug.Length, 64)];
    }
}
