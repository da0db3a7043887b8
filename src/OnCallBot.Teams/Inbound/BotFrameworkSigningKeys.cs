using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace OnCallBot.Teams.Inbound;

/// <summary>
/// The Bot Framework's OpenID metadata and signing keys (JWKS, with each key's <c>endorsements</c>), fetched from
/// <c>Teams:OpenIdMetadataUrl</c> by IdentityModel's <see cref="ConfigurationManager{T}"/> and cached: refreshed every
/// 12 hours (plus up to 5% jitter, so always within a day, as the Bot Framework asks) and on request when a token names
/// a key the cache does not have, at most once per 5 minutes so that tokens with made-up key ids cannot make the bot
/// hammer the metadata endpoint.
/// </summary>
internal sealed class BotFrameworkSigningKeys
{
    /// <summary>The named <see cref="HttpClient"/> for the metadata and key downloads.</summary>
    public const string HttpClientName = "OnCallBot.Teams.OpenIdMetadata";

    /// <summary>IdentityModel's switch that makes a requested refresh happen on the next read instead of in the background.</summary>
    internal const string BlockingRefreshSwitch = "Switch.Microsoft.IdentityModel.UpdateConfigAsBlocking";

    public static readonly TimeSpan AutomaticRefreshInterval = TimeSpan.FromHours(12);
    public static readonly TimeSpan MinimumRefreshRequestInterval = TimeSpan.FromMinutes(5);

    private readonly ConfigurationManager<OpenIdConnectConfiguration> _manager;

    static BotFrameworkSigningKeys()
    {
        // By default IdentityModel 8 refreshes in the background after RequestRefresh and answers the next read from the
        // old keys, so the one retry after an unknown kid would still fail while the rotated key is on its way. Blocking
        // refresh makes that retry see the fresh key set. IdentityModel reads the switch once, on first use; nothing
        // else in this process uses its configuration managers.
        AppContext.SetSwitch(BlockingRefreshSwitch, true);
    }

    public BotFrameworkSigningKeys(IOptions<TeamsOptions> options, IHttpClientFactory httpClients)
    {
        MetadataUrl = options.Value.OpenIdMetadataUrl;
        _manager = new ConfigurationManager<OpenIdConnectConfiguration>(
            MetadataUrl.AbsoluteUri, new OpenIdConnectConfigurationRetriever(), new MetadataDocumentRetriever(httpClients))
        {
            AutomaticRefreshInterval = AutomaticRefreshInterval,
            RefreshInterval = MinimumRefreshRequestInterval,
        };
    }

    public Uri MetadataUrl { get; }

    /// <summary>For tests: the refresh settings actually in force.</summary>
    internal ConfigurationManager<OpenIdConnectConfiguration> Manager => _manager;

    /// <summary>The cached metadata and keys; fetched on first use and when stale. Throws when they were never fetched.</summary>
    public Task<OpenIdConnectConfiguration> GetAsync(CancellationToken cancellationToken) => _manager.GetConfigurationAsync(cancellationToken);

    /// <summary>Asks that the next <see cref="GetAsync"/> fetch again (ignored within 5 minutes of the last refresh).</summary>
    public void RequestRefresh() => _manager.RequestRefresh();

    /// <summary>Fetches through <see cref="IHttpClientFactory"/>: HTTPS only, except plain HTTP on a loopback address (tests).</summary>
    private sealed class MetadataDocumentRetriever(IHttpClientFactory httpClients) : IDocumentRetriever
    {
        public async Task<string> GetDocumentAsync(string address, CancellationToken cancel)
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri)
                || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
            {
                throw new IOException($"Refused to fetch '{address}': the Bot Framework metadata and keys are fetched over HTTPS only (plain HTTP on a loopback address).");
            }
            using var client = httpClients.CreateClient(HttpClientName);
            using var response = await client.GetAsync(uri, cancel);
            if (!response.IsSuccessStatusCode)
            {
                throw new IOException($"GET {uri.AbsoluteUri} answered HTTP {(int)response.StatusCode}.");
            }
            return await response.Content.ReadAsStringAsync(cancel);
        }
    }
}
