using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace OnCallBot.Configuration.Parsing;

/// <summary>
/// Passes YamlDotNet's parsing events through, refusing a document that nests too deep or whose aliases stand
/// for too much. The checks run on the flat event stream, before YamlDotNet's document model sees an event:
/// that model is built recursively (a chain of stack frames per level of nesting) and hashes mapping keys
/// recursively through aliases, so an unchecked file can overflow the stack, which kills the process and no
/// catch can stop, or make it expand a few kilobytes of aliases into gigabytes.
/// </summary>
internal sealed class LimitedParser(IParser inner) : IParser
{
    /// <summary>
    /// The deepest nesting of lists and mappings accepted. The on-call format itself needs 8 (top level,
    /// schedules, schedule, layers, layer, restrictions, restriction, days); 64 leaves room for any layout
    /// while staying far from the depth at which the recursive document model overflows the stack.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>How many aliases (<c>*name</c>) a file may use: plenty for sharing a few lists by hand.</summary>
    public const int MaxAliases = 1_000;

    /// <summary>
    /// How many nodes all aliases together may stand for, counted as if each were written out in full (an alias
    /// of a list that itself holds aliases counts all of them). Bounds the "billion laughs" blow-up: a few
    /// lines of aliases of aliases would otherwise multiply into billions of nodes.
    /// </summary>
    public const long MaxAliasNodes = 100_000;

    private readonly Stack<Frame> _open = new();
    private readonly Dictionary<AnchorName, Definition> _anchors = [];
    private long _nodes;
    private long _aliasNodes;
    private int _aliases;

    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        if (!inner.MoveNext())
        {
            return false;
        }
        switch (inner.Current)
        {
            case NodeEvent { } start when start is SequenceStart or MappingStart:
                if (_open.Count >= MaxDepth)
                {
                    throw new YamlLimitException(start.Start,
                        $"nested too deep: lists and mappings inside each other more than {MaxDepth} levels deep (an on-call config needs 8); look for a run of '[' or '{{' or for indentation that keeps growing");
                }
                var definition = Define(start.Anchor, open: true);
                _open.Push(new Frame(definition, _nodes));
                _nodes++;
                break;
            case SequenceEnd or MappingEnd:
                var frame = _open.Pop();
                if (frame.Definition is { } defined)
                {
                    defined.Size = _nodes - frame.NodesBefore;
                    defined.IsOpen = false;
                }
                break;
            case Scalar scalar:
                _nodes++;
                Define(scalar.Anchor, open: false);
                break;
            case AnchorAlias alias:
                CountAlias(alias);
                break;
        }
        return true;
    }

    private Definition? Define(AnchorName anchor, bool open)
    {
        if (anchor.IsEmpty)
        {
            return null;
        }
        // A later anchor of the same name replaces the earlier one for the aliases after it, as in YAML.
        var definition = new Definition { Size = 1, IsOpen = open };
        _anchors[anchor] = definition;
        return definition;
    }

    private void CountAlias(AnchorAlias alias)
    {
        var name = alias.Value.IsEmpty ? "" : alias.Value.Value;
        if (++_aliases > MaxAliases)
        {
            throw new YamlLimitException(alias.Start,
                $"too many YAML aliases: {ValueText.Quoted("*" + name)} is alias number {Count(_aliases)} and at most {Count(MaxAliases)} are allowed; write the values out instead");
        }
        if (!_anchors.TryGetValue(alias.Value, out var definition))
        {
            // An unknown anchor: YamlDotNet reports it, at this position, once this event reaches it.
            return;
        }
        if (definition.IsOpen)
        {
            throw new YamlLimitException(alias.Start,
                $"alias {ValueText.Quoted("*" + name)} is inside the list or mapping it refers to, so it would contain itself forever: refer to something defined before and outside it");
        }
        _aliasNodes += definition.Size;
        _nodes += definition.Size;
        if (_aliasNodes > MaxAliasNodes)
        {
            throw new YamlLimitException(alias.Start,
                $"YAML aliases stand for too much: with {ValueText.Quoted("*" + name)} the aliases so far stand for {Count(_aliasNodes)} values, lists and mappings written out, and at most {Count(MaxAliasNodes)} are allowed (an alias of a list of aliases multiplies them); write the lists out instead");
        }
    }

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>What an anchor stands for: how many nodes, and whether it is still being read (an alias to it now would be a cycle).</summary>
    private sealed class Definition
    {
        public long Size { get; set; }

        public bool IsOpen { get; set; }
    }

    private readonly record struct Frame(Definition? Definition, long NodesBefore);
}

/// <summary>A file refused by one of <see cref="LimitedParser"/>'s limits, at the position where it was crossed.</summary>
internal sealed class YamlLimitException : Exception
{
    public YamlLimitException(Mark start, string message)
        : base(message) => Start = start;

    public YamlLimitException()
    {
    }

    public YamlLimitException(string message)
        : base(message)
    {
    }

    public YamlLimitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public Mark Start { get; } = Mark.Empty;
}
