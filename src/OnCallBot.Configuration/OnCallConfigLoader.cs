using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;
using OnCallBot.Configuration.Parsing;

namespace OnCallBot.Configuration;

/// <summary>
/// Loads the on-call config file (YAML, see <c>manifests/oncall.example.yaml</c>) into a validated
/// <see cref="Core.Model.OnCallModel"/>. The whole file is validated and every problem is reported with its line
/// and column; a file with any error yields no model. Before parsing, a file is refused when it is larger than the
/// limit (<see cref="OnCallOptions.MaxConfigBytes"/>) or is not valid UTF-8; while parsing, when it nests deeper than
/// 64 levels or its aliases stand for too much (see <see cref="Parsing.LimitedParser"/>).
/// </summary>
public static class OnCallConfigLoader
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// Reads and validates the file at <paramref name="path"/> (relative paths resolve against the working directory),
    /// refusing a file larger than <see cref="OnCallOptions.DefaultMaxConfigBytes"/>.
    /// </summary>
    public static ConfigLoadResult Load(string path) => Load(path, OnCallOptions.DefaultMaxConfigBytes);

    /// <summary>
    /// Reads and validates the file at <paramref name="path"/>. A file larger than <paramref name="maxBytes"/> is
    /// refused before it is read, and one that is not valid UTF-8 before it is parsed, each with an error saying so.
    /// </summary>
    public static ConfigLoadResult Load(string path, long maxBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        var fullPath = Path.GetFullPath(path);
        try
        {
            using var file = OpenBounded(fullPath, maxBytes, out var tooLarge);
            if (tooLarge is not null)
            {
                return ConfigLoadResult.Failure(fullPath, [tooLarge], null, string.Empty);
            }
            var bytes = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = file!.Read(buffer)) > 0)
            {
                if (Append(bytes, buffer, read, maxBytes, fullPath) is { } grown)
                {
                    return ConfigLoadResult.Failure(fullPath, [grown], null, string.Empty);
                }
            }
            return Decode(bytes, fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ConfigLoadResult.Failure(fullPath, [ReadError(fullPath, ex)], null, string.Empty);
        }
    }

    /// <summary>As <see cref="Load(string)"/>, reading asynchronously.</summary>
    public static Task<ConfigLoadResult> LoadAsync(string path, CancellationToken cancellationToken) =>
        LoadAsync(path, OnCallOptions.DefaultMaxConfigBytes, cancellationToken);

    /// <summary>As <see cref="Load(string, long)"/>, reading asynchronously.</summary>
    public static async Task<ConfigLoadResult> LoadAsync(string path, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        var fullPath = Path.GetFullPath(path);
        try
        {
            await using var file = OpenBounded(fullPath, maxBytes, out var tooLarge);
            if (tooLarge is not null)
            {
                return ConfigLoadResult.Failure(fullPath, [tooLarge], null, string.Empty);
            }
            var bytes = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = await file!.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (Append(bytes, buffer, read, maxBytes, fullPath) is { } grown)
                {
                    return ConfigLoadResult.Failure(fullPath, [grown], null, string.Empty);
                }
            }
            return Decode(bytes, fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ConfigLoadResult.Failure(fullPath, [ReadError(fullPath, ex)], null, string.Empty);
        }
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

    /// <summary>Opens the file, or says it is too large without reading it (from its length on disk).</summary>
    private static FileStream? OpenBounded(string fullPath, long maxBytes, out ConfigError? tooLarge)
    {
        var file = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        tooLarge = null;
        if (file.CanSeek && file.Length > maxBytes)
        {
            tooLarge = TooLarge(fullPath, file.Length, maxBytes);
            file.Dispose();
            return null;
        }
        return file;
    }

    /// <summary>Keeps what was read; a file that grew past the limit while being read (or has no length, like a pipe) is refused too.</summary>
    private static ConfigError? Append(MemoryStream bytes, byte[] buffer, int read, long maxBytes, string fullPath)
    {
        if (bytes.Length + read > maxBytes)
        {
            return TooLarge(fullPath, null, maxBytes);
        }
        bytes.Write(buffer, 0, read);
        return null;
    }

    private static ConfigError TooLarge(string fullPath, long? size, long maxBytes)
    {
        var actual = size is { } n ? $"is {Bytes(n)}" : "is larger than that";
        return new ConfigError(fullPath, 0, 0,
            $"the file {actual}, more than the limit of {Bytes(maxBytes)} (OnCall:MaxConfigBytes); an on-call config is far smaller: check that this is the right file, or raise OnCall:MaxConfigBytes");
    }

    private static string Bytes(long n) => $"{n.ToString("N0", CultureInfo.InvariantCulture)} bytes";

    /// <summary>
    /// Decodes the file as UTF-8, strictly: an invalid byte is an error at its line and column, never a silent
    /// U+FFFD that would end up in a name or an id. A UTF-8 byte order mark is skipped, as editors write one.
    /// </summary>
    private static ConfigLoadResult Decode(MemoryStream stream, string fullPath)
    {
        ReadOnlySpan<byte> bytes = stream.GetBuffer().AsSpan(0, checked((int)stream.Length));
        var offset = bytes.StartsWith(Utf8Bom) ? Utf8Bom.Length : 0;
        bytes = bytes[offset..];
        var chars = new char[bytes.Length];
        var status = Utf8.ToUtf16(bytes, chars, out var bytesRead, out var charsWritten, replaceInvalidSequences: false);
        if (status == OperationStatus.Done)
        {
            return Parse(new string(chars, 0, charsWritten), fullPath);
        }
        var (line, column) = PositionAfter(chars.AsSpan(0, charsWritten));
        var bad = bytes[bytesRead..];
        var shown = string.Join(' ', bad[..Math.Min(bad.Length, 4)].ToArray().Select(b => $"0x{b:X2}"));
        var hint = offset == 0 && bytesRead == 0 && bad.Length >= 2 && (bad[0], bad[1]) is (0xFF, 0xFE) or (0xFE, 0xFF)
            ? "the file looks like UTF-16 (it starts with a UTF-16 byte order mark): save it as UTF-8"
            : "save the file as UTF-8";
        var error = new ConfigError(fullPath, line, column,
            $"invalid UTF-8: the bytes {shown} at byte offset {(offset + bytesRead).ToString(CultureInfo.InvariantCulture)} are not a UTF-8 character; {hint}");
        return ConfigLoadResult.Failure(fullPath, [error], null, string.Empty);
    }

    /// <summary>The 1-based line and column just after <paramref name="text"/>, counting line breaks as YAML does.</summary>
    private static (int Line, int Column) PositionAfter(ReadOnlySpan<char> text)
    {
        var line = 1;
        var column = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                continue;
            }
            if (c is '\n' or '\r' or '\u0085' or '\u2028' or '\u2029')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }
        return (line, column);
    }

    private static ConfigError ReadError(string fullPath, Exception ex) => ex switch
    {
        FileNotFoundException or DirectoryNotFoundException =>
            new ConfigError(fullPath, 0, 0, $"on-call config file not found: {fullPath} (set OnCall:ConfigPath)"),
        _ => new ConfigError(fullPath, 0, 0, $"cannot read the on-call config file {fullPath}: {ex.Message}"),
    };
}
