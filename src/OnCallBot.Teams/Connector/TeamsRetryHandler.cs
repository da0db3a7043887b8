using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace OnCallBot.Teams.Connector;

/// <summary>
/// Retries a Bot Connector or token request answered with HTTP 429 or 5xx, up to <see cref="TeamsOptions.MaxRetries"/>
/// times, on the injected <see cref="TimeProvider"/>: after the answer's <c>Retry-After</c> when it has one, else after
/// <see cref="TeamsOptions.RetryBaseDelay"/> doubled on each attempt. A wait longer than
/// <see cref="TeamsOptions.MaxRetryAfter"/> is not taken: the answer is passed on at once, for the response handler to
/// turn into <see cref="TeamsApiException"/> with its <c>Retry-After</c>.
/// </summary>
/// <remarks>
/// Nothing else is retried: a 4xx will not change by asking again (<c>MessageWritesBlocked</c> stays blocked), and a
/// request that failed in transit may have been carried out. Teams documents 429 and 5xx as safe to retry.
/// </remarks>
internal sealed class TeamsRetryHandler(IOptionsMonitor<TeamsOptions> options, TimeProvider timeProvider, ILogger<TeamsConnectorClient> logger)
    : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var current = options.CurrentValue;
        // Work from the outbox is retried by the outbox (which holds the item back and meanwhile carries out other
        // work), as Slack's is: no outbox worker sleeps out a Retry-After here.
        if (current.MaxRetries <= 0 || Core.Delivery.DeliveryContext.Current is not null)
        {
            return await base.SendAsync(request, cancellationToken);
        }
        var operation = ConnectorWire.OperationOf(request);
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = current.MaxRetries,
                BackoffType = DelayBackoffType.Constant,
                UseJitter = false,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Result is { } response && IsRetryable(response.StatusCode)
                    && DelayFor(response, args.AttemptNumber, current, timeProvider) <= current.MaxRetryAfter),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                    args.Outcome.Result is { } response ? DelayFor(response, args.AttemptNumber, current, timeProvider) : current.RetryBaseDelay),
                OnRetry = args =>
                {
                    Log.Retrying(logger, operation, (int?)args.Outcome.Result?.StatusCode ?? 0, args.AttemptNumber + 1, args.RetryDelay.TotalSeconds);
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        return await pipeline.ExecuteAsync(async ct => await base.SendAsync(request, ct), cancellationToken);
    }

    internal static bool IsRetryable(HttpStatusCode status) => status == HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>The service's Retry-After, or the backoff for this attempt (0-based): base, 2 x base, 4 x base, ...</summary>
    private static TimeSpan DelayFor(HttpResponseMessage response, int attempt, TeamsOptions options, TimeProvider timeProvider) =>
        RetryAfterOf(response, timeProvider) ?? options.RetryBaseDelay * Math.Pow(2, Math.Min(attempt, 16));

    /// <summary>How long the service asked us to wait (never negative), or null when the answer does not say.</summary>
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
