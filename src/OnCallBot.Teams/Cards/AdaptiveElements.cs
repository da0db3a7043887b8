using System.Text.Json.Nodes;

namespace OnCallBot.Teams.Cards;

/// <summary>
/// The Adaptive Card elements the bot's cards are made of (schema 1.5, the highest Teams renders). Text people typed
/// only ever enters through <see cref="Run"/> (a <c>TextRun</c>, never Markdown); <see cref="Text"/> is for our own words.
/// </summary>
internal static class AdaptiveElements
{
    public const string SchemaUrl = "http://adaptivecards.io/schemas/adaptive-card.json";
    public const string Version = "1.5";

    /// <summary>The data key every button carries: the incident number.</summary>
    public const string IncidentDataKey = "incident";

    /// <summary>A card: body, actions (omitted when none), and the text clients that cannot render it show.</summary>
    public static JsonObject Card(JsonArray body, JsonArray actions, string fallbackText)
    {
        var card = new JsonObject
        {
            ["type"] = "AdaptiveCard",
            ["$schema"] = SchemaUrl,
            ["version"] = Version,
            ["fallbackText"] = fallbackText,
            ["body"] = body,
        };
        if (actions.Count > 0)
        {
            card["actions"] = actions;
        }
        return card;
    }

    /// <summary>A <c>TextBlock</c> of our own words (Markdown and <c>{{DATE}}</c> allowed): never text people typed.</summary>
    public static JsonObject Text(string ours, bool subtle = false, string? weight = null, string? color = null, string? size = null)
    {
        var block = new JsonObject { ["type"] = "TextBlock", ["text"] = ours, ["wrap"] = true };
        if (subtle)
        {
            block["isSubtle"] = true;
        }
        if (weight is not null)
        {
            block["weight"] = weight;
        }
        if (color is not null)
        {
            block["color"] = color;
        }
        if (size is not null)
        {
            block["size"] = size;
        }
        return block;
    }

    /// <summary>A <c>RichTextBlock</c> of runs (a line mixing our words and text people typed).</summary>
    public static JsonObject Rich(params JsonObject[] runs) =>
        new() { ["type"] = "RichTextBlock", ["inlines"] = new JsonArray([.. runs]) };

    /// <summary>A <c>TextRun</c>: shown as is, no Markdown. Pass text people typed through <see cref="AdaptiveText.Plain"/> first.</summary>
    public static JsonObject Run(string text, bool bold = false, bool italic = false, bool subtle = false, string? size = null)
    {
        var run = new JsonObject { ["type"] = "TextRun", ["text"] = text };
        if (bold)
        {
            run["weight"] = "Bolder";
        }
        if (italic)
        {
            run["italic"] = true;
        }
        if (subtle)
        {
            run["isSubtle"] = true;
        }
        if (size is not null)
        {
            run["size"] = size;
        }
        return run;
    }

    /// <summary>Labelled values, two to a row: a bold label of ours over its value (a <c>TextBlock</c> or <c>RichTextBlock</c>).</summary>
    public static IEnumerable<JsonObject> Fields(IReadOnlyList<(string Label, JsonObject Value)> fields)
    {
        for (var i = 0; i < fields.Count; i += 2)
        {
            var columns = new JsonArray();
            foreach (var (label, value) in fields.Skip(i).Take(2))
            {
                columns.Add(new JsonObject
                {
                    ["type"] = "Column",
                    ["width"] = "stretch",
                    ["items"] = new JsonArray(Text(label, subtle: true, weight: "Bolder"), value),
                });
            }
            if (columns.Count == 1)
            {
                // An empty second column keeps the last field as wide as the ones above it.
                columns.Add(new JsonObject { ["type"] = "Column", ["width"] = "stretch", ["items"] = new JsonArray() });
            }
            yield return new JsonObject { ["type"] = "ColumnSet", ["columns"] = columns };
        }
    }

    /// <summary>
    /// An <c>Action.Execute</c> button: Teams sends an <c>adaptiveCard/action</c> invoke with <paramref name="verb"/>
    /// and <c>{"incident": number}</c>. <paramref name="style"/>: <c>positive</c>, <c>destructive</c> or null.
    /// </summary>
    public static JsonObject Execute(string title, string verb, long incidentNumber, string? style = null)
    {
        var action = new JsonObject
        {
            ["type"] = "Action.Execute",
            ["title"] = title,
            ["verb"] = verb,
            ["data"] = new JsonObject { [IncidentDataKey] = incidentNumber },
        };
        if (style is not null)
        {
            action["style"] = style;
        }
        return action;
    }

    /// <summary>
    /// A button that first asks: <paramref name="title"/> opens a small card with <paramref name="question"/> (our
    /// words and text people typed, as runs) and the <paramref name="confirm"/> button, as Slack's confirm dialog does.
    /// </summary>
    public static JsonObject Confirm(string title, JsonObject question, JsonObject confirm) => new()
    {
        ["type"] = "Action.ShowCard",
        ["title"] = title,
        ["card"] = new JsonObject
        {
            ["type"] = "AdaptiveCard",
            ["body"] = new JsonArray(question),
            ["actions"] = new JsonArray(confirm),
        },
    };
}
