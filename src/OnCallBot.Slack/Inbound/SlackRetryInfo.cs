namespace OnCallBot.Slack.Inbound;

/// <summary>
/// Slack's redelivery marker: <c>X-Slack-Retry-Num</c>/<c>X-Slack-Retry-Reason</c> over HTTP,
/// <c>retry_attempt</c>/<c>retry_reason</c> in Socket Mode envelopes.
/// </summary>
/// <param name="Attempt">0 for a first delivery, 1 or more for a redelivery.</param>
/// <param name="Reason">Slack's reason for the redelivery (e.g. <c>http_timeout</c>), or null.</param>
public sealed record SlackRetryInfo(int Attempt, string? Reason)
{
    /// <summary>A first delivery.</summary>
    public static SlackRetryInfo None { get; } = new(0, null);

    /// <summary>True when Slack says it sent this before.</summary>
    public bool IsRetry => Attempt > 0;
}
