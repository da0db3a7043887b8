using System.Diagnostics.CodeAnalysis;
using OnCallBot.Core.Model;

namespace OnCallBot.Configuration;

/// <summary>
/// The outcome of loading an on-call config: either a whole, validated <see cref="Model"/> and no errors,
/// or no model and at least one error. A partially valid file never yields a model.
/// </summary>
public sealed class ConfigLoadResult
{
    private ConfigLoadResult(string source, OnCallModel? model, IReadOnlyList<ConfigError> errors, string? content, string sha256)
    {
        Source = source;
        Model = model;
        Errors = errors;
        Content = content;
        Sha256 = sha256;
    }

    /// <summary>The file name used in errors (the absolute path when loaded from disk).</summary>
    public string Source { get; }

    /// <summary>The validated model, or null when <see cref="Errors"/> is not empty.</summary>
    public OnCallModel? Model { get; }

    /// <summary>Every problem found, ordered by line; empty exactly when <see cref="Model"/> is set.</summary>
    public IReadOnlyList<ConfigError> Errors { get; }

    /// <summary>The text that was parsed, or null when the file could not be read.</summary>
    public string? Content { get; }

    /// <summary>Lowercase hex SHA-256 of <see cref="Content"/> as UTF-8; empty when the file could not be read.</summary>
    public string Sha256 { get; }

    [MemberNotNullWhen(true, nameof(Model))]
    public bool IsValid => Model is not null;

    internal static ConfigLoadResult Success(string source, OnCallModel model, string content, string sha256) =>
        new(source, model, [], content, sha256);

    internal static ConfigLoadResult Failure(string source, IReadOnlyList<ConfigError> errors, string? content, string sha256)
    {
        if (errors.Count == 0)
        {
            throw new ArgumentException("A failed load carries at least one error.", nameof(errors));
        }
        return new(source, null, errors, content, sha256);
    }

    /// <summary>All errors, one per line, in <c>path:line:column: message</c> form.</summary>
    public string FormatErrors() => string.Join(Environment.NewLine, Errors);
}
