using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace OnCallBot.Slack.WebApi;

/// <summary>Which token a Web API call is made with.</summary>
internal enum SlackTokenKind
{
    Bot,
    App,
}

/// <summary>
/// Puts the bearer token on every Web API request: the app-level token for calls marked
/// <see cref="SlackTokenKind.App"/> (<c>apps.connections.open</c>), the bot token otherwise. Tokens are read per
/// request, so a rotated token is used at once.
/// </summary>
internal sealed class SlackAuthenticationHandler : DelegatingHandler
{
    internal static readonly HttpRequestOptionsKey<SlackTokenKind> TokenKindKey = new("OnCallBot.Slack.TokenKind");

    private readonly IOptionsMonitor<SlackOptions> _options;

    public SlackAuthenticationHandler(IOptionsMonitor<SlackOptions> options) => _options = options;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var kind = request.Options.TryGetValue(TokenKindKey, out var requested) ? requested : SlackTokenKind.Bot;
        var options = _options.CurrentValue;
        var token = kind == SlackTokenKind.App ? options.AppToken : options.BotToken;
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new InvalidOperationException(kind == SlackTokenKind.App
                ? "Slack:AppToken is not set; Socket Mode needs an app-level token (xapp-...)."
                : "Slack:BotToken is not set; the Slack Web API needs a bot token (xoxb-...).");
        }
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return base.SendAsync(request, cancellationToken);
    }
}
