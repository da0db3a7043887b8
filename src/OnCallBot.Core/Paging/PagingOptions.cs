namespace OnCallBot.Core.Paging;

/// <summary>Settings of the paging flow (section <c>Paging</c>).</summary>
public sealed class PagingOptions
{
    public const string SectionName = "Paging";

    /// <summary>How long a person paged directly (<c>/page @user</c>) has to acknowledge before being paged again. Default 5 minutes.</summary>
    public TimeSpan DirectPageTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many more times a direct page is repeated before the pager is told nobody answered. Default 2.</summary>
    public int DirectPageRepeat { get; set; } = 2;

    /// <summary>
    /// A level's time to acknowledge counts from when the chat platform accepted its page, not from when the step
    /// began; this is the most that a slow platform (pacing, 429s) can push the next level out. Default 30 seconds.
    /// </summary>
    public TimeSpan MaxDeliveryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a run of an escalation step holds its lease in the store without renewing it (it renews every third of
    /// this while it runs). Two runs of one step never overlap; a run whose host died is taken over once this has
    /// passed. Default 30 seconds.
    /// </summary>
    public TimeSpan StepLease { get; set; } = TimeSpan.FromSeconds(30);
}
