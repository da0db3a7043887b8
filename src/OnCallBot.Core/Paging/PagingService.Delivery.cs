using System.Text.Json;
using OnCallBot.Core.Delivery;
using OnCallBot.Core.Ports;

namespace OnCallBot.Core.Paging;

/// <summary>Page messages rewritten through the outbox (<see cref="PageWork.Update"/>, update lane).</summary>
public sealed partial class PagingService : IOutboxHandler
{
    public IReadOnlyCollection<string> Kinds => [PageWork.Update];

    private Task EnqueueRefreshAsync(Incident incident, DeliveredMessage message, string userId, int level, CancellationToken cancellationToken) =>
        _outbox.EnqueueAsync(new OutboxEntry(message.Platform, DeliveryLane.Update, incident.Number, PageWork.Update, message.ConversationId,
            $"{PageWork.Update}:{incident.Number}:{message.Platform}:{message.ConversationId}:{message.MessageId}",
            PageWork.Write(new PageWork.Rewrite(message, userId, level))), cancellationToken);

    /// <summary>Rewrites one page message to show the incident as it is in the store now. Safe to repeat.</summary>
    public async Task DeliverAsync(OutboxClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var rewrite = PageWork.Read(claim.Item.Entry.Payload);
        if (await _store.GetAsync(claim.Item.IncidentNumber, cancellationToken) is not { } incident
            || _platforms.FirstOrDefault(p => p.Name == rewrite.Message.Platform) is not { } platform)
        {
            return;
        }
        var model = _models.Current;
        try
        {
            await platform.UpdatePageAsync(rewrite.Message, ViewOf(incident, model, rewrite.Level, PolicyFor(incident, model)?.Levels.Count ?? 0), cancellationToken);
        }
        catch (ChatDeliveryException ex) when (!ex.IsTransient)
        {
            await RecordUpdateFailedAsync(incident, model, platform.Name, rewrite, ex.Message, cancellationToken);
        }
    }

    public async Task GiveUpAsync(OutboxItem item, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (await _store.GetAsync(item.IncidentNumber, cancellationToken) is { } incident)
        {
            await RecordUpdateFailedAsync(incident, _models.Current, item.Platform, PageWork.Read(item.Entry.Payload),
                $"{reason} (gave up after {item.Attempts} tries)", cancellationToken);
        }
    }

    private Task RecordUpdateFailedAsync(Incident incident, Model.OnCallModel model, string platform, PageWork.Rewrite rewrite, string why, CancellationToken cancellationToken) =>
        RecordAsync(incident, IncidentEventKind.NotificationFailed,
            $"Could not update the page message of {Names(model, [rewrite.UserId])} on {platform}: {why}",
            [rewrite.UserId], rewrite.Level, platform, cancellationToken);
}

/// <summary>The page-message work the paging flow puts in the outbox. Stored: names never change once released.</summary>
public static class PageWork
{
    public const string Update = "page.update";

    public sealed record Rewrite(DeliveredMessage Message, string UserId, int Level);

    public static string Write(Rewrite rewrite) => JsonSerializer.Serialize(rewrite, Json);

    public static Rewrite Read(string payload) =>
        JsonSerializer.Deserialize<Rewrite>(payload, Json) ?? throw new JsonException("Empty page rewrite payload.");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
