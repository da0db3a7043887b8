namespace OnCallBot.Slack.Inbound;

/// <summary>A slash command invocation, e.g. <c>/page payments database is down</c>.</summary>
public sealed record SlackCommand
{
    /// <summary>The command with its slash, e.g. <c>/page</c>.</summary>
    public required string Command { get; init; }

    /// <summary>
    /// Everything the user typed after the command, cleaned with <c>UserText.MultiLine</c> (no control or bidi
    /// override characters; line breaks as <c>\n</c>); empty when nothing.
    /// </summary>
    public required string Text { get; init; }

    /// <summary>The invoking user's id (<c>U...</c> or <c>W...</c>).</summary>
    public required string UserId { get; init; }

    /// <summary>The invoking user's (legacy) user name, when Slack sends one.</summary>
    public string? UserName { get; init; }

    /// <summary>The conversation the command was typed in.</summary>
    public required string ChannelId { get; init; }

    /// <summary>That conversation's name, when Slack sends one.</summary>
    public string? ChannelName { get; init; }

    /// <summary>The workspace id (<c>T...</c>).</summary>
    public required string TeamId { get; init; }

    /// <summary>The Enterprise Grid org id, when there is one.</summary>
    public string? EnterpriseId { get; init; }

    /// <summary>Where follow-up messages may be posted (at most 5 within 30 minutes), or null.</summary>
    public Uri? ResponseUrl { get; init; }

    /// <summary>Opens a modal with <c>views.open</c>; valid for 3 seconds only.</summary>
    public string? TriggerId { get; init; }

    /// <summary>Whether this is Slack's redelivery of an earlier request.</summary>
    public SlackRetryInfo Retry { get; init; } = SlackRetryInfo.None;
}
