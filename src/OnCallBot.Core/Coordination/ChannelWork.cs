using System.Text.Json;
using OnCallBot.Core.Paging;

namespace OnCallBot.Core.Coordination;

/// <summary>
/// The kinds of incident-channel work that <see cref="CoordinationService"/> puts in the outbox, and their payloads.
/// Kinds are stored, so a name never changes once released.
/// </summary>
public static class ChannelWork
{
    public const string Open = "channel.open";
    public const string Invite = "channel.invite";
    public const string Topic = "channel.topic";
    public const string PostCard = "channel.card.post";
    public const string UpdateCard = "channel.card.update";
    public const string Post = "channel.post";
    public const string Runbook = "channel.runbook";
    public const string Archive = "channel.archive";
    public const string Remind = "person.remind";

    public static IReadOnlyCollection<string> All { get; } = [Open, Invite, Topic, PostCard, UpdateCard, Post, Runbook, Archive, Remind];

    /// <summary>
    /// True for work that must not be carried out twice when its first try's fate is unknown (the host died while
    /// sending): a second post or reminder is noise; an invite, a topic or a card rewritten again changes nothing.
    /// </summary>
    public static bool IsRepeatable(string kind) => kind is Open or Invite or Topic or UpdateCard or Archive;

    /// <summary>One waiting item per incident, platform and kind: the topic and the card are rendered when sent.</summary>
    public static string CoalesceKey(string kind, IncidentRoom room, Ports.IIncidentChannels platform) =>
        $"{kind}:{room.IncidentNumber}:{platform.Name}";

    public sealed record Invitation(IReadOnlyList<Actor> People);

    public sealed record Message(string What, string Text);

    public sealed record Reminder(Actor Person, string Text);

    public sealed record RunbookLink(Uri Url);

    public static string Write<T>(T payload) => JsonSerializer.Serialize(payload, Json);

    public static T Read<T>(string payload) =>
        JsonSerializer.Deserialize<T>(payload, Json) ?? throw new JsonException($"Empty {typeof(T).Name} payload.");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
