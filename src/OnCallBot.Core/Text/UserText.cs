using System.Text;

namespace OnCallBot.Core.Text;

/// <summary>
/// Text people typed in chat, made safe once where a platform's payload becomes a core request (the Slack adapter's
/// parser today, the Teams adapter's next), so nothing downstream (the store, chat messages and dialogs, the log)
/// has to guess whether a string is clean.
/// </summary>
/// <remarks>
/// <para>Removed: C0 controls (but line breaks and tab), DEL, C1 controls, unpaired surrogates, and the bidi
/// embedding, override and isolate controls (U+202A..U+202E, U+2066..U+2069). Those last can make text read in an
/// order other than the one it is stored in (a "Trojan Source" title or note); right-to-left scripts do not need
/// them, and the harmless marks U+200E, U+200F and U+061C stay.</para>
/// <para>Line breaks (CR LF, CR, LF, VT, FF, NEL, U+2028, U+2029) become <c>\n</c> where a field allows several
/// lines (<see cref="MultiLine"/>), and one space where it does not (<see cref="SingleLine"/>); a tab becomes a space.
/// A newline in a one-line field would otherwise start a new line in the log or break a title.</para>
/// </remarks>
public static class UserText
{
    /// <summary>A one-line field (a page's summary, a name, a button's value): each run of line breaks becomes one space.</summary>
    public static string SingleLine(string text) => Clean(text, allowLineBreaks: false);

    /// <summary>A field that may have several lines (a note, a status update): every line break becomes <c>\n</c>.</summary>
    public static string MultiLine(string text) => Clean(text, allowLineBreaks: true);

    private static string Clean(string text, bool allowLineBreaks)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (IsClean(text, allowLineBreaks))
        {
            return text;
        }
        var builder = new StringBuilder(text.Length);
        var afterBreak = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (IsLineBreak(c))
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }
                if (allowLineBreaks)
                {
                    builder.Append('\n');
                }
                else if (!afterBreak)
                {
                    builder.Append(' ');
                }
                afterBreak = true;
                continue;
            }
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[i + 1]);
                i++;
            }
            else if (c == '\t')
            {
                builder.Append(' ');
            }
            else if (IsRemoved(c))
            {
                // Dropped without ending a run of line breaks: "a\n\0\nb" is one break on one line.
                continue;
            }
            else
            {
                builder.Append(c);
            }
            afterBreak = false;
        }
        return builder.ToString();
    }

    /// <summary>Most text needs nothing: answer it without copying.</summary>
    private static bool IsClean(string text, bool allowLineBreaks)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n' && allowLineBreaks)
            {
                continue;
            }
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            if (c == '\t' || IsLineBreak(c) || IsRemoved(c))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsLineBreak(char c) => c is '\n' or '\r' or '\v' or '\f' or '\u0085' or '\u2028' or '\u2029';

    // char.IsControl is C0, DEL and C1; a surrogate reaching here is unpaired.
    private static bool IsRemoved(char c) =>
        char.IsControl(c) || char.IsSurrogate(c) || c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
