using System.Text.Json.Nodes;
using OnCallBot.Core.Paging;
using OnCallBot.Teams.Cards;
using OnCallBot.Teams.Connector;
using OnCallBot.Teams.Tests.Connector;
using OnCallBot.TestKit.Teams;
using static OnCallBot.Teams.Tests.Cards.CardModel;

namespace OnCallBot.Teams.Tests.Cards;

/// <summary>The cards as they travel: rendered, sent proactively through the fake Connector, and updated in place.</summary>
public sealed class CardDeliveryTests
{
    [Fact]
    public async Task PageCard_SentToANewChatThenAcknowledged_IsReplacedInPlaceWithoutTheAcknowledgeButton()
    {
        await using var harness = await TeamsConnectorHarness.StartAsync();
        var triggered = View(Incident());
        var chat = await harness.Client.CreatePersonalConversationAsync(harness.ServiceUrl, FakeBotFramework.UserTenantId, "29:anna");

        var id = await harness.Client.SendAsync(chat.ServiceUrl, chat.ConversationId,
            ConnectorActivity.AdaptiveCard(TeamsPageCard.Render(triggered), TeamsPageCard.Summary(triggered), alert: true));
        var acknowledged = View(Incident(status: IncidentStatus.Acknowledged));
        await harness.Client.UpdateAsync(chat.ServiceUrl, chat.ConversationId, id,
            ConnectorActivity.AdaptiveCard(TeamsPageCard.Render(acknowledged), TeamsPageCard.Summary(acknowledged)));

        var stored = harness.Fake.MessagesIn(chat.ConversationId)[id]!;
        var card = stored["attachments"]![0]!["content"]!.AsObject();
        Assert.Equal(["oncallbot.resolve"], Executes(card).Select(e => e.Verb));
        Assert.Contains("👀 Acknowledged by Anna Anders", RichLines(card));
        Assert.Equal("👀 INC-42 checkout: Cards are timing out (acknowledged by Anna Anders)", (string?)stored["summary"]);
        Assert.Null(stored["channelData"]);
    }

    [Fact]
    public async Task IncidentCard_StartsAChannelThread_AndIsUpdatedThere()
    {
        await using var harness = await TeamsConnectorHarness.StartAsync();
        const string channel = "19:incidents@thread.tacv2";
        var open = Card();

        var thread = await harness.Client.CreateChannelThreadAsync(harness.ServiceUrl, FakeBotFramework.UserTenantId, channel,
            ConnectorActivity.AdaptiveCard(TeamsIncidentCard.Render(open), TeamsIncidentCard.Summary(open)));
        var taken = Card(room: Room(commander: new(Anna, PagedAt)));
        await harness.Client.UpdateAsync(thread.ServiceUrl, thread.ConversationId, thread.ActivityId!,
            ConnectorActivity.AdaptiveCard(TeamsIncidentCard.Render(taken), TeamsIncidentCard.Summary(taken)));

        var card = harness.Fake.MessagesIn(thread.ConversationId)[thread.ActivityId!]!["attachments"]![0]!["content"]!.AsObject();
        Assert.Equal("🔥 INC-42 SEV2 investigating: Cards are timing out (commander: Anna Anders)", (string?)card["fallbackText"]);
        Assert.IsType<JsonArray>(card["actions"]);
    }
}
