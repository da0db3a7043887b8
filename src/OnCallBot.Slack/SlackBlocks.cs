using System.Text.Json.Nodes;
using OnCallBot.Slack.Paging;

namespace OnCallBot.Slack;

/// <summary>Block Kit building blocks shared by the page message and the incident card, within Slack's limits.</summary>
internal static class SlackBlocks
{
    public static JsonObject Header(string text) => new()
    {
        ["type"] = "header",
        ["text"] = PlainText(SlackText.Fit(text, SlackPageMessage.MaxHeaderLength, escape: false)),
    };

    public static JsonObject Section(string mrkdwn) => new()
    {
        ["type"] = "section",
        ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = mrkdwn },
    };

    /// <summary>A section of at most ten fields (Slack's limit), each cut to the field length limit.</summary>
    public static JsonObject Fields(IEnumerable<string> fields) => new()
    {
        ["type"] = "section",
        ["fields"] = new JsonArray(fields.Take(10)
            .Select(f => (JsonNode)new JsonObject
            {
                ["type"] = "mrkdwn",
                ["text"] = f.Length <= SlackPageMessage.MaxFieldLength ? f : f[..(SlackPageMessage.MaxFieldLength - 1)] + SlackText.Ellipsis,
            })
            .ToArray()),
    };

    public static JsonObject Context(string mrkdwn) => new()
    {
        ["type"] = "context",
        ["elements"] = new JsonArray(new JsonObject { ["type"] = "mrkdwn", ["text"] = mrkdwn }),
    };

    public static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text, ["emoji"] = true };

    public static JsonObject Button(string text, string actionId, string value, string? style = null)
    {
        var button = new JsonObject
        {
            ["type"] = "button",
            ["text"] = PlainText(SlackText.Fit(text, SlackPageMessage.MaxButtonTextLength, escape: false)),
            ["action_id"] = actionId,
            ["value"] = value,
        };
        if (style is not null)
        {
            button["style"] = style;
        }
        return button;
    }
}
