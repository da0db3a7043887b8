using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace OnCallBot.Slack.WebApi;

/// <summary>
/// Retries a Web API request that Slack answered with HTTP 429, after its <c>Retry-After</c> (on the injected
/// <see cref="TimeProvider"/>), up to <see cref="SlackOptions.MaxRateLimitRetries"/> times; a <c>Retry-After</c>
/// longer than <see cref="SlackOptions.MaxRetryAfter"/> is not waited for. The last 429 is passed on, for
/// <see cref="SlackResponseHandler"/> to turn into <c>ratelimited</c>.
/// </summary>
/// <remarks>
/// Every 429 pauses its bucket in <see cref="SlackRateLimiter"/> for the <c>Retry-After</c>, so calls behind it wait
/// for Slack rather than earn another 429; calls in other buckets go on. A call made for outbox work
/// (<see cref="Core.Delivery.DeliveryContext"/>) is not retried here: the 429 goes back to the outbox.
/// Nothing else is retried: a call that failed in transit may have been carried out, and posting a page twice is
/// worse than once. A 429 means Slack did not carry the call out.
/// </remarks>
internal sealed class SlackRetryAfterHandler(IOptionsMonitor<SlackOptions> options, SlackRateLimiter rateLimiter, TimeProvider timeProvider, ILogger<SlackWebApiClient> logger)
    : DelegatingHandler
{
    // Slack always sends Retry-After with a 429; this is for an answer that lacks it.
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var current = options.CurrentValue;
        var method = SlackWebApiWire.MethodOf(request);
        var channel = request.Options.TryGetValue(SlackWebApiWire.PacingChannel, out var value) ? value : null;
        if (current.MaxRateLimitRetries <= 0 || Core.Delivery.DeliveryContext.Current is not null)
        {
            // Work from the outbox is retried by the outbox, which holds its item back until the bucket opens again
            // and meanwhile carries out work for other buckets: no worker sleeps out a Retry-After here.
            var response = await base.SendAsync(request, cancellationToken);
            PauseOn429(response, method, channel);
            return response;
        }
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = current.MaxRateLimitRetries,
                BackoffType = DelayBackoffType.Constant,
                UseJitter = false,
                Delay = DefaultRetryAfter,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests } response &&
                    (RetryAfterOf(response, timeProvider) ?? DefaultRetryAfter) <= current.MaxRetryAfter),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                    args.Outcome.Result is { } response ? RetryAfterOf(response, timeProvider) ?? DefaultRetryAfter : DefaultRetryAfter),
                OnRetry = args =>
                {
                    Log.RateLimited(logger, method, args.RetryDelay.TotalSeconds, args.AttemptNumber + 1);
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        return await pipeline.ExecuteAsync(async ct =>
        {
            var response = await base.SendAsync(request, ct);
            PauseOn429(response, method, channel);
            return response;
        }, cancellationToken);
    }

    /// <summary>A 429 closes its bucket for everyone until Retry-After has passed; the other buckets go on.</summary>
    private void PauseOn429(HttpResponseMessage response, string method, string? channel)
    {
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            rateLimiter.Pause(method, channel, RetryAfterOf(response, timeProvider) ?? DefaultRetryAfter);
        }
    }

    /// <summary>How long Slack asked us to wait (never negative), or null when the answer does not say.</summary>
    internal static TimeSpan? RetryAfterOf(HttpResponseMessage response, TimeProvider timeProvider)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - timeProvider.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }
}
