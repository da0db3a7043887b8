namespace OnCallBot.Teams;

/// <summary>
/// Microsoft Teams (Bot Framework) settings, section <c>Teams</c>. Teams is on only when the bot's Azure app
/// id and secret are both set; the messaging endpoint is then <c>POST /api/messages</c>.
/// </summary>
public sealed class TeamsOptions
{
    public const string SectionName = "Teams";

    /// <summary>The bot's Microsoft App ID (the Azure Bot registration's client id).</summary>
    public string? AppId { get; set; }

    /// <summary>The bot's client secret. Never logged.</summary>
    public string? AppPassword { get; set; }

    /// <summary>The Entra tenant id for a single-tenant bot; empty for multi-tenant.</summary>
    public string? TenantId { get; set; }

    /// <summary>
    /// The Bot Framework's OpenID metadata, whose <c>jwks_uri</c> lists the keys that sign inbound requests. Default
    /// <see cref="DefaultOpenIdMetadataUrl"/>; HTTPS required except on a loopback address (tests serve their own).
    /// </summary>
    public Uri OpenIdMetadataUrl { get; set; } = new(DefaultOpenIdMetadataUrl);

    public const string DefaultOpenIdMetadataUrl = "https://login.botframework.com/v1/.well-known/openidconfiguration";

    public bool IsEnabled => !string.IsNullOrWhiteSpace(AppId) && !string.IsNullOrWhiteSpace(AppPassword);

    public override string ToString() =>
        $"Teams(AppId={AppId ?? "<unset>"}, AppPassword={(string.IsNullOrEmpty(AppPassword) ? "<unset>" : "<redacted>")}, TenantId={TenantId ?? "<unset>"})";

    // Outbound: the token endpoint and the Bot Connector client (Connector/).

    /// <summary>
    /// The Microsoft identity platform token endpoint the bot's client credentials go to. Default (null):
    /// <c>https://login.microsoftonline.com/{TenantId, or botframework.com when empty}/oauth2/v2.0/token</c>.
    /// </summary>
    public Uri? TokenEndpoint { get; set; }

    /// <summary>How many times a Bot Connector or token call answered with HTTP 429 or 5xx is tried again. Default 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first wait before retrying a 5xx (or a 429 without Retry-After); it doubles each time. Default 1 s.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait (Retry-After or backoff) the client accepts before failing the call instead. Default 30 s.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);
}
