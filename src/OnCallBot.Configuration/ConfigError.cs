namespace OnCallBot.Configuration;

/// <summary>
/// One problem found in an on-call config file. <see cref="Line"/> and <see cref="Column"/> are 1-based;
/// both are 0 when the problem concerns the file as a whole (e.g. it cannot be read).
/// </summary>
public sealed record ConfigError(string File, int Line, int Column, string Message)
{
    /// <summary>The compiler-style form <c>path:line:column: message</c> that editors and terminals link to.</summary>
    public override string ToString() =>
        Line > 0 ? $"{File}:{Line}:{Column}: {Message}" : $"{File}: {Message}";
}
