using System.Collections.Concurrent;

namespace OnCallBot.Teams.Inbound;

/// <summary>
/// The Bot Connector service URLs the bot may send to: only those seen on inbound activities whose token was valid and
/// whose <c>serviceurl</c> claim matched them. The outbound client asks <see cref="IsTrusted"/> before every call, so a
/// forged or stale <c>serviceUrl</c> never receives the bot's access token. Per tenant, the last one trusted is kept
/// too: a proactive message (a page to someone who never wrote to the bot) goes to their tenant's service URL.
/// </summary>
/// <remarks>
/// URLs compare by scheme, host, port and path, ignoring case and a trailing slash (the Bot Framework SDK compares the
/// claim with the activity ignoring case too), never by prefix: <c>/amer/</c> proves nothing about <c>/emea/</c>. The
/// registered implementation is in memory: after a restart a URL is trusted again once Teams sends an activity from
/// it, and until then proactive messages to that tenant are refused with a clear reason. A store-backed
/// implementation can replace it (TryAdd).
/// </remarks>
public interface ITeamsServiceUrls
{
    /// <summary>
    /// Remembers <paramref name="serviceUrl"/> as trusted; called only for validated inbound activities, with the
    /// activity's tenant and sender when it has them. True when the URL is new.
    /// </summary>
    bool Trust(Uri serviceUrl, string? tenantId = null, string? teamsUserId = null);

    /// <summary>True when <paramref name="serviceUrl"/> was seen on a validated inbound activity.</summary>
    bool IsTrusted(Uri serviceUrl);

    /// <summary>The service URL last trusted for an activity from <paramref name="tenantId"/>, or null when none came yet.</summary>
    Uri? ServiceUrlFor(string tenantId);

    /// <summary>
    /// The tenant <paramref name="teamsUserId"/> was last seen in on a validated activity; else, when activities came
    /// from exactly one tenant, that tenant (a bot used by one organisation); else null.
    /// </summary>
    string? TenantOf(string? teamsUserId);
}

/// <summary>The in-process allow-list of <see cref="ITeamsServiceUrls"/>.</summary>
internal sealed class InMemoryTeamsServiceUrls : ITeamsServiceUrls
{
    private readonly ConcurrentDictionary<string, byte> _trusted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Uri> _byTenant = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _tenantOfUser = new(StringComparer.Ordinal);

    public bool Trust(Uri serviceUrl, string? tenantId = null, string? teamsUserId = null)
    {
        ArgumentNullException.ThrowIfNull(serviceUrl);
        var added = _trusted.TryAdd(Key(serviceUrl) ?? throw new ArgumentException("A service URL must be absolute http(s), without user information.", nameof(serviceUrl)), 0);
        if (!string.IsNullOrWhiteSpace(tenantId))
        {
            _byTenant[tenantId] = serviceUrl;
            if (!string.IsNullOrWhiteSpace(teamsUserId))
            {
                _tenantOfUser[teamsUserId] = tenantId;
            }
        }
        return added;
    }

    public bool IsTrusted(Uri serviceUrl)
    {
        ArgumentNullException.ThrowIfNull(serviceUrl);
        return Key(serviceUrl) is { } key && _trusted.ContainsKey(key);
    }

    public Uri? ServiceUrlFor(string tenantId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        return _byTenant.TryGetValue(tenantId, out var url) ? url : null;
    }

    public string? TenantOf(string? teamsUserId)
    {
        if (teamsUserId is not null && _tenantOfUser.TryGetValue(teamsUserId, out var tenant))
        {
            return tenant;
        }
        var seen = _byTenant.Keys.Take(2).ToList();
        return seen.Count == 1 ? seen[0] : null;
    }

    /// <summary>The comparison key: scheme://host:port/path/ in upper case, without query or fragment; null when not absolute http(s).</summary>
    internal static string? Key(Uri serviceUrl)
    {
        if (!serviceUrl.IsAbsoluteUri || (serviceUrl.Scheme != Uri.UriSchemeHttps && serviceUrl.Scheme != Uri.UriSchemeHttp)
            || !string.IsNullOrEmpty(serviceUrl.UserInfo))
        {
            return null;
        }
        var path = serviceUrl.AbsolutePath.EndsWith('/') ? serviceUrl.AbsolutePath : serviceUrl.AbsolutePath + "/";
        return $"{serviceUrl.Scheme}://{serviceUrl.IdnHost}:{serviceUrl.Port}{path}".ToUpperInvariant();
    }
}
