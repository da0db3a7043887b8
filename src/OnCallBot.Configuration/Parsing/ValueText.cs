using System.Globalization;

namespace OnCallBot.Configuration.Parsing;

/// <summary>How values from the file are echoed in messages: whole when short, cut when long.</summary>
internal static class ValueText
{
    /// <summary>
    /// The most characters of a value shown in a message. Every valid id (at most 64 characters), zone or time fits; a longer value is a
    /// mistake (a pasted file, a missing quote) that a 200 KB echo would only bury.
    /// </summary>
    public const int MaxShown = 64;

    /// <summary><c>'value'</c>, or for a long one <c>'its first 64 characters…' (200,000 characters, cut)</c>.</summary>
    public static string Quoted(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length <= MaxShown
            ? $"'{value}'"
            : $"'{Head(value)}…' ({value.Length.ToString("N0", CultureInfo.InvariantCulture)} characters, cut)";
    }

    /// <summary>The value, or its first characters and "…" when it is long (for names inside a longer phrase).</summary>
    public static string Cut(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length <= MaxShown ? value : Head(value) + "…";
    }

    // Never splits a surrogate pair, so the message stays valid text.
    private static string Head(string value) =>
        value[..(char.IsHighSurrogate(value[MaxShown - 1]) ? MaxShown - 1 : MaxShown)];
}
