using System.Text.Json;

namespace OnCallBot.Slack.Inbound;

/// <summary>An Events API delivery (<c>event_callback</c>): the wrapper's routing fields and the inner event.</summary>
public sealed record SlackEvent
{
    /// <summary>Slack's unique id of this event (<c>Ev...</c>), the same on every redelivery.</summary>
    public required string EventId { get; init; }

    /// <summary>The inner event's type, e.g. <c>app_mention</c>, <c>member_joined_channel</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The workspace the event happened in.</summary>
    public string? TeamId { get; init; }

    /// <summary>The app the event was sent to.</summary>
    public string? ApiAppId { get; init; }

    /// <summary>When the event happened (<c>event_time</c>), when present.</summary>
    public DateTimeOffset? EventTime { get; init; }

    /// <summary>The inner <c>event</c> object as Slack sent it.</summary>
    public required JsonElement Event { get; init; }

    /// <summary>Whether this is Slack's redelivery of an earlier request.</summary>
    public SlackRetryInfo Retry { get; init; } = SlackRetryInfo.None;
}
