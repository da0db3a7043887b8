using Microsoft.Extensions.Logging;

namespace OnCallBot.Slack.WebApi;

/// <summary>
/// Holds each Web API request until <see cref="SlackRateLimiter"/> lets it go: by its method's tier, and by channel
/// for <c>chat.postMessage</c> (the channel comes from the <see cref="SlackWebApiWire.PacingChannel"/> option).
/// It sits inside <see cref="SlackRetryAfterHandler"/>, so a retry after a 429 waits its turn again.
/// </summary>
internal sealed class SlackPacingHandler(SlackRateLimiter rateLimiter, ILogger<SlackWebApiClient> logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var method = SlackWebApiWire.MethodOf(request);
        var channel = request.Options.TryGetValue(SlackWebApiWire.PacingChannel, out var value) ? value : null;
        await rateLimiter.WaitAsync(method, channel, cancellationToken);
        Log.ApiCall(logger, method);
        return await base.SendAsync(request, cancellationToken);
    }
}
