using System.Text.Json;
using System.Text.RegularExpressions;

namespace OnCallBot.TestKit;

/// <summary>
/// A JSON Schema (draft-06 and draft-07) checker for the keywords the Slack manifest and Adaptive Card schemas use:
/// type, enum, const, properties, required, additionalProperties, patternProperties, min/maxProperties, items,
/// min/maxItems, uniqueItems, min/maxLength, pattern, allOf, anyOf, oneOf, not and $ref (local, or to a schema
/// registered by its URL); "format" is not checked. No
/// validator package is available here; this one is small enough to read, and its own tests prove it refuses.
/// </summary>
public sealed class JsonSchemaValidator
{
    private readonly Dictionary<string, JsonElement> _documents = new(StringComparer.Ordinal);

    public JsonSchemaValidator Register(string url, JsonElement schema)
    {
        _documents[url] = schema;
        return this;
    }

    /// <summary>Every way <paramref name="instance"/> breaks <paramref name="schema"/>, as "path: problem"; empty when it conforms.</summary>
    public IReadOnlyList<string> Validate(JsonElement schema, JsonElement instance)
    {
        var errors = new List<string>();
        Check(schema, schema, instance, "$", errors);
        return errors;
    }

    private void Check(JsonElement root, JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        if (schema.ValueKind == JsonValueKind.True)
        {
            return;
        }
        if (schema.ValueKind == JsonValueKind.False)
        {
            errors.Add($"{path}: no value is allowed here");
            return;
        }
        if (schema.TryGetProperty("$ref", out var reference))
        {
            var (refRoot, target) = Resolve(root, reference.GetString()!);
            Check(refRoot, target, value, path, errors);
        }
        if (schema.TryGetProperty("type", out var type) && !TypeMatches(type, value))
        {
            errors.Add($"{path}: expected {type.GetRawText()}, found {value.ValueKind}");
            return;
        }
        if (schema.TryGetProperty("enum", out var options) && !options.EnumerateArray().Any(o => JsonElement.DeepEquals(o, value)))
        {
            errors.Add($"{path}: {value.GetRawText()} is not one of {options.GetRawText()}");
        }
        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(constant, value))
        {
            errors.Add($"{path}: must be {constant.GetRawText()}");
        }
        foreach (var keyword in new[] { "allOf", "anyOf", "oneOf" })
        {
            if (!schema.TryGetProperty(keyword, out var branches))
            {
                continue;
            }
            var results = branches.EnumerateArray().Select(b =>
            {
                var branchErrors = new List<string>();
                Check(root, b, value, path, branchErrors);
                return branchErrors;
            }).ToList();
            var passing = results.Count(r => r.Count == 0);
            if (keyword == "allOf")
            {
                errors.AddRange(results.SelectMany(r => r));
            }
            else if (keyword == "anyOf" ? passing == 0 : passing != 1)
            {
                errors.Add($"{path}: {keyword} matched {passing} branch(es) [{string.Join(" | ", results.Select(r => string.Join("; ", r.Take(3))))}]");
            }
        }
        if (schema.TryGetProperty("not", out var not))
        {
            var notErrors = new List<string>();
            Check(root, not, value, path, notErrors);
            if (notErrors.Count == 0)
            {
                errors.Add($"{path}: matches a schema it must not match");
            }
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                CheckObject(root, schema, value, path, errors);
                break;
            case JsonValueKind.Array:
                CheckArray(root, schema, value, path, errors);
                break;
            case JsonValueKind.String:
                var text = value.GetString()!;
                var length = text.EnumerateRunes().Count();
                if (schema.TryGetProperty("minLength", out var minLength) && length < minLength.GetInt32())
                {
                    errors.Add($"{path}: shorter than {minLength.GetInt32()}");
                }
                if (schema.TryGetProperty("maxLength", out var maxLength) && length > maxLength.GetInt32())
                {
                    errors.Add($"{path}: longer than {maxLength.GetInt32()}");
                }
                if (schema.TryGetProperty("pattern", out var pattern) && !Regex.IsMatch(text, pattern.GetString()!))
                {
                    errors.Add($"{path}: does not match {pattern.GetString()}");
                }
                break;
        }
    }

    private void CheckObject(JsonElement root, JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        var names = value.EnumerateObject().Select(p => p.Name).ToList();
        if (schema.TryGetProperty("required", out var required))
        {
            errors.AddRange(required.EnumerateArray().Select(r => r.GetString()!).Where(r => !names.Contains(r)).Select(r => $"{path}: '{r}' is required"));
        }
        if (schema.TryGetProperty("minProperties", out var min) && names.Count < min.GetInt32())
        {
            errors.Add($"{path}: fewer than {min.GetInt32()} properties");
        }
        if (schema.TryGetProperty("maxProperties", out var max) && names.Count > max.GetInt32())
        {
            errors.Add($"{path}: more than {max.GetInt32()} properties");
        }
        var hasProperties = schema.TryGetProperty("properties", out var properties);
        var hasPatterns = schema.TryGetProperty("patternProperties", out var patterns);
        foreach (var property in value.EnumerateObject())
        {
            var childPath = $"{path}.{property.Name}";
            var matched = false;
            if (hasProperties && properties.TryGetProperty(property.Name, out var propertySchema))
            {
                matched = true;
                Check(root, propertySchema, property.Value, childPath, errors);
            }
            if (hasPatterns)
            {
                foreach (var pattern in patterns.EnumerateObject().Where(p => Regex.IsMatch(property.Name, p.Name)))
                {
                    matched = true;
                    Check(root, pattern.Value, property.Value, childPath, errors);
                }
            }
            if (!matched && schema.TryGetProperty("additionalProperties", out var additional))
            {
                if (additional.ValueKind == JsonValueKind.False)
                {
                    errors.Add($"{childPath}: not allowed here");
                }
                else
                {
                    Check(root, additional, property.Value, childPath, errors);
                }
            }
        }
    }

    private void CheckArray(JsonElement root, JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        var items = value.EnumerateArray().ToList();
        if (schema.TryGetProperty("minItems", out var min) && items.Count < min.GetInt32())
        {
            errors.Add($"{path}: fewer than {min.GetInt32()} items");
        }
        if (schema.TryGetProperty("maxItems", out var max) && items.Count > max.GetInt32())
        {
            errors.Add($"{path}: more than {max.GetInt32()} items");
        }
        if (schema.TryGetProperty("uniqueItems", out var unique) && unique.GetBoolean()
            && items.Select(i => i.GetRawText()).Distinct(StringComparer.Ordinal).Count() != items.Count)
        {
            errors.Add($"{path}: items are not unique");
        }
        if (schema.TryGetProperty("items", out var itemSchema) && itemSchema.ValueKind is JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False)
        {
            for (var i = 0; i < items.Count; i++)
            {
                Check(root, itemSchema, items[i], $"{path}[{i}]", errors);
            }
        }
    }

    private (JsonElement Root, JsonElement Schema) Resolve(JsonElement root, string reference)
    {
        var hash = reference.IndexOf('#', StringComparison.Ordinal);
        var url = hash >= 0 ? reference[..hash] : reference;
        var pointer = hash >= 0 ? reference[(hash + 1)..] : string.Empty;
        var document = url.Length == 0
            ? root
            : _documents.TryGetValue(url, out var registered) ? registered : throw new InvalidOperationException($"Schema {url} is not registered.");
        var target = document;
        foreach (var token in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            target = target.GetProperty(token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        }
        return (document, target);
    }

    private static bool TypeMatches(JsonElement type, JsonElement value) =>
        type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Any(t => TypeMatches(t, value))
            : type.GetString() switch
            {
                "object" => value.ValueKind == JsonValueKind.Object,
                "array" => value.ValueKind == JsonValueKind.Array,
                "string" => value.ValueKind == JsonValueKind.String,
                "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
                "null" => value.ValueKind == JsonValueKind.Null,
                "number" => value.ValueKind == JsonValueKind.Number,
                "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
                _ => true,
            };
}
