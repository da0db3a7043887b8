using System.Text;
using System.Text.Json;
using OnCallBot.Teams.Inbound;
using OnCallBot.TestKit;

namespace OnCallBot.Teams.Tests.Inbound;

public sealed class TeamsActivityParserTests
{
    private static TeamsActivity Fixture(string name) =>
        TeamsActivityParser.Parse(Encoding.UTF8.GetBytes(SharedFixtures.ReadText("teams/activities/" + name)));

    private static TeamsActivity Parse(string json) => TeamsActivityParser.Parse(Encoding.UTF8.GetBytes(json));

    public static TheoryData<string> FixtureFiles()
    {
        var data = new TheoryData<string>();
        if (SharedFixtures.Directory is not null)
        {
            foreach (var file in Directory.GetFiles(SharedFixtures.PathOf("teams/activities"), "*.json").Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileName(file));
            }
        }
        else
        {
            data.Add("(fixtures absent: skipped)");
        }
        return data;
    }

    [SharedFixtureTheory]
    [MemberData(nameof(FixtureFiles))]
    public void Parse_EveryFixtureActivity_ReadsTypeServiceUrlAndConversation(string file)
    {
        var raw = JsonDocument.Parse(SharedFixtures.ReadText("teams/activities/" + file)).RootElement;

        var activity = Fixture(file);

        Assert.Equal(raw.GetProperty("type").GetString(), activity.Type);
        Assert.Equal(raw.GetProperty("serviceUrl").GetString(), activity.ServiceUrl?.OriginalString);
        Assert.Equal(raw.TryGetProperty("id", out var id) ? id.GetString() : null, activity.Id);
        Assert.Equal(raw.TryGetProperty("channelId", out var channel) ? channel.GetString() : null, activity.ChannelId);
        Assert.Equal(raw.TryGetProperty("conversation", out var conversation) ? conversation.GetProperty("id").GetString() : null, activity.Conversation?.Id);
        Assert.Equal(raw.TryGetProperty("from", out var from) ? from.GetProperty("id").GetString() : null, activity.From?.Id);
        Assert.Equal(raw.TryGetProperty("channelData", out var data) && data.TryGetProperty("tenant", out var tenant) ? tenant.GetProperty("id").GetString() : null,
            activity.TenantId);
        Assert.Equal(raw.TryGetProperty("text", out var text) ? text.GetString() : null, activity.Text);
    }

    [SharedFixtureFact]
    public void Parse_ChannelAtMention_CommandTextWithoutTheBotsMention()
    {
        var activity = Fixture("message_channel_at_mention.sentry.json");

        Assert.True(activity.IsMessage);
        Assert.Equal("<at>SentryTest</at> help\n", activity.Text);
        Assert.Equal("help", activity.CommandText);
        Assert.Equal(TeamsConversationTypes.Channel, activity.Conversation?.ConversationType);
        Assert.Equal("f5ffd8cf-a1aa-4242-adad-86509faa3be5", activity.Conversation?.TenantId);
        Assert.Equal("a6de2a64-9501-4e16-9e50-74df223570a3", activity.From?.AadObjectId);
        Assert.Equal("28:5710acff-f313-453f-8b75-44fff54bab14", activity.Recipient?.Id);
        Assert.Equal("19:8d46058cda57449380517cc374727f2a@thread.tacv2", activity.TeamId);
    }

    [SharedFixtureFact]
    public void Parse_ThreadReplyWithMention_CommandTextAndThreadConversation()
    {
        var activity = Fixture("message_channel_thread_reply_with_mention.teams-net.json");

        Assert.Equal("reply to thread", activity.CommandText);
        Assert.Equal("19:6848757105754c8981c67612732d9aa7@thread.tacv2;messageid=1759881511856", activity.Conversation?.Id);
        Assert.Equal("19:6848757105754c8981c67612732d9aa7@thread.tacv2", activity.TeamsChannelId);
        Assert.Equal("rido", activity.From?.Name);
        Assert.Equal(new DateTimeOffset(2025, 10, 8, 17, 33, 1, 495, TimeSpan.Zero).AddTicks(3744), activity.Timestamp);
    }

    [SharedFixtureFact]
    public void Parse_PersonalCommand_TextTrimmedAndPersonal()
    {
        var activity = Fixture("message_personal_command.sentry.json");

        Assert.Equal("unlink", activity.CommandText);
        Assert.Equal(TeamsConversationTypes.Personal, activity.Conversation?.ConversationType);
    }

    [SharedFixtureFact]
    public void Parse_AdaptiveCardExecute_InvokeWithActionAndData()
    {
        var activity = Fixture("invoke_adaptiveCard_action_Action.Execute_personal.teams-net.json");

        Assert.True(activity.IsInvoke);
        Assert.Equal(TeamsActivity.AdaptiveCardActionInvoke, activity.Name);
        Assert.Equal("Action.Execute", activity.CardAction?.Type);
        Assert.Null(activity.CardAction?.Verb);
        Assert.Equal("test invokes", activity.CardAction?.Data?.GetProperty("feedback").GetString());
        Assert.Equal("1767765488332", activity.ReplyToId);
        Assert.Equal("56653e9d-2158-46ee-90d7-675c39642038", activity.TenantId);
    }

    [SharedFixtureFact]
    public void Parse_MessageBackCardAction_ValueKept()
    {
        var activity = Fixture("message_messageBack_card_action.msteams-docs.json");

        Assert.Equal("propertyValue", activity.Value?.GetProperty("property").GetString());
        Assert.Equal("1575667808184", activity.ReplyToId);
        Assert.Null(activity.CardAction);
    }

    [SharedFixtureFact]
    public void Parse_BotInstalledInTeam_ConversationUpdateWithMemberAndEvent()
    {
        var activity = Fixture("conversationUpdate_teamMemberAdded_bot_installed_in_team.sentry.json");

        Assert.True(activity.IsConversationUpdate);
        Assert.Equal("teamMemberAdded", activity.EventType);
        Assert.Equal("28:5710acff-f313-453f-8b75-44fff54bab14", Assert.Single(activity.MembersAdded).Id);
        Assert.True(activity.Conversation?.IsGroup);
    }

    [SharedFixtureFact]
    public void Parse_TeamMemberRemoved_MembersRemoved()
    {
        var activity = Fixture("conversationUpdate_teamMemberRemoved.sentry.json");

        Assert.Equal("teamMemberRemoved", activity.EventType);
        Assert.Single(activity.MembersRemoved);
        Assert.Empty(activity.MembersAdded);
    }

    [Fact]
    public void Parse_ExecuteWithVerb_VerbRead()
    {
        var activity = Parse("""
            {"type":"invoke","name":"adaptiveCard/action","channelId":"msteams","serviceUrl":"https://smba.trafficmanager.net/emea/",
             "value":{"action":{"type":"Action.Execute","verb":"ack","data":{"incident":"42"}},"trigger":"manual"}}
            """);

        Assert.Equal("ack", activity.CardAction?.Verb);
        Assert.Equal("42", activity.CardAction?.Data?.GetProperty("incident").GetString());
    }

    [Theory]
    [InlineData("", "not a valid JSON activity")]
    [InlineData("{\"type\":\"message\",", "not a valid JSON activity")]
    [InlineData("[1,2]", "not a valid JSON activity")]
    [InlineData("null", "no 'type'")]
    [InlineData("{}", "no 'type'")]
    [InlineData("{\"type\":\"\"}", "no 'type'")]
    [InlineData("{\"type\":42}", "not a valid JSON activity")]
    [InlineData("{\"type\":\"message\",\"from\":\"29:user\"}", "not a valid JSON activity")]
    [InlineData("{\"type\":\"message\",\"serviceUrl\":\"smba.trafficmanager.net/amer/\"}", "'serviceUrl'")]
    [InlineData("{\"type\":\"message\",\"serviceUrl\":\"ftp://smba.trafficmanager.net/amer/\"}", "'serviceUrl'")]
    [InlineData("{\"type\":\"invoke\",\"name\":\"adaptiveCard/action\",\"value\":{\"trigger\":\"manual\"}}", "'value.action'")]
    [InlineData("{\"type\":\"invoke\",\"name\":\"adaptiveCard/action\",\"value\":{\"action\":{\"verb\":7}}}", "'verb'")]
    public void Parse_Malformed_ThrowsSayingWhy(string json, string expected)
    {
        var ex = Assert.Throws<TeamsActivityFormatException>(() => Parse(json));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<at>OnCallBot</at> ack 42", "ack 42")]
    [InlineData("  <at>OnCallBot</at>   page checkout  Cards are timing out ", "page checkout  Cards are timing out")]
    [InlineData("page checkout <at>OnCallBot</at> now", "page checkout now")]
    [InlineData("<at>OnCallBot</at> page <at>Ada</at> db down", "page <at>Ada</at> db down")]
    [InlineData("<at>Bot</at> resolve", "resolve")]
    [InlineData("resolve", "resolve")]
    public void RemoveMention_BotMention_CutWithTheBlanksAroundIt(string text, string expected)
    {
        var entities = new List<TeamsEntityWire?>
        {
            new() { Type = "mention", Text = "<at>OnCallBot</at>", Mentioned = new TeamsAccount { Id = "28:bot" } },
            new() { Type = "mention", Text = "<at>Ada</at>", Mentioned = new TeamsAccount { Id = "29:ada" } },
        };

        Assert.Equal(expected, TeamsActivityParser.RemoveMention(text, "28:bot", entities));
    }

    [Fact]
    public void RemoveMention_BotNotMentioned_OtherMentionsStay()
    {
        var entities = new List<TeamsEntityWire?>
        {
            new() { Type = "mention", Text = "<at>Ada</at>", Mentioned = new TeamsAccount { Id = "29:ada" } },
        };

        Assert.Equal("<at>Ada</at> page db", TeamsActivityParser.RemoveMention("<at>Ada</at> page db", "28:bot", entities));
    }
}
