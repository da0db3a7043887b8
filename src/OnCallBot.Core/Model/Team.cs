namespace OnCallBot.Core.Model;

/// <summary>A group of users that owns services and is told when a page goes unanswered.</summary>
public sealed record Team(
    string Id,
    string Name,
    IReadOnlyList<string> MemberIds,
    ChatChannels Channels,
    string? ScheduleId);

/// <summary>Where a team's announcements go, one channel per chat platform (either may be absent).</summary>
public sealed record ChatChannels(string? Slack, string? Teams)
{
    public static ChatChannels None { get; } = new(null, null);
}
