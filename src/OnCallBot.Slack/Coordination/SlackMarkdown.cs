using System.Text;
using System.Text.RegularExpressions;
using OnCallBot.Slack.Paging;

namespace OnCallBot.Slack.Coordination;

/// <summary>
/// The core writes Markdown-ish text (the resolution summary is Markdown: <c># heading</c>, <c>**bold**</c>,
/// <c>- lists</c>; announcements use Slack-style <c>*bold*</c>). Slack's mrkdwn has no headings and bolds with
/// single asterisks, so this turns one into the other, escaping Slack's reserved characters first.
/// </summary>
internal static partial class SlackMarkdown
{
    /// <summary>Markdown-ish text as mrkdwn: headings become bold lines, <c>**bold**</c> becomes <c>*bold*</c>, list dashes bullets.</summary>
    public static string ToMrkdwn(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var lines = SlackText.Escape(markdown).ReplaceLineEndings("\n").Split('\n');
        var output = new StringBuilder(markdown.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = DoubleBold().Replace(lines[i], "*$1*");
            if (Heading().Match(line) is { Success: true } heading)
            {
                // Nested bold inside a heading would close the heading's own asterisks early.
                line = $"*{heading.Groups[1].Value.Replace("*", string.Empty, StringComparison.Ordinal).Trim()}*";
            }
            else if (ListItem().Match(line) is { Success: true } item)
            {
                var depth = item.Groups[1].Value.Length / 2;
                line = new string(' ', depth * 4) + (depth == 0 ? "• " : "◦ ") + item.Groups[2].Value;
            }
            output.Append(line);
            if (i < lines.Length - 1)
            {
                output.Append('\n');
            }
        }
        return output.ToString().TrimEnd();
    }

    /// <summary>
    /// Cuts <paramref name="text"/> into messages of at most <paramref name="max"/> characters, at line breaks where
    /// it can (a single overlong line is cut with an ellipsis rather than mid-way through a mention).
    /// </summary>
    public static IReadOnlyList<string> Split(string text, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= max)
        {
            return [text];
        }
        var parts = new List<string>();
        var current = new StringBuilder();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Length <= max ? raw : SlackText.Fit(raw, max, escape: false);
            if (current.Length > 0 && current.Length + 1 + line.Length > max)
            {
                parts.Add(current.ToString());
                current.Clear();
            }
            if (current.Length > 0)
            {
                current.Append('\n');
            }
            current.Append(line);
        }
        if (current.Length > 0)
        {
            parts.Add(current.ToString());
        }
        return parts.Where(p => p.Trim().Length > 0).ToList();
    }

    [GeneratedRegex(@"^#{1,6}\s+(.*)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"\*\*(.+?)\*\*")]
    private static partial Regex DoubleBold();

    [GeneratedRegex(@"^( *)[-*]\s+(.*)$")]
    private static partial Regex ListItem();
}
