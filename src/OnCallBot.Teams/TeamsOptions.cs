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
}
