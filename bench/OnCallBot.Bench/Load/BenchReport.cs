using System.Globalization;
using System.Text;

namespace OnCallBot.Bench.Load;

/// <summary>A distribution's summary: nearest-rank percentiles of the samples, in their unit.</summary>
internal sealed record Distribution(int Count, double P50, double P99, double Max, double Min)
{
    public static Distribution? Of(IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }
        double At(double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new Distribution(sorted.Length, At(0.50), At(0.99), sorted[^1], sorted[0]);
    }
}

/// <summary>
/// A scenario's result as a short Markdown table (figure, what was measured, the limit that bounds it), with the
/// conditions of the run above it, so a reader sees how close a figure is to the physical limit and what else ran.
/// </summary>
internal sealed class BenchReport(string title)
{
    private readonly List<(string Figure, string Measured, string Bound)> _rows = [];
    private readonly List<string> _notes = [];

    public void Row(string figure, string measured, string bound = "") => _rows.Add((figure, measured, bound));

    /// <summary>A p50/p99/max row in milliseconds (from seconds or milliseconds samples, as given).</summary>
    public void Latency(string figure, Distribution? ms, string bound, string? extra = null) =>
        Row(figure, ms is null ? "no samples" : $"p50 {Ms(ms.P50)} · p99 {Ms(ms.P99)} · max {Ms(ms.Max)} ms (n={ms.Count:N0}){extra}", bound);

    public void Note(string line) => _notes.Add(line);

    /// <summary>A note per kind of answer that was neither "paged" nor "working on it" (status and the start of the text), if any.</summary>
    /// <summary>How /page was answered: at once, "working on it" (and how many of those the response_url later confirmed), otherwise.</summary>
    public static string Outcomes(IReadOnlyCollection<PageAnswer> answers, HashSet<int> pagedLater)
    {
        var deferred = answers.Where(a => a.Deferred).ToList();
        var confirmed = deferred.Count(a => pagedLater.Contains(a.Index));
        return $"; {answers.Count(a => a.Paged):N0} paged at once, {deferred.Count:N0} \"working on it\" ({confirmed:N0} of them said paged later on the response_url, " +
            $"{deferred.Count - confirmed:N0} not within a minute of the last answer), {answers.Count(a => !a.Paged && !a.Deferred):N0} other/failed";
    }

    public void OtherAnswers(IEnumerable<PageAnswer> answers)
    {
        foreach (var group in answers.Where(a => !a.Paged && !a.Deferred)
            .GroupBy(a => a.Error ?? $"HTTP {a.Status}: {(a.Text.Length > 120 ? a.Text[..120] + "…" : a.Text)}")
            .OrderByDescending(g => g.Count()))
        {
            Note($"{group.Count():N0} answered otherwise: {group.Key.ReplaceLineEndings(" ")}");
        }
    }

    public void Print(TextWriter output)
    {
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"### {title}");
        foreach (var note in _notes)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
        }
        text.AppendLine();
        text.AppendLine("| figure | measured | bounded by |");
        text.AppendLine("|---|---|---|");
        foreach (var (figure, measured, bound) in _rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {figure} | {measured} | {bound} |");
        }
        output.Write(text.ToString());
        output.Flush();
    }

    public static string Ms(double value) => value.ToString(Math.Abs(value) >= 100 ? "N0" : "0.#", CultureInfo.InvariantCulture);

    public static string Seconds(double value) => value.ToString(value >= 100 ? "N0" : "0.#", CultureInfo.InvariantCulture) + " s";

    /// <summary>The machine's load average (1, 5, 15 min) from /proc/loadavg: the bench shares 2 cores with whatever else runs.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
