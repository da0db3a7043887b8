using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OnCallBot.Core.Ports;

namespace OnCallBot.Configuration.Tests;

/// <summary>Builds YAML from lines, so line N of the text is the N-th argument.</summary>
internal static class Yaml
{
    public static string Lines(params string[] lines) => string.Join("\n", lines) + "\n";
}

/// <summary>A real in-memory snapshot store with the port's documented behaviour (same hash as latest = no-op).</summary>
internal sealed class InMemorySnapshotStore : IConfigSnapshotStore
{
    private readonly List<ConfigSnapshot> _saved = [];

    public IReadOnlyList<ConfigSnapshot> Saved
    {
        get
        {
            lock (_saved)
            {
                return _saved.ToList();
            }
        }
    }

    public Exception? FailSavesWith { get; set; }

    public Exception? FailReadsWith { get; set; }

    public Task<ConfigSnapshot?> GetLatestAsync(CancellationToken cancellationToken)
    {
        if (FailReadsWith is not null)
        {
            return Task.FromException<ConfigSnapshot?>(FailReadsWith);
        }
        lock (_saved)
        {
            return Task.FromResult(_saved.LastOrDefault());
        }
    }

    public Task SaveAsync(ConfigSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (FailSavesWith is not null)
        {
            return Task.FromException(FailSavesWith);
        }
        lock (_saved)
        {
            if (_saved.LastOrDefault()?.Sha256 != snapshot.Sha256)
            {
                _saved.Add(snapshot);
            }
        }
        return Task.CompletedTask;
    }
}

/// <summary>A temporary directory deleted with the test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "oncallbot-config-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}

internal sealed record LogEntry(LogLevel Level, EventId EventId, string Message);

/// <summary>Captures log lines so tests can assert what an operator would read.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => _entries.ToList();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue(new LogEntry(logLevel, eventId, formatter(state, exception)));
}
