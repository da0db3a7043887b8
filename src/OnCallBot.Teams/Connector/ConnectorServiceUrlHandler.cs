using Microsoft.Extensions.Logging;
using OnCallBot.Teams.Inbound;

namespace OnCallBot.Teams.Connector;

/// <summary>
/// Sends each Bot Connector request to its conversation's service URL (the <see cref="ConnectorWire.ServiceUrl"/>
/// request property): the path Refit built (<c>/v3/conversations/...</c>, already escaped) goes under the service URL's
/// own path (<c>https://smba.trafficmanager.net/amer/</c>). A service URL that <see cref="ITeamsServiceUrls"/> does not
/// vouch for is refused here, before the token is fetched or anything is sent.
/// </summary>
internal sealed class ConnectorServiceUrlHandler(ITeamsServiceUrls trusted, ILogger<TeamsConnectorClient> logger) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var operation = ConnectorWire.OperationOf(request);
        if (!request.Options.TryGetValue(ConnectorWire.ServiceUrl, out var serviceUrl) || request.RequestUri is not { IsAbsoluteUri: true } placeholder)
        {
            throw new InvalidOperationException("A Bot Connector request needs its conversation's service URL; call it through TeamsConnectorClient.");
        }
        if (!serviceUrl.IsAbsoluteUri || !trusted.IsTrusted(serviceUrl))
        {
            var host = serviceUrl.IsAbsoluteUri ? serviceUrl.Host : serviceUrl.OriginalString;
            Log.UntrustedServiceUrl(logger, operation, host);
            throw new TeamsApiException(operation, TeamsApiException.UntrustedServiceUrlCode,
                detail: $"no validated activity came from {host}; nothing was sent");
        }
        // A retry comes through again with the address already resolved.
        if (ConnectorWire.PlaceholderBaseAddress.IsBaseOf(placeholder))
        {
            request.RequestUri = Resolve(serviceUrl, placeholder);
        }
        Log.ConnectorCall(logger, operation, serviceUrl.Host);
        return base.SendAsync(request, cancellationToken);
    }

    /// <summary>The request's path and query (escaped as Refit wrote them) under the service URL's path.</summary>
    internal static Uri Resolve(Uri serviceUrl, Uri placeholder)
    {
        var root = serviceUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return new Uri(root + placeholder.GetComponents(UriComponents.PathAndQuery, UriFormat.UriEscaped), UriKind.Absolute);
    }
}
