using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace OnCallBot.Teams.Connector;

/// <summary>
/// Puts the bot's Bot Framework token on every Connector request (on each retry too, from the cache). When the
/// Connector answers 401 the cached token is dropped, so the next call fetches a fresh one instead of failing until
/// the old one expires (a rotated secret, a revoked token).
/// </summary>
internal sealed class ConnectorAuthenticationHandler(BotTokenProvider tokens, ILogger<TeamsConnectorClient> logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await tokens.GetTokenAsync(cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Unauthorized && tokens.Invalidate(token))
        {
            Log.TokenRefused(logger, ConnectorWire.OperationOf(request));
        }
        return response;
    }
}
