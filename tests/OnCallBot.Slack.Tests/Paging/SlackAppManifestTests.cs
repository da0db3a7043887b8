using System.Text.Json;
using System.Text.Json.Nodes;
using OnCallBot.Slack.Paging;
using OnCallBot.TestKit;

namespace OnCallBot.Slack.Tests.Paging;

public sealed class SlackAppManifestTests
{
    private static string ManifestPath => Path.Combine(SharedFixtures.RepositoryRoot, "manifests", "slack-app.json");

    private static JsonElement Load(string text)
    {
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    private static (JsonSchemaValidator Validator, JsonElement Schema) SlackSchema()
    {
        const string Base = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/";
        var validator = new JsonSchemaValidator()
            .Register(Base + "manifest.schema.1.0.0.json", Load(SharedFixtures.ReadText("slack/manifest/manifest.schema.1.0.0.json")))
            .Register(Base + "manifest.schema.2.0.0.json", Load(SharedFixtures.ReadText("slack/manifest/manifest.schema.2.0.0.json")));
        return (validator, Load(SharedFixtures.ReadText("slack/manifest/manifest.schema.json")));
    }

    [SharedFixtureFact]
    public void Manifest_AgainstSlacksSchema_Valid()
    {
        var (validator, schema) = SlackSchema();

        var errors = validator.Validate(schema, Load(File.ReadAllText(ManifestPath)));

        Assert.Empty(errors);
    }

    [SharedFixtureTheory]
    [InlineData("features.slash_commands.0.command", "page")]
    [InlineData("display_information.name", "OnCallBot, the bot that pages whoever is on call")]
    [InlineData("settings.interactivity.request_url", "oncallbot.example.com/slack/interactions")]
    public void Manifest_BrokenCopy_RefusedBySchema(string path, string value)
    {
        var (validator, schema) = SlackSchema();
        var broken = JsonNode.Parse(File.ReadAllText(ManifestPath))!;
        var parts = path.Split('.');
        var node = broken;
        foreach (var part in parts[..^1])
        {
            node = int.TryParse(part, out var index) ? node[index]! : node[part]!;
        }
        node[parts[^1]] = value;

        var errors = validator.Validate(schema, Load(broken.ToJsonString()));

        Assert.NotEmpty(errors);
    }

    [SharedFixtureFact]
    public void Validator_SlacksOwnValidExamples_Valid()
    {
        var (validator, schema) = SlackSchema();

        Assert.Empty(validator.Validate(schema, Load(SharedFixtures.ReadText("slack/manifest/manifest.v1.valid.json"))));
    }

    [Fact]
    public void Manifest_Commands_AreTheOnesTheHandlerAnswersEscapedAndPointAtMapSlack()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(ManifestPath))!;

        var commands = manifest["features"]!["slash_commands"]!.AsArray();
        Assert.Equal(["/page", "/ack", "/resolve", "/incident"], commands.Select(c => (string)c!["command"]!));
        Assert.All(commands, c =>
        {
            Assert.True((bool)c!["should_escape"]!);
            Assert.EndsWith("/slack/commands", (string)c["url"]!, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace((string?)c["usage_hint"]));
        });
        Assert.True((bool)manifest["settings"]!["interactivity"]!["is_enabled"]!);
        Assert.EndsWith("/slack/interactions", (string)manifest["settings"]!["interactivity"]!["request_url"]!, StringComparison.Ordinal);
        Assert.True((bool)manifest["settings"]!["socket_mode_enabled"]!);
        // No Events API subscription: the paging handler acts on no event.
        Assert.Null(manifest["settings"]!["event_subscriptions"]);
    }

    [Fact]
    public void Manifest_BotScopes_ExactlyWhatTheCodeCalls()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(ManifestPath))!;

        var scopes = manifest["oauth_config"]!["scopes"]!["bot"]!.AsArray().Select(s => (string)s!).Order(StringComparer.Ordinal);

        // commands: the slash commands; chat:write: chat.postMessage, chat.update, chat.postEphemeral;
        // chat:write.public: the "nobody acknowledged" post to a team's public channel, and status updates to a
        // stakeholder channel, where the bot was not invited; im:write: conversations.open for pages and reminders;
        // channels:manage: conversations.create, .invite, .setTopic and .archive of incident channels (public);
        // pins:write: pins.add for the incident card and the runbook.
        Assert.Equal(["channels:manage", "chat:write", "chat:write.public", "commands", "im:write", "pins:write"], scopes);
        Assert.Null(manifest["oauth_config"]!["scopes"]!["user"]);
    }

    [Fact]
    public void Actions_ButtonIds_AreTheStableOnes()
    {
        Assert.Equal(("oncallbot.ack", "oncallbot.escalate", "oncallbot.resolve"),
            (SlackPagingActions.Acknowledge, SlackPagingActions.EscalateNow, SlackPagingActions.Resolve));
    }
}
