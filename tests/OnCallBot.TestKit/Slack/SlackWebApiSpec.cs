using System.Text.Json;

namespace OnCallBot.TestKit.Slack;

/// <summary>
/// What Slack's Web API accepts, from ../shared/fixtures: the 2021 OpenAPI spec, plus the current method docs
/// for methods the spec lacks (and for arguments added since). Argument names are the union of both; an
/// argument is required when either says so.
/// </summary>
public sealed class SlackWebApiSpec
{
    private readonly Dictionary<string, (HashSet<string> Known, HashSet<string> Required)> _methods;

    private SlackWebApiSpec(Dictionary<string, (HashSet<string>, HashSet<string>)> methods) => _methods = methods;

    /// <summary>The spec from the shared fixtures, or null when they are absent.</summary>
    public static SlackWebApiSpec? TryLoad()
    {
        if (SharedFixtures.Directory is null)
        {
            return null;
        }
        var methods = new Dictionary<string, (HashSet<string> Known, HashSet<string> Required)>(StringComparer.Ordinal);
        using (var spec = JsonDocument.Parse(SharedFixtures.ReadText("slack/spec/slack_web_openapi_v2.json")))
        {
            foreach (var path in spec.RootElement.GetProperty("paths").EnumerateObject())
            {
                var entry = (Known: new HashSet<string>(StringComparer.Ordinal), Required: new HashSet<string>(StringComparer.Ordinal));
                foreach (var operation in path.Value.EnumerateObject())
                {
                    if (!operation.Value.TryGetProperty("parameters", out var parameters))
                    {
                        continue;
                    }
                    foreach (var parameter in parameters.EnumerateArray())
                    {
                        var name = parameter.GetProperty("name").GetString()!;
                        // The token travels in the Authorization header, which the fake checks separately.
                        if (name == "token")
                        {
                            continue;
                        }
                        entry.Known.Add(name);
                        if (parameter.TryGetProperty("required", out var required) && required.GetBoolean())
                        {
                            entry.Required.Add(name);
                        }
                    }
                }
                methods[path.Name.TrimStart('/')] = entry;
            }
        }
        foreach (var file in Directory.EnumerateFiles(SharedFixtures.PathOf("slack/method_docs"), "*.json"))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            var name = doc.RootElement.GetProperty("name").GetString()!;
            if (!methods.TryGetValue(name, out var entry))
            {
                entry = (new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));
                methods[name] = entry;
            }
            foreach (var arg in doc.RootElement.GetProperty("args").EnumerateObject())
            {
                entry.Known.Add(arg.Name);
                if (arg.Value.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.True)
                {
                    entry.Required.Add(arg.Name);
                }
            }
        }
        return new SlackWebApiSpec(methods);
    }

    public bool HasMethod(string method) => _methods.ContainsKey(method);

    /// <summary>Every way a call breaks the spec; empty when it conforms.</summary>
    public IReadOnlyList<string> Check(string method, IEnumerable<string> argumentNames)
    {
        if (!_methods.TryGetValue(method, out var entry))
        {
            return [$"{method}: no such method in the Slack spec or method docs"];
        }
        var names = argumentNames.ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        problems.AddRange(names.Where(n => n != "token" && !entry.Known.Contains(n)).Select(n => $"{method}: unknown argument '{n}'"));
        problems.AddRange(entry.Required.Where(r => !names.Contains(r)).Select(r => $"{method}: required argument '{r}' missing"));
        return problems;
    }
}
