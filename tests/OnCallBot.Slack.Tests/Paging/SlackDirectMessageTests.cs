using OnCallBot.Core.Paging;
using OnCallBot.Slack.Paging;
using static OnCallBot.Slack.Tests.Paging.PagingModel;

namespace OnCallBot.Slack.Tests.Paging;

/// <summary>
/// A person's DM channel is opened once (<c>conversations.open</c> is paced workspace-wide) and reused for every later
/// page, until Slack says it is gone.
/// </summary>
public sealed class SlackDirectMessageTests : IAsyncLifetime
{
    private SlackPagingHost _host = null!;

    public async Task InitializeAsync() => _host = await SlackPagingHost.StartAsync();

    public async Task DisposeAsync()
    {
        var violations = _host.Slack.SpecViolations;
        await _host.DisposeAsync();
        Assert.Empty(violations);
    }

    [Fact]
    public async Task SendPage_TwoPagesToTheSamePerson_OpensTheDmOnceAndPostsTwice()
    {
        await _host.CommandAsync("/page", "checkout Cards are timing out");
        await _host.FireDueAsync();
        await _host.CommandAsync("/page", "checkout Refunds are failing too");

        await _host.FireDueAsync();

        var open = Assert.Single(_host.Slack.CallsTo("conversations.open"));
        Assert.Equal(AnnaSlack, open.Args["users"]);
        var posts = _host.Slack.CallsTo("chat.postMessage");
        Assert.Equal(2, posts.Count);
        var dm = _host.Conversations.Remembered[(SlackChatPlatform.PlatformName, AnnaSlack)];
        Assert.All(posts, post => Assert.Equal(dm, post.Args["channel"]));
        Assert.Equal(["Notified Anna Anders on slack (level 1)"], await NotifiedLinesAsync(1));
        Assert.Equal(["Notified Anna Anders on slack (level 1)"], await NotifiedLinesAsync(2));
    }

    [Fact]
    public async Task SendPage_RememberedChannelIsGone_ReopensDeliversAndRemembersTheNewOne()
    {
        await _host.Conversations.RememberAsync(SlackChatPlatform.PlatformName, AnnaSlack, "D0GONE0001", CancellationToken.None);
        await _host.CommandAsync("/page", "checkout Cards are timing out");
        _host.Slack.EnqueueError("chat.postMessage", "channel_not_found");

        await _host.FireDueAsync();

        var calls = _host.Slack.Calls.Where(c => c.Method is "chat.postMessage" or "conversations.open").ToList();
        Assert.Equal(["chat.postMessage", "conversations.open", "chat.postMessage"], calls.Select(c => c.Method));
        Assert.Equal("D0GONE0001", calls[0].Args["channel"]);
        var fresh = _host.Conversations.Remembered[(SlackChatPlatform.PlatformName, AnnaSlack)];
        Assert.NotEqual("D0GONE0001", fresh);
        Assert.Equal(fresh, calls[2].Args["channel"]);
        Assert.Equal(["Notified Anna Anders on slack (level 1)"], await NotifiedLinesAsync(1));
        Assert.DoesNotContain(await _host.Store.GetEventsAsync(1, CancellationToken.None), e => e.Kind == IncidentEventKind.NotificationFailed);
        // The page message is recorded in the channel it reached, so acknowledging rewrites that one.
        var notification = Assert.Single(await _host.Store.GetNotificationsAsync(1, CancellationToken.None));
        Assert.Equal(fresh, notification.Message!.ConversationId);
    }

    [Fact]
    public async Task SendPage_FreshlyOpenedChannelRefusedToo_FailsOnTheTimelineAndForgetsIt()
    {
        await _host.Conversations.RememberAsync(SlackChatPlatform.PlatformName, AnnaSlack, "D0GONE0001", CancellationToken.None);
        await _host.CommandAsync("/page", "checkout Cards are timing out");
        _host.Slack.EnqueueError("chat.postMessage", "is_archived");
        _host.Slack.EnqueueError("chat.postMessage", "is_archived");

        await _host.FireDueAsync();

        // Anna's remembered channel, then one fresh one (Bob, level 2, is paged after her failure).
        Assert.Single(_host.Slack.CallsTo("conversations.open"), c => c.Args["users"] == AnnaSlack);
        Assert.Equal(2, _host.Slack.CallsTo("chat.postMessage").Count(c => c.Args["channel"] != _host.Conversations.Remembered[(SlackChatPlatform.PlatformName, BobSlack)]));
        Assert.False(_host.Conversations.Remembered.ContainsKey((SlackChatPlatform.PlatformName, AnnaSlack)));
        Assert.Contains(await _host.Store.GetEventsAsync(1, CancellationToken.None), e => e.Kind == IncidentEventKind.NotificationFailed
            && e.Text == "Could not notify Anna Anders on slack: Slack chat.postMessage failed: is_archived");
    }

    [Fact]
    public async Task SendPage_OtherRefusalOnTheRememberedChannel_KeepsItAndOpensNothing()
    {
        await _host.Conversations.RememberAsync(SlackChatPlatform.PlatformName, AnnaSlack, "D0KEPT0001", CancellationToken.None);
        await _host.CommandAsync("/page", "checkout Cards are timing out");
        _host.Slack.EnqueueError("chat.postMessage", "msg_blocks_too_long");

        await _host.FireDueAsync();

        Assert.DoesNotContain(_host.Slack.CallsTo("conversations.open"), c => c.Args["users"] == AnnaSlack);
        Assert.Equal("D0KEPT0001", _host.Slack.CallsTo("chat.postMessage")[0].Args["channel"]);
        Assert.Equal("D0KEPT0001", _host.Conversations.Remembered[(SlackChatPlatform.PlatformName, AnnaSlack)]);
    }

    private async Task<List<string>> NotifiedLinesAsync(long number) =>
        (await _host.Store.GetEventsAsync(number, CancellationToken.None)).Where(e => e.Kind == IncidentEventKind.Notified).Select(e => e.Text).ToList();
}
