using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Model;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.Slack.Coordination;
using static OnCallBot.Slack.Tests.Coordination.CoordinationModel;

namespace OnCallBot.Slack.Tests.Coordination;

/// <summary>The Slack adapter of the incident-channel port on its own, against the spec-checked fake Slack.</summary>
public sealed class SlackIncidentChannelsTests : IAsyncLifetime
{
    private SlackCoordinationHost _host = null!;
    private IncidentChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _host = await SlackCoordinationHost.StartAsync();
        var created = (ChannelCreation.Created)await _host.Channels.CreateChannelAsync("inc-9-test", CancellationToken.None);
        _channel = new IncidentChannel("slack", created.ChannelId, created.Name, null);
    }

    public async Task DisposeAsync()
    {
        var violations = _host.Slack.SpecViolations;
        await _host.DisposeAsync();
        Assert.Empty(violations);
    }

    [Fact]
    public async Task Invite_MixedPeople_OneCallWithSlackIdsAndTheRestReturned()
    {
        var dave = new Actor("teams", "29:dave", "Dave Dunn", "dave");
        var annaFromTeams = new Actor("teams", "29:anna", "Anna Anders", "anna");
        var stranger = new Actor("slack", StrangerSlack, "stranger", null);

        var skipped = await _host.Channels.InviteAsync(_channel, [annaFromTeams, stranger, dave, Actor.System, new Actor("slack", BobSlack, "Bob Berg", "bob")], CancellationToken.None);

        Assert.Equal([dave, Actor.System], skipped);
        var invite = Assert.Single(_host.Slack.CallsTo("conversations.invite"));
        Assert.Equal($"{AnnaSlack},{StrangerSlack},{BobSlack}", invite.Args["users"]);
    }

    [Fact]
    public async Task Invite_SomeoneAlreadyInTheChannel_EachInvitedAloneAndNoFailure()
    {
        _host.Slack.EnqueueError("conversations.invite", "already_in_channel");
        _host.Slack.EnqueueError("conversations.invite", "already_in_channel");

        await _host.Channels.InviteAsync(_channel, [new Actor("slack", AnnaSlack, "Anna", "anna"), new Actor("slack", BobSlack, "Bob", "bob")], CancellationToken.None);

        Assert.Equal([$"{AnnaSlack},{BobSlack}", AnnaSlack, BobSlack], _host.Slack.CallsTo("conversations.invite").Select(c => c.Args["users"]));
    }

    [Fact]
    public async Task Invite_SlackRefuses_OneLineNamingTheScope()
    {
        _host.Slack.EnqueueError("conversations.invite", "missing_scope", "channels:manage");

        var error = await Assert.ThrowsAsync<ChatDeliveryException>(() =>
            _host.Channels.InviteAsync(_channel, [new Actor("slack", AnnaSlack, "Anna", "anna")], CancellationToken.None));

        Assert.Equal("Slack conversations.invite failed: missing_scope (add the 'channels:manage' scope to the Slack app and reinstall it)", error.Message);
    }

    [Fact]
    public async Task Create_RestrictedAction_SaysWhatToAskFor()
    {
        _host.Slack.EnqueueError("conversations.create", "restricted_action");

        var error = await Assert.ThrowsAsync<ChatDeliveryException>(() => _host.Channels.CreateChannelAsync("inc-10", CancellationToken.None));

        Assert.StartsWith("Slack conversations.create failed: restricted_action (a workspace setting", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetTopic_Long_EscapedAndCutTo250WithEllipsis()
    {
        var topic = "INC-9 SEV1 | Investigating | Commander: A & B | " + new string('z', 400);

        await _host.Channels.SetTopicAsync(_channel, topic, CancellationToken.None);

        var sent = Assert.Single(_host.Slack.CallsTo("conversations.setTopic")).Args["topic"];
        Assert.Equal(250, sent.Length);
        Assert.StartsWith("INC-9 SEV1 | Investigating | Commander: A &amp; B | zzz", sent, StringComparison.Ordinal);
        Assert.EndsWith("…", sent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetTopic_CutFallsAmongEscapes_NeverHalfAnEscapeAndLinesFolded()
    {
        var topic = "INC-9 SEV1 | line one\nline two | " + new string('<', 300);

        await _host.Channels.SetTopicAsync(_channel, topic, CancellationToken.None);

        var sent = Assert.Single(_host.Slack.CallsTo("conversations.setTopic")).Args["topic"];
        Assert.True(sent.Length <= 250, sent);
        Assert.StartsWith("INC-9 SEV1 | line one line two | &lt;&lt;", sent, StringComparison.Ordinal);
        Assert.Matches("^(&lt;)+…$", sent["INC-9 SEV1 | line one line two | ".Length..]);
    }

    [Fact]
    public async Task Archive_AlreadyArchived_Succeeds()
    {
        _host.Slack.EnqueueError("conversations.archive", "already_archived");

        await _host.Channels.ArchiveAsync(_channel, CancellationToken.None);

        Assert.Single(_host.Slack.CallsTo("conversations.archive"));
    }

    [Fact]
    public async Task Remind_ConfigUserFromAnotherPlatform_DmsTheirSlackId()
    {
        await _host.Channels.RemindAsync(new Actor("teams", "29:anna", "Anna Anders", "anna"), "A status update is due", CancellationToken.None);

        Assert.Equal(AnnaSlack, Assert.Single(_host.Slack.CallsTo("conversations.open")).Args["users"]);
        var post = _host.Slack.CallsTo("chat.postMessage")[^1];
        Assert.StartsWith("D", post.Args["channel"], StringComparison.Ordinal);
        Assert.Equal("A status update is due", post.Args["text"]);
    }

    [Fact]
    public async Task Remind_NoSlackId_RefusedWithReason()
    {
        var error = await Assert.ThrowsAsync<ChatDeliveryException>(() =>
            _host.Channels.RemindAsync(new Actor("teams", "29:dave", "Dave Dunn", "dave"), "due", CancellationToken.None));

        Assert.StartsWith("Dave Dunn has no Slack user id", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddRunbook_PinRefused_SaysPostedButNotPinnedWithTheScope()
    {
        _host.Slack.EnqueueError("pins.add", "missing_scope", "pins:write");

        var error = await Assert.ThrowsAsync<ChatDeliveryException>(() =>
            _host.Channels.AddRunbookAsync(_channel, new Uri("https://runbooks.example.com/x"), CancellationToken.None));

        Assert.Equal("the runbook was posted but not pinned: Slack pins.add failed: missing_scope (add the 'pins:write' scope to the Slack app and reinstall it)", error.Message);
        Assert.Single(_host.Slack.CallsTo("chat.postMessage"));
    }

    [Fact]
    public async Task Post_LongMarkdown_SplitIntoMessagesWithinSlacksAdvice()
    {
        var markdown = "# INC-9: Long\n" + string.Join('\n', Enumerable.Range(1, 300).Select(i => $"- **{i}** " + new string('x', 30)));

        var post = _host.Channels.PostAsync(_channel.ChannelId, markdown, CancellationToken.None);
        // The parts go out at Slack's pace for one channel (a short burst, then one a second) on the test's clock.
        for (var i = 0; i < 100 && !post.IsCompleted; i++)
        {
            await Task.WhenAny(post, Task.Delay(10));
            _host.Time.Advance(TimeSpan.FromSeconds(1));
        }
        await post.WaitAsync(TimeSpan.FromSeconds(10));

        var posts = _host.Slack.CallsTo("chat.postMessage").Select(c => c.Args["text"]).ToList();
        Assert.True(posts.Count > 1);
        Assert.All(posts, p => Assert.True(p.Length <= SlackIncidentChannels.MaxMessageLength));
        Assert.StartsWith("*INC-9: Long*\n• *1* xxx", posts[0], StringComparison.Ordinal);
        Assert.EndsWith("• *300* " + new string('x', 30), posts[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void AddSlack_RegistersSlackAsAnIncidentChannelPlatform()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>()).Build());
        services.AddSingleton<IOnCallModelProvider>(new StaticModel());
        services.AddSlack();
        services.AddSlack();
        using var provider = services.BuildServiceProvider();

        var platform = Assert.Single(provider.GetServices<IIncidentChannels>());

        Assert.IsType<SlackIncidentChannels>(platform);
        Assert.Equal("slack", platform.Name);
    }

    [Fact]
    public async Task AnyCall_SlackOff_RefusedSayingHowToTurnItOn()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>()).Build());
        services.AddSingleton<IOnCallModelProvider>(new StaticModel());
        services.AddSlack();
        await using var provider = services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<ChatDeliveryException>(() =>
            provider.GetServices<IIncidentChannels>().Single().CreateChannelAsync("inc-1", CancellationToken.None));

        Assert.StartsWith("Slack is off", error.Message, StringComparison.Ordinal);
    }

    private sealed class StaticModel : IOnCallModelProvider
    {
        public OnCallModel Current { get; } = Build();
    }
}
