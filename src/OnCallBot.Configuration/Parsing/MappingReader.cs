using YamlDotNet.RepresentationModel;

namespace OnCallBot.Configuration.Parsing;

/// <summary>A scalar value with the node it came from, so later checks can point at its line.</summary>
internal readonly record struct Text(string Value, YamlNode Node);

/// <summary>
/// The keys of one YAML mapping, split into the ones the format allows and the unknown ones. <see cref="What"/>
/// names the mapping in messages ("user 'alice'") and is refined once the mapping's id is known.
/// </summary>
internal sealed class MappingReader
{
    private readonly Dictionary<string, (YamlScalarNode Key, YamlNode Value)> _entries = new(StringComparer.Ordinal);
    private readonly List<YamlScalarNode> _unknown = [];

    public MappingReader(YamlMappingNode node, string what, IReadOnlyList<string> allowedKeys)
    {
        Node = node;
        What = what;
        AllowedKeys = allowedKeys;
    }

    public YamlMappingNode Node { get; }

    public string What { get; set; }

    public IReadOnlyList<string> AllowedKeys { get; }

    public IReadOnlyList<YamlScalarNode> UnknownKeys => _unknown;

    public void AddKnown(string key, YamlScalarNode keyNode, YamlNode value) => _entries[key] = (keyNode, value);

    public void AddUnknown(YamlScalarNode keyNode) => _unknown.Add(keyNode);

    /// <summary>The value under <paramref name="key"/>, or null when the key is absent or its value is YAML null.</summary>
    public YamlNode? Get(string key) =>
        _entries.TryGetValue(key, out var entry) && !YamlNodes.IsNull(entry.Value) ? entry.Value : null;
}

internal static class YamlNodes
{
    /// <summary>YAML's null: an empty plain value, <c>~</c> or <c>null</c> (an explicit <c>""</c> is an empty string instead).</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode scalar
        && (scalar.Tag == "tag:yaml.org,2002:null"
            || (scalar.Style is YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any
                && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL"));

    /// <summary>How a node reads in an error message: "a list", "a mapping", "text 'x'".</summary>
    public static string Describe(YamlNode node) => node switch
    {
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ when IsNull(node) => "empty",
        YamlScalarNode scalar => ValueText.Quoted(scalar.Value ?? string.Empty),
        _ => "something else",
    };
}
