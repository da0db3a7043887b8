using System.Security.Cryptography;
using System.Text;
using OnCallBot.Configuration.Parsing;

namespace OnCallBot.Configuration;

/// <summary>
/// Loads the on-call config file (YAML, see <c>manifests/oncall.example.yaml</c>) into a validated
/// <see cref="Core.Model.OnCallModel"/>. The whole file is validated and every problem is reported with its line
/// and column; a file with any error yields no model.
/// </summary>
public static class OnCallConfigLoader
{
    /// <summary>Reads and validates the file at <paramref name="path"/> (relative paths resolve against the working directory).</summary>
    public static ConfigLoadResult Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        return ReadText(fullPath, out var text) is { } error
            ? ConfigLoadResult.Failure(fullPath, [error], null, string.Empty)
            : Parse(text!, fullPath);
    }

    /// <inheritdoc cref="Load"/>
    public static async Task<ConfigLoadResult> LoadAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        string text;
        try
        {
            text = await File.ReadAllTextAsync(fullPath, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ConfigLoadResult.Failure(fullPath, [ReadError(fullPath, ex)], null, string.Empty);
        }
        return Parse(text, fullPath);
    }

    /// <summary>Validates <paramref name="yamlText"/>; errors name <paramref name="fileNameForErrors"/>.</summary>
    public static ConfigLoadResult Parse(string yamlText, string fileNameForErrors)
    {
        ArgumentNullException.ThrowIfNull(yamlText);
        ArgumentNullException.ThrowIfNull(fileNameForErrors);
        var sha256 = Sha256Of(yamlText);
        var (model, errors) = ConfigParser.Parse(yamlText, fileNameForErrors);
        return model is not null
            ? ConfigLoadResult.Success(fileNameForErrors, model, yamlText, sha256)
            : ConfigLoadResult.Failure(fileNameForErrors, errors, yamlText, sha256);
    }

    /// <summary>Lowercase hex SHA-256 of the text as UTF-8: the version stamp of a config.</summary>
    public static string Sha256Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static ConfigError? ReadText(string fullPath, out string? text)
    {
        text = null;
        try
        {
            text = File.ReadAllText(fullPath);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ReadError(fullPath, ex);
        }
    }

    private static ConfigError ReadError(string fullPath, Exception ex) => ex switch
    {
        FileNotFoundException or DirectoryNotFoundException =>
            new ConfigError(fullPath, 0, 0, $"on-call config file not found: {fullPath} (set OnCall:ConfigPath)"),
        _ => new ConfigError(fullPath, 0, 0, $"cannot read the on-call config file {fullPath}: {ex.Message}"),
    };
}
