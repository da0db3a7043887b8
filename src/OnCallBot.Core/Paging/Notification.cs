using NodaTime;

namespace OnCallBot.Core.Paging;

/// <summary>
/// A page message sent to one person on one platform, kept so every copy can be updated when the incident
/// is acknowledged or resolved. <see cref="Step"/>, <see cref="UserId"/> and <see cref="Platform"/> are unique
/// together: that is what makes "never notify the same person twice for the same step" hold across restarts.
/// </summary>
public sealed record Notification(
    long IncidentNumber,
    int Step,
    int Level,
    string UserId,
    string Platform,
    Instant At,
    DeliveredMessage? Message);

/// <summary>Where a platform put a message (e.g. Slack channel id and ts), so it can be updated later.</summary>
public sealed record DeliveredMessage(string Platform, string ConversationId, string MessageId);
