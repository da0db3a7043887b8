namespace OnCallBot.Slack;

/// <summary>
/// Settings of the Slack transport, bound from the <c>Slack</c> configuration section by
/// <see cref="SlackServiceCollectionExtensions.AddSlack"/>.
/// </summary>
/// <remarks>
/// Slack is on when <see cref="BotToken"/> is set and so is <see cref="SigningSecret"/> (HTTP request URLs)
/// or <see cref="AppToken"/> (Socket Mode). <see cref="ToString"/> never prints a secret.
/// </remarks>
public sealed class SlackOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Slack";

    /// <summary>The bot user OAuth token (<c>xoxb-...</c>) used for every Web API call but <c>apps.connections.open</c>.</summary>
    public string? BotToken { get; set; }

    /// <summary>The app's signing secret; every HTTP request from Slack is verified with it (closed when unset).</summary>
    public string? SigningSecret { get; set; }

    /// <summary>The app-level token (<c>xapp-...</c>, scope <c>connections:write</c>); when set, Socket Mode runs.</summary>
    public string? AppToken { get; set; }

    /// <summary>The Web API base address. Default <c>https://slack.com/api/</c>; tests point it at a loopback fake.</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://slack.com/api/");

    /// <summary>The largest request body the HTTP endpoints read, in bytes (default 1 MiB); larger bodies get 413.</summary>
    public int MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How long an Events API <c>event_id</c> is remembered, in the store, to drop Slack's redeliveries (default 1
    /// hour; never less than the 11 minutes commands and interactions are remembered for).
    /// </summary>
    public TimeSpan EventDeduplicationWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many times a Web API call answered with HTTP 429 is retried after <c>Retry-After</c> (default 3).</summary>
    public int MaxRateLimitRetries { get; set; } = 3;

    /// <summary>The longest <c>Retry-After</c> the client waits for; a longer one fails the call at once (default 2 minutes).</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>True when a bot token and a way to receive requests (signing secret or app token) are configured.</summary>
    public bool IsEnabled =>
        !string.IsNullOrWhiteSpace(BotToken) && (!string.IsNullOrWhiteSpace(SigningSecret) || !string.IsNullOrWhiteSpace(AppToken));

    /// <summary>True when Slack is on and an app token is set, so the Socket Mode client connects.</summary>
    public bool IsSocketModeEnabled => IsEnabled && !string.IsNullOrWhiteSpace(AppToken);

    /// <summary>A description with every secret redacted, safe for logs.</summary>
    public override string ToString() =>
        $"SlackOptions {{ BotToken = {Redact(BotToken)}, SigningSecret = {Redact(SigningSecret)}, AppToken = {Redact(AppToken)}, " +
        $"ApiBaseUrl = {ApiBaseUrl}, MaxRequestBodyBytes = {MaxRequestBodyBytes} }}";

    private static string Redact(string? secret) => string.IsNullOrWhiteSpace(secret) ? "(not set)" : "(set, redacted)";
}
