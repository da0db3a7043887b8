namespace OnCallBot.Configuration.Parsing;

/// <summary>"Did you mean" for misspelt keys, ids and time zones.</summary>
internal static class Suggestions
{
    /// <summary>
    /// Longer inputs get no suggestion: ids are at most 64 characters and zone names half that, so a longer value
    /// is not a typo of any of them, and comparing it with every candidate costs its length times theirs.
    /// </summary>
    public const int MaxInputLength = 64;

    /// <summary>The candidate closest to <paramref name="input"/>, or null when none is close enough to help.</summary>
    public static string? Closest(string input, IEnumerable<string> candidates)
    {
        if (input.Length > MaxInputLength)
        {
            return null;
        }
        var needle = input.ToLowerInvariant();
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var lower = candidate.ToLowerInvariant();
            // An abbreviation or a longer spelling ("thurs" for thu, "escalation" for escalation_policies) is a
            // near miss however many letters it adds or drops.
            var isPrefix = Math.Min(needle.Length, lower.Length) >= 3
                && (lower.StartsWith(needle, StringComparison.Ordinal) || needle.StartsWith(lower, StringComparison.Ordinal));
            // Up to a third of the longer word, at least one and at most three edits: beyond that a
            // suggestion is a guess that misleads more than it helps.
            var limit = Math.Clamp(Math.Max(needle.Length, candidate.Length) / 3, 1, 3);
            if (!isPrefix && Math.Abs(needle.Length - lower.Length) > limit)
            {
                // Each edit changes the length by at most one: too far apart to count.
                continue;
            }
            var distance = isPrefix ? 1 : Distance(needle, lower);
            if (distance <= limit && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /// <summary><c>; did you mean 'x'?</c> or nothing.</summary>
    public static string DidYouMean(string input, IEnumerable<string> candidates) =>
        Closest(input, candidates) is { } match ? $"; did you mean '{match}'?" : string.Empty;

    /// <summary>Edit distance counting a swap of two adjacent letters as one edit ("nmae" is one edit from "name").</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }
}
