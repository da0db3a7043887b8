using System.Globalization;
using System.Text;

namespace OnCallBot.Core.Coordination;

/// <summary>
/// Channel names for incidents: <c>inc-42-cards-are-timing-out</c>. Within the strictest rules we target
/// (Slack's): lowercase letters, digits, hyphens and underscores, at most 80 characters. Accents are
/// folded (<c>é</c> becomes <c>e</c>); anything else (emoji, other scripts, punctuation) becomes a hyphen,
/// runs of hyphens collapse, and a summary with nothing usable leaves just <c>inc-42</c>.
/// </summary>
public static class IncidentChannelName
{
    public const int MaxLength = 80;

    public static string For(long incidentNumber, string summary, int attempt = 1)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var prefix = $"inc-{incidentNumber.ToString(CultureInfo.InvariantCulture)}";
        // A clash (the name is taken) gets a suffix; it is kept whole and the slug gives way.
        var suffix = attempt > 1 ? $"-{attempt.ToString(CultureInfo.InvariantCulture)}" : "";
        var slug = Slug(summary);
        var room = MaxLength - prefix.Length - suffix.Length - 1;
        if (slug.Length > room)
        {
            slug = slug[..Math.Max(0, room)].TrimEnd('-');
        }
        return slug.Length == 0 ? prefix + suffix : $"{prefix}-{slug}{suffix}";
    }

    private static string Slug(string text)
    {
        var builder = new StringBuilder(text.Length);
        var lastWasHyphen = true;
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            var lower = char.ToLowerInvariant(c);
            if (lower is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_')
            {
                builder.Append(lower);
                lastWasHyphen = false;
            }
            else if (!lastWasHyphen)
            {
                builder.Append('-');
                lastWasHyphen = true;
            }
        }
        return builder.ToString().Trim('-');
    }
}
