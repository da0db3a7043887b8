using System.Globalization;
using System.Text;
using NodaTime;
using OnCallBot.Core.Text;

namespace OnCallBot.Teams.Cards;

/// <summary>
/// Text on Adaptive Cards. A <c>TextBlock</c> (and a <c>Fact</c>) reads a Markdown subset, so text people typed never
/// goes into one: it goes into a <c>TextRun</c>, which the schema defines as plain text ("Markdown is not supported").
/// What a <c>TextRun</c> still reads is the <c>{{DATE(...)}}</c> and <c>{{TIME(...)}}</c> functions, so
/// <see cref="Plain"/> breaks every <c>{{</c> with an invisible word joiner. Our own sentences, and the dates, go in
/// <c>TextBlock</c>s.
/// </summary>
internal static class AdaptiveText
{
    public const string Ellipsis = "…";

    /// <summary>The platform name Teams actors carry (<c>IChatPlatform.Name</c>).</summary>
    public const string TeamsPlatformName = "teams";

    /// <summary>A person's or a team's name on a card, at most.</summary>
    public const int MaxNameLength = 80;

    /// <summary>Invisible, and no line break: <c>{⁠{</c> reads as <c>{{</c> but starts no function.</summary>
    private const string WordJoiner = "\u2060";

    /// <summary>
    /// <paramref name="text"/> as a <c>TextRun</c> shows it as typed: cleaned (<see cref="UserText"/>), cut to at most
    /// <paramref name="max"/> characters with an ellipsis (never inside a surrogate pair), and with no <c>{{</c>.
    /// </summary>
    public static string Plain(string text, int max, bool multiLine = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, Ellipsis.Length + 1);
        var clean = multiLine ? UserText.MultiLine(text) : UserText.SingleLine(text);
        return Fit(clean, max).Replace("{{", "{" + WordJoiner + "{", StringComparison.Ordinal);
    }

    /// <summary>
    /// A person as a card names them (for a <c>TextRun</c>): their name, with the platform they acted on when it is not
    /// Teams (a card has no mentions: they would need entities outside the card).
    /// </summary>
    public static string Person(OnCallBot.Core.Paging.Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor == OnCallBot.Core.Paging.Actor.System)
        {
            return "OnCallBot";
        }
        var name = Plain(actor.DisplayName, MaxNameLength);
        return actor.Platform == TeamsPlatformName ? name : $"{name} (on {Plain(actor.Platform, 20)})";
    }

    /// <summary>A config user as a card names them (for a <c>TextRun</c>).</summary>
    public static string Person(OnCallBot.Core.Model.User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Plain(user.DisplayName, MaxNameLength);
    }

    /// <summary>A date and time each reader sees in their own time zone, e.g. "Jan 5, 2026 at 9:00 AM" (for a <c>TextBlock</c>).</summary>
    public static string Date(Instant at)
    {
        var iso = at.ToString("uuuu-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return $"{{{{DATE({iso}, SHORT)}}}} at {{{{TIME({iso})}}}}";
    }

    /// <summary>
    /// A link in a <c>TextBlock</c>'s Markdown: <paramref name="label"/> is ours; characters of the address that would
    /// end the link early (brackets, parentheses, spaces) are percent-encoded. Null for anything but http(s).
    /// </summary>
    public static string? Link(Uri url, string label)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            return null;
        }
        var target = new StringBuilder(url.AbsoluteUri.Length);
        foreach (var c in url.AbsoluteUri)
        {
            target.Append(c switch
            {
                '(' => "%28",
                ')' => "%29",
                '[' => "%5B",
                ']' => "%5D",
                '<' => "%3C",
                '>' => "%3E",
                '{' => "%7B",
                '}' => "%7D",
                ' ' => "%20",
                _ => c.ToString(),
            });
        }
        return $"[{label}]({target})";
    }

    private static string Fit(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }
        var cut = max - Ellipsis.Length;
        if (char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }
        return text[..cut].TrimEnd() + Ellipsis;
    }
}
