namespace OnCallBot.Core.Delivery;

/// <summary>How the outbox hands out work (section <c>Outbox</c>).</summary>
public sealed class OutboxOptions
{
    public const string SectionName = "Outbox";

    /// <summary>Items carried out at once per platform and lane; each lane has its own, so a slow lane never takes a faster one's.</summary>
    public int LaneConcurrency { get; set; } = 4;

    /// <summary>How long a claim holds an item; a host that dies while sending loses the claim after this.</summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The wait before the first retry of work the platform could not take (doubled each time, up to 5 minutes).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Attempts before work that keeps failing is given up (and said so on the incident's timeline). A refusal that says
    /// when to come back (a rate limit's Retry-After) does not count: that work waits as long as it takes.
    /// </summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>How often the store is looked at when nothing signals new work (work enqueued by another host).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    internal static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(5);

    /// <summary>The wait after <paramref name="attempts"/> failed attempts.</summary>
    public TimeSpan RetryDelayAfter(int attempts)
    {
        var factor = Math.Pow(2, Math.Clamp(attempts - 1, 0, 16));
        var delay = TimeSpan.FromTicks((long)Math.Min(RetryDelay.Ticks * factor, MaxRetryDelay.Ticks));
        return delay < RetryDelay ? RetryDelay : delay;
    }
}
