using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using NodaTime;
using OnCallBot.Core.Paging;

namespace OnCallBot.Slack.Paging;

/// <summary>Slack's text conventions: escaping, length limits, dates every reader sees in their own zone, mentions.</summary>
internal static partial class SlackText
{
    public const string Ellipsis = "…";

    /// <summary>Escapes the three characters Slack reserves for its markup (<c>&amp;</c>, <c>&lt;</c>, <c>&gt;</c>).</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal);
    }

    /// <summary>
    /// <paramref name="text"/> escaped (when <paramref name="escape"/>), cut with an ellipsis so the result is at most
    /// <paramref name="max"/> characters. Cuts fall between characters of the original, never inside an escape
    /// sequence or a surrogate pair.
    /// </summary>
    public static string Fit(string text, int max, bool escape = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, Ellipsis.Length);
        var whole = escape ? Escape(text) : text;
        if (whole.Length <= max)
        {
            return whole;
        }
        var builder = new StringBuilder(max);
        var budget = max - Ellipsis.Length;
        for (var i = 0; i < text.Length;)
        {
            var length = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            var piece = text.Substring(i, length);
            var rendered = escape ? Escape(piece) : piece;
            if (builder.Length + rendered.Length > budget)
            {
                break;
            }
            builder.Append(rendered);
            i += length;
        }
        return builder.ToString().TrimEnd() + Ellipsis;
    }

    /// <summary>
    /// A date in Slack's <c>&lt;!date^...&gt;</c> syntax, so each reader sees it in their own time zone, with a UTC
    /// fallback for clients that cannot render it.
    /// </summary>
    public static string Date(Instant at, string format = "{date_short_pretty} at {time}")
    {
        var unix = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var fallback = at.ToString("uuuu-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        return $"<!date^{unix}^{format}|{fallback}>";
    }

    /// <summary>A mention for someone who acted on Slack (it pings nobody in a message edit), or their escaped name otherwise.</summary>
    public static string Mention(Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return actor.Platform == SlackChatPlatform.PlatformName && SlackUserId().IsMatch(actor.PlatformUserId)
            ? $"<@{actor.PlatformUserId}>"
            : actor == Actor.System ? "OnCallBot" : $"{Escape(actor.DisplayName)} (on {Escape(actor.Platform)})";
    }

    /// <summary>A link in mrkdwn; characters that would end the link early are percent-encoded.</summary>
    public static string Link(Uri url, string label)
    {
        ArgumentNullException.ThrowIfNull(url);
        var target = url.AbsoluteUri.Replace("|", "%7C", StringComparison.Ordinal)
            .Replace("<", "%3C", StringComparison.Ordinal)
            .Replace(">", "%3E", StringComparison.Ordinal)
            .Replace("&", "&amp;", StringComparison.Ordinal);
        return $"<{target}|{Escape(label)}>";
    }

    /// <summary>
    /// Plain text from Slack's escaped command text: mentions become <c>@name</c>, channels <c>#name</c>, links
    /// their label and address, and HTML entities are decoded. Incidents are shown on every platform, so they keep
    /// no Slack markup.
    /// </summary>
    public static string ToPlain(string slackText)
    {
        ArgumentNullException.ThrowIfNull(slackText);
        var plain = Markup().Replace(slackText, match =>
        {
            var inner = match.Groups[1].Value;
            var bar = inner.IndexOf('|', StringComparison.Ordinal);
            var (target, label) = bar >= 0 ? (inner[..bar], inner[(bar + 1)..]) : (inner, null);
            return target[0] switch
            {
                '@' => "@" + (label ?? target[1..]),
                '#' => "#" + (label ?? target[1..]),
                '!' when target.StartsWith("!subteam^", StringComparison.Ordinal) => label ?? "@group",
                '!' when target.StartsWith("!date^", StringComparison.Ordinal) => label ?? target,
                '!' => "@" + target[1..],
                _ => label is null || label == target ? target : $"{label} ({target})",
            };
        });
        return plain.Replace("&lt;", "<", StringComparison.Ordinal)
            .Replace("&gt;", ">", StringComparison.Ordinal)
            .Replace("&amp;", "&", StringComparison.Ordinal);
    }

    [GeneratedRegex("^[UW][A-Z0-9]{2,31}$")]
    public static partial Regex SlackUserId();

    [GeneratedRegex("<([^<>]+)>")]
    private static partial Regex Markup();
}

/// <summary>The core's paging replies written in Slack's mrkdwn: escaped, dates in each reader's zone, commands as <c>`/ack`</c>.</summary>
internal sealed class SlackMarkup : IChatMarkup
{
    public static SlackMarkup Instance { get; } = new();

    public string Platform => SlackChatPlatform.PlatformName;

    public string AccountName => "your Slack account";

    public string Escape(string text) => SlackText.Escape(text);

    public string Fit(string text, int max) => SlackText.Fit(text, max);

    public string Mention(Actor actor) => SlackText.Mention(actor);

    public string Date(Instant at) => SlackText.Date(at);

    public string Command(string command) => $"`/{command}`";
}
