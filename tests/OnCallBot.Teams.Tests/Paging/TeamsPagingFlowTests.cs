using System.Text.Json.Nodes;
using OnCallBot.Core.Paging;
using OnCallBot.Teams.Tests.Inbound;
using OnCallBot.TestKit.Teams;

namespace OnCallBot.Teams.Tests.Paging;

/// <summary>Paging in Teams end to end, as its users see it: the channel's replies, the on-call person's 1:1 card, the buttons.</summary>
public sealed class TeamsPagingFlowTests : IAsyncLifetime
{
    private TeamsPagingHost _host = null!;

    public async Task InitializeAsync() => _host = await TeamsPagingHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static string AllText(JsonNode? node) => node?.ToJsonString() ?? string.Empty;

    [Fact]
    public async Task Page_ChannelMention_OnCallPersonGetsAProactiveCard_ASecondPageReusesTheChat()
    {
        var (status, _) = await _host.ChannelCommandAsync("page checkout Cards are timing out");

        Assert.Equal(200, status);
        var reply = Assert.Single(_host.ChannelReplies());
        Assert.StartsWith("🚨 INC-1 paged Checkout: Cards are timing out. Notifying Anna Anders (level 1)…", reply, StringComparison.Ordinal);
        Assert.Contains("'ack INC-1'", reply, StringComparison.Ordinal);

        await _host.FireDueAsync();

        var create = Assert.Single(_host.Bot.ConnectorCalls, c => c.Operation == "create");
        Assert.Equal(TeamsPagingHost.AnnaTeams, (string?)create.Body?["members"]?[0]?["id"]);
        Assert.Equal(FakeBotFramework.UserTenantId, (string?)create.Body?["tenantId"]);
        var chat = await _host.Conversations.FindAsync("teams", TeamsPagingHost.AnnaTeams, CancellationToken.None);
        Assert.NotNull(chat);
        var card = Assert.Single(_host.Bot.MessagesIn(chat!).Values);
        Assert.True((bool?)card?["channelData"]?["notification"]?["alert"]);
        Assert.Contains("Cards are timing out", AllText(card), StringComparison.Ordinal);
        Assert.Contains("oncallbot.ack", AllText(card), StringComparison.Ordinal);

        await _host.ChannelCommandAsync("page search Search is slow");
        await _host.FireDueAsync();

        Assert.Single(_host.Bot.ConnectorCalls, c => c.Operation == "create");
        Assert.Equal(2, _host.Bot.MessagesIn(chat!).Count);
        Assert.Equal(2, _host.Bot.ConnectorCalls.Count(c => c.Operation == "send" && c.ConversationId == chat));
    }

    [Fact]
    public async Task AcknowledgeButton_AcknowledgesAnswersTheRefreshedCard_AndRewritesThePageThroughTheOutbox()
    {
        await _host.ChannelCommandAsync("page checkout Cards are timing out");
        await _host.FireDueAsync();
        var chat = (await _host.Conversations.FindAsync("teams", TeamsPagingHost.AnnaTeams, CancellationToken.None))!;
        var pageId = Assert.Single(_host.Bot.MessagesIn(chat).Keys);

        var (status, body) = await _host.ClickAsync("oncallbot.ack", 1, chat, pageId);

        Assert.Equal(200, status);
        Assert.Equal(200, (int?)body?["statusCode"]);
        Assert.Equal("application/vnd.microsoft.card.adaptive", (string?)body?["type"]);
        var refreshed = AllText(body?["value"]);
        Assert.Contains("Acknowledged by ", refreshed, StringComparison.Ordinal);
        Assert.Contains("Anna Anders", refreshed, StringComparison.Ordinal);
        Assert.DoesNotContain("oncallbot.ack", refreshed, StringComparison.Ordinal);
        Assert.DoesNotContain("oncallbot.escalate", refreshed, StringComparison.Ordinal);
        var incident = await _host.Paging.GetAsync(1, CancellationToken.None);
        Assert.Equal(IncidentStatus.Acknowledged, incident!.Status);
        Assert.Equal("anna", incident.AcknowledgedBy!.UserId);

        await _host.DeliverAsync();

        var update = Assert.Single(_host.Bot.ConnectorCalls, c => c.Operation == "update");
        Assert.Equal((chat, pageId), (update.ConversationId, update.ActivityId));
        var rewritten = AllText(_host.Bot.MessagesIn(chat)[pageId]);
        Assert.Contains("Acknowledged by ", rewritten, StringComparison.Ordinal);
        Assert.DoesNotContain("oncallbot.ack", rewritten, StringComparison.Ordinal);
        Assert.Null(_host.Bot.MessagesIn(chat)[pageId]?["channelData"]);
    }

    [Fact]
    public async Task Ack_BareCommandFromThePagedPerson_AcknowledgesTheIncidentPagingThem()
    {
        await _host.ChannelCommandAsync("page checkout Cards are timing out");
        await _host.FireDueAsync();

        await _host.ChannelCommandAsync("ack", TeamsPagingHost.AnnaTeams, "Anna Anders");

        Assert.Equal("👀 Anna Anders acknowledged INC-1 (Checkout: Cards are timing out). Escalation has stopped.", _host.ChannelReplies()[^1]);
        Assert.Equal(IncidentStatus.Acknowledged, (await _host.Paging.GetAsync(1, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task Page_UnknownService_ClearReplyAndNothingCreated()
    {
        await _host.ChannelCommandAsync("page nosuch Cards are timing out");

        Assert.Equal("No service 'nosuch'. Services: checkout, search.", Assert.Single(_host.ChannelReplies()));
        Assert.Null(await _host.Paging.GetAsync(1, CancellationToken.None));
        await _host.FireDueAsync();
        Assert.DoesNotContain(_host.Bot.ConnectorCalls, c => c.Operation is "create" or "send");
    }

    [Fact]
    public async Task Page_ForgedToken_401AndNothingCreated()
    {
        using var forger = new TestSigningKey("paging-key", "msteams");
        var forged = new TestToken { Audience = FakeBotFramework.AppId, ServiceUrl = _host.Bot.ServiceUrl.AbsoluteUri }.SignWith(forger, _host.Time.GetUtcNow());

        var (status, _) = await _host.ChannelCommandAsync("page checkout Cards are timing out", token: forged);

        Assert.Equal(401, status);
        Assert.Null(await _host.Paging.GetAsync(1, CancellationToken.None));
        await _host.FireDueAsync();
        Assert.Empty(_host.Bot.ConnectorCalls);
    }
}
