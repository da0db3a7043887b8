using System.Globalization;

namespace OnCallBot.Bench.Load;

/// <summary>
/// A scenario's command line: positional numbers (<c>storm 200</c>, <c>rate 50 10</c>) and <c>--name value</c> or
/// <c>--flag</c> options. Anything not understood is an error that names it, so a typo never runs the wrong bench.
/// </summary>
internal sealed class BenchArguments
{
    private readonly List<string> _positional = [];
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public BenchArguments(IEnumerable<string> args)
    {
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var arg = list[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                _positional.Add(arg);
                continue;
            }
            var name = arg[2..];
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                _options[name[..equals]] = name[(equals + 1)..];
            }
            else if (i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal) && !IsFlag(name))
            {
                _options[name] = list[++i];
            }
            else
            {
                _options[name] = null;
            }
        }
    }

    // Options that take no value, so "--postgres 20" does not swallow the 20.
    private static bool IsFlag(string name) => name is "postgres";

    public int Positional(int index, string name, int defaultValue)
    {
        if (index >= _positional.Count)
        {
            return defaultValue;
        }
        return int.TryParse(_positional[index], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new BenchUsageException($"{name} must be a whole number above 0, not '{_positional[index]}'.");
    }

    public bool Flag(string name)
    {
        _read.Add(name);
        return _options.TryGetValue(name, out var value) && value is null or "true" or "on";
    }

    public int Number(string name, int defaultValue)
    {
        _read.Add(name);
        if (!_options.TryGetValue(name, out var text))
        {
            return defaultValue;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new BenchUsageException($"--{name} takes a whole number above 0, not '{text}'.");
    }

    /// <summary>A duration given in whole seconds.</summary>
    public TimeSpan Seconds(string name, TimeSpan defaultValue) => TimeSpan.FromSeconds(Number(name, (int)defaultValue.TotalSeconds));

    /// <summary>An option with a fixed set of values, e.g. <c>--channels on|off</c>.</summary>
    public string Choice(string name, string defaultValue, params string[] allowed)
    {
        _read.Add(name);
        if (!_options.TryGetValue(name, out var text))
        {
            return defaultValue;
        }
        return text is not null && allowed.Contains(text, StringComparer.Ordinal)
            ? text
            : throw new BenchUsageException($"--{name} takes {string.Join(" or ", allowed)}, not '{text}'.");
    }

    /// <summary>Fails on options no one asked for and on surplus positional values.</summary>
    public void EnsureAllUnderstood(int positionalCount)
    {
        if (_positional.Count > positionalCount)
        {
            throw new BenchUsageException($"Unexpected argument '{_positional[positionalCount]}'.");
        }
        if (_options.Keys.FirstOrDefault(k => !_read.Contains(k)) is { } unknown)
        {
            throw new BenchUsageException($"Unknown option --{unknown}.");
        }
    }
}

/// <summary>A command line the bench cannot run; the message says what to type instead.</summary>
internal sealed class BenchUsageException(string message) : Exception(message);
