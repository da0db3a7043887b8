using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OnCallBot.Configuration.Parsing;

/// <summary>Collects every problem in one file, so a user fixes them all in one pass instead of one per reload.</summary>
internal sealed class ErrorSink(string file)
{
    private readonly List<ConfigError> _errors = [];

    public string File { get; } = file;

    public int Count => _errors.Count;

    public void Add(YamlNode node, string message) => Add(node.Start, message);

    public void Add(Mark mark, string message) =>
        _errors.Add(new ConfigError(File, checked((int)mark.Line), checked((int)mark.Column), message));

    public void AddForFile(string message) => _errors.Add(new ConfigError(File, 0, 0, message));

    /// <summary>The errors in reading order: by line, then column, then the order they were found.</summary>
    public IReadOnlyList<ConfigError> ToSortedList() =>
        _errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList();
}
