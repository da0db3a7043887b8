using NodaTime;

namespace OnCallBot.Core.Model;

/// <summary>A person who can be paged. <see cref="Id"/> is the id used throughout the on-call config.</summary>
public sealed record User(
    string Id,
    string DisplayName,
    DateTimeZone TimeZone,
    string? SlackUserId,
    string? TeamsUserId,
    string? Email);
