namespace OnCallBot.Teams.Connector;

/// <summary>
/// The Bot Connector service URLs the bot may call: only those a validated inbound activity carried (its JWT's
/// <c>serviceurl</c> claim matched the activity's <c>serviceUrl</c>). A service URL from anywhere else (a stored
/// reference, a response body, a config typo) is refused before any request, so the bot's token never goes to a
/// host Teams did not name.
/// </summary>
public interface ITrustedServiceUrls
{
    /// <summary>True when <paramref name="serviceUrl"/> was proven by a validated inbound activity.</summary>
    bool IsTrusted(Uri serviceUrl);
}

/// <summary>
/// The service URLs proven so far, in memory: the inbound endpoint calls <see cref="Trust"/> for each activity it
/// validated. Compared by scheme, host, port and path (case-insensitive host, trailing slash ignored), never by prefix:
/// <c>https://smba.trafficmanager.net/amer/</c> proves nothing about <c>/emea/</c>.
/// </summary>
public sealed class TrustedServiceUrls : ITrustedServiceUrls
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _trusted = new(StringComparer.Ordinal);

    /// <summary>Records a service URL that a validated inbound activity carried. Only http(s) URLs are accepted.</summary>
    public void Trust(Uri serviceUrl) => _trusted.TryAdd(Key(serviceUrl), 0);

    public bool IsTrusted(Uri serviceUrl)
    {
        ArgumentNullException.ThrowIfNull(serviceUrl);
        return serviceUrl.IsAbsoluteUri && _trusted.ContainsKey(Key(serviceUrl));
    }

    /// <summary>The form two service URLs are compared in.</summary>
    internal static string Key(Uri serviceUrl)
    {
        ArgumentNullException.ThrowIfNull(serviceUrl);
        if (!serviceUrl.IsAbsoluteUri || (serviceUrl.Scheme != Uri.UriSchemeHttps && serviceUrl.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"'{serviceUrl}' is not an absolute http(s) service URL.", nameof(serviceUrl));
        }
        if (!string.IsNullOrEmpty(serviceUrl.UserInfo))
        {
            throw new ArgumentException("A service URL carries no user information.", nameof(serviceUrl));
        }
        var path = serviceUrl.AbsolutePath.TrimEnd('/');
        return $"{serviceUrl.Scheme}://{serviceUrl.IdnHost.ToLowerInvariant()}:{serviceUrl.Port}{path}/";
    }
}
