using System.Buffers;
using System.Globalization;
using System.Text;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace OnCallBot.Host.Hosting;

/// <summary>
/// The text log: <c>13:19:21 INF SourceContext: message</c>, one physical line per event. Control characters in
/// what the event carries (CR, LF and the rest of C0, DEL, C1, U+2028/U+2029) are written escaped (<c>\n</c>,
/// <c>\u001B</c>), so text from a user (a /page reason) can neither start a line that looks like the bot's own nor
/// drive the terminal. An exception follows on lines indented by four spaces, which no event line starts with.
/// </summary>
internal sealed class SingleLineTextFormatter : ITextFormatter
{
    public const string Template = "{Timestamp:HH:mm:ss} {Level:u3} {SourceContext}: {Message:lj}";

    private const string ExceptionIndent = "    ";

    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(c => (char)c), .. Enumerable.Range(0x7F, 0x21).Select(c => (char)c), '\u2028', '\u2029']);

    private readonly MessageTemplateTextFormatter _line = new(Template, CultureInfo.InvariantCulture);

    public void Format(LogEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(output);
        using var line = new StringWriter(CultureInfo.InvariantCulture);
        _line.Format(logEvent, line);
        output.Write(Escape(line.ToString()));
        output.Write(Environment.NewLine);
        if (logEvent.Exception is { } exception)
        {
            foreach (var exceptionLine in exception.ToString().Split('\n'))
            {
                output.Write(ExceptionIndent);
                output.Write(Escape(exceptionLine.TrimEnd('\r')));
                output.Write(Environment.NewLine);
            }
        }
    }

    /// <summary>The text with each control character written as a C-style escape; the same instance when there is none.</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var first = text.AsSpan().IndexOfAny(ControlCharacters);
        if (first < 0)
        {
            return text;
        }
        var escaped = new StringBuilder(text.Length + 16).Append(text, 0, first);
        foreach (var c in text.AsSpan(first))
        {
            _ = c switch
            {
                '\n' => escaped.Append("\\n"),
                '\r' => escaped.Append("\\r"),
                '\t' => escaped.Append("\\t"),
                _ when ControlCharacters.Contains(c) => escaped.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)),
                _ => escaped.Append(c),
            };
        }
        return escaped.ToString();
    }
}
