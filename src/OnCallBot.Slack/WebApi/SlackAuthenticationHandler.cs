using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace OnCallBot.Slack.WebApi;

/// <summary>
/// Puts the bearer token on every Web API request: the app-level token for <c>apps.connections.open</c> (the one
/// method Slack takes it for), the bot token otherwise. Tokens are read per request, so a rotated token is used at once.
/// </summary>
internal sealed class SlackAuthenticationHandler : DelegatingHandler
{
    private readonly IOptionsMonitor<SlackOptions> _options;

    public SlackAuthenticationHandler(IOptionsMonitor<SlackOptions> options) => _options = options;

    internal static bool TakesAppToken(string method) => method == "apps.connections.open";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var app = TakesAppToken(SlackWebApiWire.MethodOf(request));
        var options = _options.CurrentValue;
        var token = app ? options.AppToken : options.BotToken;
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new InvalidOperationException(app
                ? "Slack:AppToken is not set; Socket Mode needs an app-level token (xapp-...)."
                : "Slack:BotToken is not set; the Slack Web API needs a bot token (xoxb-...).");
        }
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return base.SendAsync(request, cancellationToken);
    }
}
