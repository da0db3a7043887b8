namespace OnCallBot.Configuration;

/// <summary>
/// The bot cannot start because no valid on-call config is available: the file is invalid (or missing) and no
/// last good config is stored. The message lists every error as <c>path:line:column: message</c>.
/// </summary>
public sealed class OnCallConfigException : Exception
{
    public OnCallConfigException(string message, IReadOnlyList<ConfigError> errors, Exception? innerException = null)
        : base(message, innerException) => Errors = errors;

    public OnCallConfigException()
        : this("The on-call config is invalid.", [])
    {
    }

    public OnCallConfigException(string message)
        : this(message, [])
    {
    }

    public OnCallConfigException(string message, Exception innerException)
        : this(message, [], innerException)
    {
    }

    /// <summary>The errors that made the config unusable.</summary>
    public IReadOnlyList<ConfigError> Errors { get; }
}
