using System.Collections.Concurrent;

namespace OnCallBot.Teams.Inbound;

/// <summary>
/// The Bot Connector service URLs the bot may send to: only those seen on inbound activities whose token was valid and
/// whose <c>serviceurl</c> claim matched them. The outbound client asks <see cref="IsTrusted"/> before every call, so a
/// forged or stale <c>serviceUrl</c> never receives the bot's access token.
/// </summary>
/// <remarks>
/// URLs compare by scheme, host, port and path, ignoring case and a trailing slash (the Bot Framework SDK compares the
/// claim with the activity ignoring case too). The registered implementation is in memory: after a restart a URL is
/// trusted again once Teams sends an activity from it. A store-backed implementation can replace it (TryAdd).
/// </remarks>
public interface ITeamsServiceUrls
{
    /// <summary>Remembers <paramref name="serviceUrl"/> as trusted; called only for validated inbound activities. True when it is new.</summary>
    bool Trust(Uri serviceUrl);

    /// <summary>True when <paramref name="serviceUrl"/> was seen on a validated inbound activity.</summary>
    bool IsTrusted(Uri serviceUrl);
}

/// <summary>The in-process allow-list of <see cref="ITeamsServiceUrls"/>.</summary>
internal sealed class InMemoryTeamsServiceUrls : ITeamsServiceUrls
{
    private readonly ConcurrentDictionary<string, byte> _trusted = new(StringComparer.Ordinal);

    public bool Trust(Uri serviceUrl)
    {
        ArgumentNullException.ThrowIfNull(serviceUrl);
        return _trusted.TryAdd(Key(serviceUrl) ?? throw new ArgumentException("A service URL must be absolute http(s).", nameof(serviceUrl)), 0);
    }

    public bool IsTrusted(Uri serviceUrl)
    {
        ArgumentNullException.ThrowIfNull(serviceUrl);
        return Key(serviceUrl) is { } key && _trusted.ContainsKey(key);
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
        return $"{serviceUrl.Scheme}://{serviceUrl.Host}:{serviceUrl.Port}{path}".ToUpperInvariant();
    }
}
