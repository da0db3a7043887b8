using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace OnCallBot.Core.Coordination;

/// <summary>
/// Channel names for incidents: <c>inc-42-cards-are-timing-out</c>. Within the strictest rules we target
/// (Slack's): lowercase letters, digits, hyphens and underscores, at most 80 characters. Accents are
/// folded (<c>é</c> becomes <c>e</c>, <c>ß</c> becomes <c>ss</c>); anything else (emoji, other scripts, punctuation) becomes a hyphen,
/// runs of hyphens collapse, and a summary with nothing usable leaves just <c>inc-42</c>.
/// </summary>
public static class IncidentChannelName
{
    public const int MaxLength = 80;

    // Latin letters folded to ASCII by table, not by string.Normalize: the host runs with invariant globalization,
    // where Normalize leaves "ü" whole and "für" would become "f-r". One entry per code point from U+00C0 (and from
    // U+1E00, Vietnamese and others): the base letter, a space for none, '+' for the spellings below. Generated
    // from Unicode's canonical decompositions, with the letters that have none (ß, ø, ł...) spelled by hand.
    private const int LatinFrom = 0x00C0;
    private const string Latin =
        "aaaaaa+ceeeeiiiidnooooo ouuuuy++aaaaaa+ceeeeiiiidnooooo ouuuuy+y"
        + "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiii i++jjkkklllllll"
        + "lllnnnnnn nnoooooo++rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs"
        + "b             e  ff    i  l     oo             uu    zz         "
        + "             aaiioouuuuuuuuuueaaaa  ggggkkoooo  j   gg  nnaa    "
        + "aaaaeeeeiiiioooorrrruuuusstt  hh    zzaaeeooooooooyy       ccl s"
        + "z  bu eejj  rryy";

    private const int LatinExtendedFrom = 0x1E00;
    private const string LatinExtended =
        "aabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmm"
        + "mmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvv"
        + "wwwwwwwwwwxxxxyyzzzzzzhtwy    + aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeee"
        + "eeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy      ";

    private static readonly FrozenDictionary<char, string> Spelled = new Dictionary<char, string>
    {
        ['\u00C6'] = "ae",
        ['\u00DE'] = "th",
        ['\u00DF'] = "ss",
        ['\u00E6'] = "ae",
        ['\u00FE'] = "th",
        ['\u0132'] = "ij",
        ['\u0133'] = "ij",
        ['\u0152'] = "oe",
        ['\u0153'] = "oe",
        ['\u1E9E'] = "ss",
    }.ToFrozenDictionary();

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
        foreach (var c in text)
        {
            // Marks typed apart from their letter (decomposed input, as macOS sends) are dropped like folded accents.
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            var lower = char.ToLowerInvariant(c);
            var folded = Fold(lower);
            if (folded is not null)
            {
                builder.Append(folded);
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

    private static string? Fold(char c)
    {
        if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_')
        {
            return c.ToString();
        }
        var entry = c - LatinFrom is var latin and >= 0 && latin < Latin.Length ? Latin[latin]
            : c - LatinExtendedFrom is var extended and >= 0 && extended < LatinExtended.Length ? LatinExtended[extended]
            : ' ';
        return entry switch
        {
            ' ' => null,
            '+' => Spelled[c],
            _ => entry.ToString(),
        };
    }
}
