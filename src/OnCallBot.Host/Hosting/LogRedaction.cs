using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Primitives;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace OnCallBot.Host.Hosting;

/// <summary>
/// The last line of "secrets never appear in logs": replaces the configured secrets (Slack tokens and signing secret,
/// the Teams password, the store's password) and anything shaped like a Slack token, a bearer credential or a Slack
/// response URL / webhook path with
/// <see cref="Mask"/>, wherever it turns up in a log event. Code should never log a secret in the first place; this
/// catches what a library logs on its own (the HTTP client's request headers, an exception's message).
/// </summary>
internal sealed partial class SecretRedactor : IDisposable
{
    public const string Mask = "[redacted]";

    /// <summary>The settings whose values are secrets. Shorter values than <see cref="MinimumSecretLength"/> are not masked (they would garble ordinary words).</summary>
    internal static readonly string[] SecretKeys = ["Slack:BotToken", "Slack:AppToken", "Slack:SigningSecret", "Teams:AppPassword"];

    internal const int MinimumSecretLength = 8;

    private readonly IConfiguration _configuration;
    private readonly IDisposable _reloadSubscription;
    private volatile string[] _secrets = [];

    public SecretRedactor(IConfiguration configuration)
    {
        _configuration = configuration;
        Refresh();
        // A rotated token (appsettings.json edited while running) is masked from the next event on.
        _reloadSubscription = ChangeToken.OnChange(configuration.GetReloadToken, Refresh);
    }

    public void Dispose() => _reloadSubscription.Dispose();

    /// <summary>The text with every secret masked; the same instance when there was nothing to mask.</summary>
    public string Redact(string text)
    {
        var result = text;
        foreach (var secret in _secrets)
        {
            if (result.Contains(secret, StringComparison.Ordinal))
            {
                result = result.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }
        if (result.Contains("xox", StringComparison.Ordinal) || result.Contains("xapp-", StringComparison.Ordinal))
        {
            result = SlackToken().Replace(result, Mask);
        }
        if (result.Contains("earer", StringComparison.OrdinalIgnoreCase))
        {
            result = BearerCredential().Replace(result, "Bearer " + Mask);
        }
        if (result.Contains("hooks.slack.com/", StringComparison.OrdinalIgnoreCase))
        {
            result = SlackHookPath().Replace(result, "hooks.slack.com/" + Mask);
        }
        return result;
    }

    /// <summary>The value with every secret masked, recursively; the same instance when there was nothing to mask.</summary>
    public LogEventPropertyValue Redact(LogEventPropertyValue value)
    {
        switch (value)
        {
            case ScalarValue { Value: string text }:
                var redacted = Redact(text);
                return ReferenceEquals(redacted, text) ? value : new ScalarValue(redacted);
            case ScalarValue { Value: null or ValueType }:
                // Numbers, dates, ids, enums: nothing secret fits in them.
                return value;
            case ScalarValue { Value: { } other }:
                // A Uri or any object rendered with ToString(): mask in what would be written.
                var rendered = other.ToString() ?? "";
                var masked = Redact(rendered);
                return ReferenceEquals(masked, rendered) ? value : new ScalarValue(masked);
            case SequenceValue sequence:
                var elements = sequence.Elements.Select(Redact).ToArray();
                return elements.SequenceEqual(sequence.Elements) ? value : new SequenceValue(elements);
            case StructureValue structure:
                var properties = structure.Properties.Select(p => new LogEventProperty(p.Name, Redact(p.Value))).ToArray();
                return properties.Select(p => p.Value).SequenceEqual(structure.Properties.Select(p => p.Value))
                    ? value
                    : new StructureValue(properties, structure.TypeTag);
            case DictionaryValue dictionary:
                var entries = dictionary.Elements
                    .Select(e => new KeyValuePair<ScalarValue, LogEventPropertyValue>((ScalarValue)Redact(e.Key), Redact(e.Value)))
                    .ToArray();
                return entries.Zip(dictionary.Elements).All(pair => ReferenceEquals(pair.First.Key, pair.Second.Key) && ReferenceEquals(pair.First.Value, pair.Second.Value))
                    ? value
                    : new DictionaryValue(entries);
            default:
                return value;
        }
    }

    private void Refresh()
    {
        var secrets = SecretKeys.Select(key => _configuration[key]).ToList();
        secrets.AddRange(ConnectionStringPasswords(_configuration["Storage:ConnectionString"]));
        _secrets = [.. secrets
            .Select(s => s?.Trim())
            .OfType<string>()
            .Where(s => s.Length >= MinimumSecretLength)
            .Distinct(StringComparer.Ordinal)
            // Longest first, so a secret that contains another is masked whole.
            .OrderByDescending(s => s.Length)];
    }

    private static IEnumerable<string?> ConnectionStringPasswords(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return [];
        }
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
            return builder.Keys.Cast<string>()
                .Where(k => k.Equals("Password", StringComparison.OrdinalIgnoreCase) || k.Equals("Pwd", StringComparison.OrdinalIgnoreCase))
                .Select(k => builder[k]?.ToString());
        }
        catch (ArgumentException)
        {
            // Not a connection string the store would accept either; the store's own validation says so.
            return [];
        }
    }

    // Bot, user, refresh and configuration tokens (xoxb-, xoxp-, xoxe.xoxp-, xoxe-...) and app-level tokens (xapp-).
    [GeneratedRegex(@"\bxox[a-z](?:\.xox[a-z])?-[A-Za-z0-9-]+|\bxapp-[A-Za-z0-9-]+")]
    private static partial Regex SlackToken();

    // An Authorization value however it got into the text: "Bearer eyJ...", "bearer xoxb-...".
    [GeneratedRegex(@"\bbearer\s+(?!\[redacted\])[^\s""',;\]\}]+", RegexOptions.IgnoreCase)]
    private static partial Regex BearerCredential();

    // Response URLs and incoming webhooks: whoever holds the path may post into the conversation.
    [GeneratedRegex(@"hooks\.slack\.com/(?!\[redacted\])[^\s""'<>]+", RegexOptions.IgnoreCase)]
    private static partial Regex SlackHookPath();
}

/// <summary>
/// Masks secrets in every property of every event, for every sink (the <c>Serilog:WriteTo</c> ones included). The
/// HTTP client's header events get one more fix: their text honours the redaction policy, but their properties carry
/// the raw header values (<c>"Authorization":["Bearer xoxb-..."]</c> in the JSON log); they are set to what the text says.
/// </summary>
internal sealed class SecretRedactionEnricher(SecretRedactor redactor) : ILogEventEnricher
{
    private const string HeaderTextProperty = "HttpHeadersLogValue";

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        var headerValues = IsHttpClientHeaderEvent(logEvent) ? HeaderValuesFromText(logEvent) : null;
        List<LogEventProperty>? changed = null;
        foreach (var (name, value) in logEvent.Properties)
        {
            var replacement = headerValues is not null && headerValues.TryGetValue(name, out var shown)
                ? new ScalarValue(redactor.Redact(shown))
                : redactor.Redact(value);
            if (!ReferenceEquals(replacement, value))
            {
                (changed ??= []).Add(new LogEventProperty(name, replacement));
            }
        }
        foreach (var property in changed ?? [])
        {
            logEvent.AddOrUpdateProperty(property);
        }
    }

    private static bool IsHttpClientHeaderEvent(LogEvent logEvent) =>
        logEvent.Properties.ContainsKey(HeaderTextProperty) &&
        logEvent.Properties.TryGetValue("SourceContext", out var source) &&
        source is ScalarValue { Value: string category } &&
        category.StartsWith("System.Net.Http.HttpClient", StringComparison.Ordinal);

    /// <summary>"Request Headers:\nAuthorization: *\nContent-Type: *\n" as header name to shown value.</summary>
    private static Dictionary<string, string> HeaderValuesFromText(LogEvent logEvent)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (logEvent.Properties[HeaderTextProperty] is not ScalarValue { Value: string text })
        {
            return values;
        }
        foreach (var line in text.Split('\n').Skip(1))
        {
            var separator = line.IndexOf(": ", StringComparison.Ordinal);
            if (separator > 0)
            {
                values[line[..separator]] = line[(separator + 2)..].TrimEnd('\r');
            }
        }
        return values;
    }
}

/// <summary>
/// Masks secrets in what an enricher cannot reach, the message template's own text and the exception, before the
/// event reaches the console. Events with nothing to mask pass through untouched. Disposed with the logger, it
/// also ends the redactor's watch on the configuration.
/// </summary>
internal sealed class SecretRedactingSink(ILogEventSink inner, SecretRedactor redactor) : ILogEventSink, IDisposable
{
    private static readonly MessageTemplateParser TemplateParser = new();

    public void Emit(LogEvent logEvent)
    {
        var templateText = logEvent.MessageTemplate.Text;
        var redactedTemplate = redactor.Redact(templateText);
        var exception = logEvent.Exception;
        var redactedException = exception is null ? null : RedactedException.From(exception, redactor);
        if (ReferenceEquals(redactedTemplate, templateText) && ReferenceEquals(redactedException, exception))
        {
            inner.Emit(logEvent);
            return;
        }
        var template = ReferenceEquals(redactedTemplate, templateText) ? logEvent.MessageTemplate : TemplateParser.Parse(redactedTemplate);
        inner.Emit(new LogEvent(
            logEvent.Timestamp, logEvent.Level, redactedException, template,
            logEvent.Properties.Select(p => new LogEventProperty(p.Key, p.Value)), logEvent.TraceId ?? default, logEvent.SpanId ?? default));
    }

    public void Dispose()
    {
        (inner as IDisposable)?.Dispose();
        redactor.Dispose();
    }

    /// <summary>Stands in for an exception whose text held a secret: formatters write <see cref="ToString"/>, masked.</summary>
    private sealed class RedactedException : Exception
    {
        private readonly string _text;

        private RedactedException(string message, string text) : base(message) => _text = text;

        public static Exception From(Exception exception, SecretRedactor redactor)
        {
            var text = exception.ToString();
            var redacted = redactor.Redact(text);
            return ReferenceEquals(redacted, text) ? exception : new RedactedException(redactor.Redact(exception.Message), redacted);
        }

        public override string ToString() => _text;
    }
}
