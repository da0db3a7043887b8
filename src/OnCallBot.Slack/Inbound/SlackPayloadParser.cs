using System.Globalization;
using System.Text.Json;
using OnCallBot.Core.Text;

namespace OnCallBot.Slack.Inbound;

/// <summary>
/// Turns Slack's payloads into our inbound types. Shared by the HTTP endpoints (form fields, the interaction's
/// <c>payload</c> field, event JSON) and Socket Mode (the same payloads inside envelopes), so both read alike.
/// </summary>
internal static class SlackPayloadParser
{
    /// <summary>
    /// Parses a slash command from its fields (form fields over HTTP, a JSON object in Socket Mode). What people
    /// typed is cleaned here, once, with <see cref="UserText"/>: the command's text may have several lines (a note, a
    /// status update; one-line parts such as a page's summary are made one line where they are read), names one.
    /// </summary>
    public static SlackCommand ParseCommand(Func<string, string?> field, SlackRetryInfo retry) =>
        new()
        {
            Command = Required(field, "command"),
            Text = UserText.MultiLine(field("text") ?? string.Empty),
            UserId = Required(field, "user_id"),
            UserName = SingleLineOrNull(field("user_name")),
            ChannelId = Required(field, "channel_id"),
            ChannelName = SingleLineOrNull(field("channel_name")),
            TeamId = Required(field, "team_id"),
            EnterpriseId = NullIfEmpty(field("enterprise_id")),
            ResponseUrl = OptionalUrl(field("response_url"), "response_url"),
            TriggerId = NullIfEmpty(field("trigger_id")),
            Retry = retry,
        };

    public static SlackCommand ParseCommand(JsonElement payload, SlackRetryInfo retry)
    {
        if (payload.ValueKind != JsonValueKind.Object)
        {
            throw new SlackPayloadException("The slash command payload is not a JSON object.");
        }
        return ParseCommand(name => payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null, retry);
    }

    public static SlackInteraction ParseInteraction(JsonElement payload, SlackRetryInfo retry)
    {
        if (payload.ValueKind != JsonValueKind.Object)
        {
            throw new SlackPayloadException("The interaction payload is not a JSON object.");
        }
        var type = String(payload, "type") ?? throw new SlackPayloadException("The interaction payload has no 'type'.");
        var user = Object(payload, "user");
        var userId = (user is { } u ? String(u, "id") : null)
            ?? throw new SlackPayloadException("The interaction payload has no 'user.id'.");

        SlackInteractionContainer? container = null;
        if (Object(payload, "container") is { } c)
        {
            container = new SlackInteractionContainer(
                String(c, "type") ?? "unknown",
                String(c, "channel_id"),
                String(c, "message_ts"),
                String(c, "view_id"),
                c.TryGetProperty("is_ephemeral", out var eph) && eph.ValueKind == JsonValueKind.True);
        }

        var actions = new List<SlackAction>();
        if (payload.TryGetProperty("actions", out var actionsJson))
        {
            if (actionsJson.ValueKind != JsonValueKind.Array)
            {
                throw new SlackPayloadException("The interaction payload's 'actions' is not an array.");
            }
            // Slack sends one action per click. Any beyond the first are not clicks: they are ignored, unread, so a
            // payload with hundreds of actions does no more than one click would.
            if (actionsJson.GetArrayLength() > 0)
            {
                var action = actionsJson[0];
                if (action.ValueKind != JsonValueKind.Object || String(action, "action_id") is not { } actionId)
                {
                    throw new SlackPayloadException("An action in the interaction payload has no 'action_id'.");
                }
                var value = String(action, "value")
                    ?? (Object(action, "selected_option") is { } option ? String(option, "value") : null);
                actions.Add(new SlackAction(actionId, String(action, "block_id"), String(action, "type"), SingleLineOrNull(value), String(action, "action_ts")));
            }
        }
        if (type == "block_actions" && actions.Count == 0)
        {
            throw new SlackPayloadException("A block_actions payload must carry at least one action.");
        }

        var view = Object(payload, "view");
        return new SlackInteraction
        {
            Type = type,
            UserId = userId,
            UserName = user is { } named ? SingleLineOrNull(String(named, "username") ?? String(named, "name")) : null,
            TeamId = (Object(payload, "team") is { } team ? String(team, "id") : null) ?? (user is { } ut ? String(ut, "team_id") : null),
            ChannelId = (Object(payload, "channel") is { } channel ? String(channel, "id") : null) ?? container?.ChannelId,
            MessageTs = container?.MessageTs ?? (Object(payload, "message") is { } message ? String(message, "ts") : null),
            Container = container,
            Actions = actions,
            CallbackId = NullIfEmpty(String(payload, "callback_id") ?? (view is { } v ? String(v, "callback_id") : null)),
            ResponseUrl = OptionalUrl(String(payload, "response_url"), "response_url"),
            TriggerId = NullIfEmpty(String(payload, "trigger_id")),
            Raw = payload.Clone(),
            Retry = retry,
        };
    }

    /// <summary>Parses an <c>event_callback</c> wrapper.</summary>
    public static SlackEvent ParseEventCallback(JsonElement payload, SlackRetryInfo retry)
    {
        if (payload.ValueKind != JsonValueKind.Object)
        {
            throw new SlackPayloadException("The event payload is not a JSON object.");
        }
        var eventId = NullIfEmpty(String(payload, "event_id")) ?? throw new SlackPayloadException("The event_callback has no 'event_id'.");
        var inner = Object(payload, "event") ?? throw new SlackPayloadException("The event_callback has no 'event' object.");
        var type = String(inner, "type") ?? throw new SlackPayloadException("The event_callback's event has no 'type'.");
        DateTimeOffset? eventTime = null;
        if (payload.TryGetProperty("event_time", out var time) && time.ValueKind == JsonValueKind.Number && time.TryGetInt64(out var seconds) &&
            seconds >= 0 && seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            eventTime = DateTimeOffset.FromUnixTimeSeconds(seconds);
        }
        return new SlackEvent
        {
            EventId = eventId,
            Type = type,
            TeamId = String(payload, "team_id"),
            ApiAppId = String(payload, "api_app_id"),
            EventTime = eventTime,
            Event = inner.Clone(),
            Retry = retry,
        };
    }

    /// <summary>Reads <c>X-Slack-Retry-Num</c>/<c>X-Slack-Retry-Reason</c> (or their Socket Mode equivalents).</summary>
    public static SlackRetryInfo ParseRetry(string? attempt, string? reason)
    {
        if (string.IsNullOrWhiteSpace(attempt))
        {
            return string.IsNullOrWhiteSpace(reason) ? SlackRetryInfo.None : new SlackRetryInfo(0, reason);
        }
        if (!int.TryParse(attempt, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            throw new SlackPayloadException("X-Slack-Retry-Num is not a non-negative whole number.");
        }
        return new SlackRetryInfo(number, NullIfEmpty(reason));
    }

    /// <summary>
    /// Parses one JSON value whose every string is text: invalid UTF-8 inside a string, or an escaped lone surrogate,
    /// is refused here (as <see cref="SlackPayloadException"/>) rather than failing wherever the string is read later.
    /// </summary>
    public static JsonElement ParseJson(ReadOnlySpan<byte> utf8, string what)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8);
            var value = JsonElement.ParseValue(ref reader);
            EnsureStringsAreText(utf8);
            return value;
        }
        catch (JsonException)
        {
            throw new SlackPayloadException($"The {what} is not valid JSON.");
        }
        catch (InvalidOperationException)
        {
            throw new SlackPayloadException($"The {what} is not valid UTF-8.");
        }
    }

    /// <summary>
    /// The reader checks structure only: a string's bytes are transcoded, and can fail with
    /// <see cref="InvalidOperationException"/>, when it is read. Reading each string once up front makes that a bad
    /// request before any handler sees the payload. (It also refuses content after the value, which is not JSON either.)
    /// </summary>
    private static void EnsureStringsAreText(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
            {
                _ = reader.GetString();
            }
        }
    }

    private static string Required(Func<string, string?> field, string name) =>
        NullIfEmpty(field(name)) ?? throw new SlackPayloadException($"The slash command has no '{name}'.");

    private static Uri? OptionalUrl(string? value, string name)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        return Uri.TryCreate(value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)
            ? url
            : throw new SlackPayloadException($"'{name}' is not an absolute http(s) URL.");
    }

    private static string? String(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static JsonElement? Object(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string? SingleLineOrNull(string? typed) => typed is null ? null : UserText.SingleLine(typed);
}
