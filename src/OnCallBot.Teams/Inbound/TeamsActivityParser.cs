using System.Text.Json;
using System.Text.RegularExpressions;

namespace OnCallBot.Teams.Inbound;

/// <summary>A request body that is not an activity the bot can read: answered 400, nothing done.</summary>
internal sealed class TeamsActivityFormatException(string message) : Exception(message);

/// <summary>Reads a Bot Framework activity (System.Text.Json) into a <see cref="TeamsActivity"/>.</summary>
internal static class TeamsActivityParser
{
    private const string AtOpen = "<at>";
    private const string AtClose = "</at>";

    /// <summary>Parses <paramref name="body"/> (UTF-8 JSON); throws <see cref="TeamsActivityFormatException"/> saying what is wrong.</summary>
    public static TeamsActivity Parse(ReadOnlySpan<byte> body)
    {
        TeamsActivityWire? wire;
        try
        {
            wire = JsonSerializer.Deserialize(body, TeamsActivityJsonContext.Default.TeamsActivityWire);
        }
        catch (JsonException ex)
        {
            // The serializer's message names the path and position, and quotes at most a token of the body.
            throw new TeamsActivityFormatException("The activity is not a valid JSON activity: " + ex.Message);
        }

        if (wire is null || string.IsNullOrWhiteSpace(wire.Type))
        {
            throw new TeamsActivityFormatException("The activity has no 'type'.");
        }

        Uri? serviceUrl = null;
        if (wire.ServiceUrl is not null
            && (!Uri.TryCreate(wire.ServiceUrl, UriKind.Absolute, out serviceUrl) || (serviceUrl.Scheme != Uri.UriSchemeHttps && serviceUrl.Scheme != Uri.UriSchemeHttp)))
        {
            throw new TeamsActivityFormatException("The activity's 'serviceUrl' is not an absolute http(s) URL.");
        }

        var cardAction = wire.Type == TeamsActivityTypes.Invoke && wire.Name == TeamsActivity.AdaptiveCardActionInvoke
            ? ReadCardAction(wire.Value)
            : null;

        return new TeamsActivity
        {
            Type = wire.Type,
            Id = wire.Id,
            Name = wire.Name,
            ServiceUrl = serviceUrl,
            ChannelId = wire.ChannelId,
            From = wire.From,
            Recipient = wire.Recipient,
            Conversation = wire.Conversation,
            Text = wire.Text,
            CommandText = wire.Text is null ? null : RemoveMention(wire.Text, wire.Recipient?.Id, wire.Entities),
            Value = wire.Value is { ValueKind: not JsonValueKind.Null } value ? value.Clone() : null,
            CardAction = cardAction,
            ReplyToId = wire.ReplyToId,
            TenantId = wire.ChannelData?.Tenant?.Id,
            TeamId = wire.ChannelData?.Team?.Id,
            TeamsChannelId = wire.ChannelData?.Channel?.Id,
            EventType = wire.ChannelData?.EventType,
            MembersAdded = wire.MembersAdded?.OfType<TeamsAccount>().ToList() ?? [],
            MembersRemoved = wire.MembersRemoved?.OfType<TeamsAccount>().ToList() ?? [],
            Timestamp = wire.Timestamp,
        };
    }

    /// <summary>
    /// Removes the bot's @mention from <paramref name="text"/>: each <c>mention</c> entity whose <c>mentioned.id</c> is
    /// the bot names the exact text to cut (<c>&lt;at&gt;OnCallBot&lt;/at&gt;</c>). When the bot is mentioned but that
    /// text is not in the message (the entity and the text disagree, as in some captured activities), a leading
    /// <c>&lt;at&gt;...&lt;/at&gt;</c> is taken to be the bot's: a command in a channel starts with the mention.
    /// </summary>
    internal static string RemoveMention(string text, string? botId, IReadOnlyList<TeamsEntityWire?>? entities)
    {
        var botMentions = botId is null || entities is null
            ? []
            : entities.Where(e => e is { Type: "mention" } && e.Mentioned?.Id == botId).Select(e => e!.Text).ToList();
        if (botMentions.Count == 0)
        {
            return text.Trim();
        }

        var result = text;
        var removed = false;
        foreach (var mention in botMentions.Where(m => !string.IsNullOrEmpty(m)).Distinct(StringComparer.Ordinal))
        {
            // The mention and the blanks around it become one space, so "a <at>Bot</at> b" reads "a b"; other
            // spacing is the user's and stays.
            var cut = Regex.Replace(result, @"\s*" + Regex.Escape(mention!) + @"\s*", " ", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            removed |= cut != result;
            result = cut;
        }
        if (!removed)
        {
            var trimmed = result.TrimStart();
            var close = trimmed.IndexOf(AtClose, StringComparison.OrdinalIgnoreCase);
            if (trimmed.StartsWith(AtOpen, StringComparison.OrdinalIgnoreCase) && close > 0)
            {
                result = trimmed[(close + AtClose.Length)..];
            }
        }
        return result.Trim();
    }

    private static TeamsCardAction ReadCardAction(JsonElement? value)
    {
        if (value is not { ValueKind: JsonValueKind.Object } v || !v.TryGetProperty("action", out var action) || action.ValueKind != JsonValueKind.Object)
        {
            throw new TeamsActivityFormatException("The adaptiveCard/action invoke has no 'value.action' object.");
        }
        return new TeamsCardAction(
            StringOrNull(action, "type"),
            StringOrNull(action, "verb"),
            action.TryGetProperty("data", out var data) && data.ValueKind != JsonValueKind.Null ? data.Clone() : null);
    }

    private static string? StringOrNull(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return property.ValueKind == JsonValueKind.String
            ? property.GetString()
            : throw new TeamsActivityFormatException($"The card action's '{name}' is not a string.");
    }
}
