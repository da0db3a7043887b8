using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NodaTime;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Paging;
using OnCallBot.Slack.Coordination;
using OnCallBot.Slack.Paging;
using OnCallBot.Slack.Tests.Fakes;
using OnCallBot.Slack.Tests.Paging;
using OnCallBot.TestKit.Slack;
using static OnCallBot.Slack.Tests.Coordination.CoordinationModel;

namespace OnCallBot.Slack.Tests.Coordination;

/// <summary>Incident channels, the card and its role buttons on Slack, through signed requests and a spec-checked fake Slack.</summary>
public sealed partial class SlackCoordinationFlowTests : IAsyncLifetime
{
    private SlackCoordinationHost _host = null!;

    public async Task InitializeAsync() => _host = await SlackCoordinationHost.StartAsync();

    public async Task DisposeAsync()
    {
        // Every test ends with Slack's calls checked against Slack's spec, whatever it asserted.
        var violations = _host.Slack.SpecViolations;
        await _host.DisposeAsync();
        Assert.Empty(violations);
    }

    internal static JsonArray BlocksOf(RecordedSlackCall call) => JsonNode.Parse(call.Args["blocks"])!.AsArray();

    internal static List<JsonObject> Buttons(JsonArray blocks) =>
        blocks.Where(b => (string?)b!["type"] == "actions").SelectMany(b => b!["elements"]!.AsArray()).Select(e => e!.AsObject()).ToList();

    internal static List<string> Fields(JsonArray blocks) =>
        blocks.Where(b => b!["fields"] is not null).SelectMany(b => b!["fields"]!.AsArray()).Select(f => (string)f!["text"]!).ToList();

    /// <summary>The mrkdwn of every section's text, as Slack would render it (newlines and all).</summary>
    internal static string Sections(JsonArray blocks) =>
        string.Join("\n\n", blocks.Where(b => b!["text"]?["type"]?.GetValue<string>() == "mrkdwn").Select(b => (string)b!["text"]!["text"]!));

    internal static string AllText(JsonArray blocks) =>
        blocks.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private List<RecordedSlackCall> PostsIn(string channel) => _host.Slack.CallsTo("chat.postMessage").Where(c => c.Args["channel"] == channel).ToList();

    private RecordedSlackCall CardPost(string channel) => Assert.Single(PostsIn(channel), c => c.Args.ContainsKey("blocks"));

    private RecordedSlackCall LatestCard(string channel) =>
        _host.Slack.Calls.Last(c => c.Args.GetValueOrDefault("channel") == channel && c.Args.ContainsKey("blocks") && c.Method is "chat.postMessage" or "chat.update");

    [Fact]
    public async Task Page_ChannelOpened_NamedChannelInvitesTopicPostsAndPinsCardAndRunbook()
    {
        var number = await _host.PageAndOpenAsync();

        var create = Assert.Single(_host.Slack.CallsTo("conversations.create"));
        Assert.Equal("inc-1-cards-are-timing-out", create.Args["name"]);
        Assert.Equal("false", create.Args["is_private"]);
        var channel = _host.ChannelOf(number);
        Assert.Equal(("inc-1-cards-are-timing-out", "slack"), (channel.Name, channel.Platform));
        // The channel opens as soon as the page is in (the pager invited then), and Anna joins when she is notified.
        var invites = _host.Slack.CallsTo("conversations.invite");
        Assert.All(invites, i => Assert.Equal(channel.ChannelId, i.Args["channel"]));
        Assert.Equal([OliverSlack, AnnaSlack], invites.SelectMany(i => i.Args["users"].Split(',')));
        var topic = Assert.Single(_host.Slack.CallsTo("conversations.setTopic"));
        Assert.Equal("INC-1 SEV3 | Investigating | Commander: unfilled | Cards are timing out", topic.Args["topic"]);

        var posts = PostsIn(channel.ChannelId);
        Assert.Equal(2, posts.Count);
        Assert.Equal("📘 Runbook: <https://runbooks.example.com/checkout|runbooks.example.com/checkout>", posts[0].Args["text"]);
        var card = posts[1];
        Assert.Equal("🔥 INC-1 SEV3 investigating: Cards are timing out (commander: unfilled)", card.Args["text"]);
        var blocks = BlocksOf(card);
        Assert.Equal("🔥 INC-1 · SEV3 · Investigating", (string?)blocks[0]!["text"]!["text"]);
        Assert.Equal(
            [
                "*Service*\nCheckout (owner: Checkout Team)", "*Severity*\nSEV3", "*Phase*\nInvestigating",
                "*Commander*\n_unfilled_", "*Scribe*\n_unfilled_", "*Comms*\n_unfilled_",
                "*Runbook*\n<https://runbooks.example.com/checkout|Open the runbook>", "*Customer impact*\nnot marked", "*Last status update*\nnone yet",
            ],
            Fields(blocks));
        var text = Sections(blocks);
        Assert.Contains($"*Upstream* (what Checkout depends on)\n• *Payments API*: <@{CarolSlack}>", text, StringComparison.Ordinal);
        Assert.Contains("*Downstream* (what depends on Checkout)\n• *Cart*: Dave Dunn", text, StringComparison.Ordinal);
        Assert.Equal(
            [("I'll be commander", SlackCoordinationActions.Commander, "1"), ("I'll be scribe", SlackCoordinationActions.Scribe, "1"), ("I'll be comms", SlackCoordinationActions.Comms, "1")],
            Buttons(blocks).Select(b => ((string)b["text"]!["text"]!, (string)b["action_id"]!, (string)b["value"]!)).ToList());

        var pins = _host.Slack.CallsTo("pins.add");
        // The runbook's message is pinned first, then the card's (whose ts the room keeps for later rewrites).
        Assert.Equal(2, pins.Count);
        Assert.All(pins, p => Assert.Equal(channel.ChannelId, p.Args["channel"]));
        Assert.Equal(_host.ChannelOf(number).CardMessageId, pins[1].Args["timestamp"]);
        Assert.NotEqual(pins[0].Args["timestamp"], pins[1].Args["timestamp"]);
        Assert.Contains((await _host.EventsAsync(number)), e => e.Kind == IncidentEventKind.ChannelOpened && e.Text == "Opened #inc-1-cards-are-timing-out on slack");
        Assert.DoesNotContain(await _host.EventsAsync(number), e => e.Kind == IncidentEventKind.ChannelFailed);
    }

    [Fact]
    public async Task Page_SummaryWithLiteralMarkup_TopicShowsItAsTypedWithNothingLive()
    {
        // What Slack sends when someone types <!channel>, <@U0BOB>, <https://evil.example|click> and &lt;!here&gt;
        // as text (not Slack's own mentions and links): each must reach the topic as text, not as live markup.
        var number = await _host.PageAndOpenAsync("&lt;!channel&gt; &lt;@U0BOB&gt; &lt;https://evil.example|click&gt; &amp;lt;!here&amp;gt; R&amp;D");

        Assert.Equal("<!channel> <@U0BOB> <https://evil.example|click> &lt;!here&gt; R&D", (await _host.Store.GetAsync(number, CancellationToken.None))!.Summary);
        var topic = Assert.Single(_host.Slack.CallsTo("conversations.setTopic")).Args["topic"];
        Assert.Equal(
            "INC-1 SEV3 | Investigating | Commander: unfilled | &lt;!channel&gt; &lt;@U0BOB&gt; &lt;https://evil.example|click&gt; &amp;lt;!here&amp;gt; R&amp;D",
            topic);
        Assert.DoesNotContain('<', topic);
        Assert.DoesNotContain('>', topic);
    }

    [Theory]
    [InlineData("Checkout fails for every customer paying with a card issued outside the eurozone since the 14:00 deploy of v41 went out", "inc-1-checkout-fails-for-every-customer-paying-with-a-card-issued-outside-the-eu")]
    [InlineData("Zahlungen für Österreich schlagen fehl", "inc-1-zahlungen-fur-osterreich-schlagen-fehl")]
    [InlineData("🔥🔥 Checkout 💥 down!!", "inc-1-checkout-down")]
    [InlineData("支付失败", "inc-1")]
    public async Task Page_SummaryOfAnyKind_ChannelNameSlackAccepts(string summary, string expected)
    {
        var number = await _host.PageAndOpenAsync(summary);

        var name = Assert.Single(_host.Slack.CallsTo("conversations.create")).Args["name"];
        Assert.Equal(expected, name);
        Assert.Matches("^[a-z0-9_-]{1,80}$", name);
        Assert.Equal(expected, _host.ChannelOf(number).Name);
    }

    [Fact]
    public async Task Page_NameTaken_OpensTheDashTwoName()
    {
        _host.Slack.EnqueueError("conversations.create", "name_taken");

        var number = await _host.PageAndOpenAsync();

        Assert.Equal(["inc-1-cards-are-timing-out", "inc-1-cards-are-timing-out-2"], _host.Slack.CallsTo("conversations.create").Select(c => c.Args["name"]));
        Assert.Equal("inc-1-cards-are-timing-out-2", _host.ChannelOf(number).Name);
        Assert.DoesNotContain(await _host.EventsAsync(number), e => e.Kind == IncidentEventKind.ChannelFailed);
    }

    [Theory]
    [InlineData("channels:manage")]
    [InlineData(null)]
    public async Task Page_MissingScopeOnCreate_IncidentGoesOnInDmsAndTimelineNamesTheScopeOnce(string? needed)
    {
        _host.Slack.EnqueueError("conversations.create", "missing_scope", needed);

        var number = await _host.PageAndOpenAsync();
        // The job runs again (a retry, a restart): the same refusal is not said twice.
        _host.Slack.EnqueueError("conversations.create", "missing_scope", needed);
        await _host.Coordination.OpenChannelsAsync(number, CancellationToken.None);

        Assert.Empty(_host.Room(number).Channels);
        var failed = Assert.Single(await _host.EventsAsync(number), e => e.Kind == IncidentEventKind.ChannelFailed);
        Assert.Equal(
            "Could not open an incident channel on slack: Slack conversations.create failed: missing_scope (add the 'channels:manage' scope to the Slack app and reinstall it). INC-1 goes on in direct messages there.",
            failed.Text);
        Assert.Single(_host.Slack.CallsTo("conversations.open"), c => c.Args["users"] == AnnaSlack);
        var ack = await _host.CommandAsync("/ack", "INC-1", AnnaSlack, "anna");
        Assert.Equal("in_channel", ack.ResponseType);
        Assert.Equal(IncidentStatus.Acknowledged, (await _host.Store.GetAsync(number, CancellationToken.None))!.Status);
        // Coordination goes on without a channel: the first to acknowledge commands.
        Assert.Equal("anna", _host.Room(number).Commander?.Person.UserId);
    }

    [Fact]
    public async Task CommanderButton_Clicked_CardRewrittenTopicUpdatedAndHandoverAnnouncedOnSecondClick()
    {
        var number = await _host.PageAndOpenAsync();
        var channel = _host.ChannelOf(number);

        var body = await _host.ClickAsync(SlackCoordinationActions.Commander, number, AnnaSlack, channel.ChannelId, channel.CardMessageId!);
        await _host.WhenIdleAsync();

        Assert.Equal(string.Empty, body);
        var update = Assert.Single(_host.Slack.CallsTo("chat.update"));
        Assert.Equal((channel.ChannelId, channel.CardMessageId), (update.Args["channel"], update.Args["ts"]));
        Assert.Contains($"*Commander*\n<@{AnnaSlack}>", Fields(BlocksOf(update)));
        Assert.Contains("*Scribe*\n_unfilled_", Fields(BlocksOf(update)));
        Assert.Equal("INC-1 SEV3 | Investigating | Commander: Anna Anders | Cards are timing out", _host.Slack.CallsTo("conversations.setTopic")[^1].Args["topic"]);
        Assert.Equal("Anna Anders is now commander.", PostsIn(channel.ChannelId)[^1].Args["text"]);
        Assert.Empty(_host.Slack.ResponseUrlPosts);

        // Nobody acknowledged, so Bob (level 2) is paged five minutes in; a responder now, he takes command. (The clock
        // moving also lets Slack's per-channel pacing of chat.postMessage, which the client keeps, move on.)
        _host.Time.Advance(TimeSpan.FromMinutes(5));
        await _host.FireDueAsync();
        await _host.ClickAsync(SlackCoordinationActions.Commander, number, BobSlack, channel.ChannelId, channel.CardMessageId!);
        await _host.WhenIdleAsync();

        Assert.Contains($"*Commander*\n<@{BobSlack}>", Fields(BlocksOf(_host.Slack.CallsTo("chat.update")[^1])));
        Assert.Equal("commander handed over: Anna Anders → Bob Berg.", PostsIn(channel.ChannelId)[^1].Args["text"]);
        Assert.Equal("bob", _host.Room(number).Commander!.Person.UserId);

        // Clicking the role one already holds changes nothing and is said to the clicker alone.
        await _host.ClickAsync(SlackCoordinationActions.Commander, number, BobSlack, channel.ChannelId, channel.CardMessageId!, responseUrlId: "again");
        await _host.WhenIdleAsync();
        var said = Assert.Single(_host.Slack.ResponseUrlPosts);
        Assert.Equal("again", said.Id);
        using var json = JsonDocument.Parse(said.Body);
        Assert.Equal(("ephemeral", "Bob Berg is already commander of INC-1."),
            (json.RootElement.GetProperty("response_type").GetString(), json.RootElement.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task Sev_InIncidentChannel_ImpliesTheIncidentAndUpdatesCardTopicAndChannel()
    {
        var number = await _host.PageAndOpenAsync();
        var channel = _host.ChannelOf(number);

        var reply = await _host.CommandAsync("/incident", "sev 2", AnnaSlack, "anna", channel.ChannelId);

        Assert.True(reply.IsEphemeral);
        Assert.Equal("Severity: SEV3 → SEV2.", reply.Text);
        Assert.Equal(2, _host.Room(number).Severity);
        Assert.Equal("🔥 INC-1 · SEV2 · Investigating", (string?)BlocksOf(_host.Slack.CallsTo("chat.update")[^1])[0]!["text"]!["text"]);
        Assert.StartsWith("INC-1 SEV2 |", _host.Slack.CallsTo("conversations.setTopic")[^1].Args["topic"], StringComparison.Ordinal);
        Assert.Equal("Severity: SEV3 → SEV2 (by Anna Anders).", PostsIn(channel.ChannelId)[^1].Args["text"]);
    }

    [Fact]
    public async Task Sev_ElsewhereWithId_ChangesThatIncident()
    {
        var number = await _host.PageAndOpenAsync();

        var reply = await _host.CommandAsync("/incident", "sev INC-1 1", AnnaSlack, "anna");

        Assert.Equal("Severity: SEV3 → SEV1.", reply.Text);
        Assert.Equal(1, _host.Room(number).Severity);
    }

    [Fact]
    public async Task Sev_ElsewhereWithoutId_AsksWhichIncidentAndChangesNothing()
    {
        var number = await _host.PageAndOpenAsync();

        var reply = await _host.CommandAsync("/incident", "sev 2", AnnaSlack, "anna");

        Assert.True(reply.IsEphemeral);
        Assert.Equal("Which incident? Run this in the incident's channel or name it: `/incident sev 2 INC-42`.", reply.Text);
        Assert.Equal(3, _host.Room(number).Severity);
    }

    [Fact]
    public async Task Sev_ByNonResponder_RefusedWithReasonAndNothingChanges()
    {
        var number = await _host.PageAndOpenAsync();
        var channel = _host.ChannelOf(number);
        var version = _host.Room(number).Version;

        var reply = await _host.CommandAsync("/incident", "sev 1", StrangerSlack, "stranger", channel.ChannelId);

        Assert.True(reply.IsEphemeral);
        Assert.Equal("Only responders of INC-1 may change its severity. Ask a responder to add you with /incident role &lt;role&gt; @you.", reply.Text);
        Assert.Equal((3, version), (_host.Room(number).Severity, _host.Room(number).Version));
        Assert.Empty(_host.Slack.CallsTo("chat.update"));
    }

    [Theory]
    [InlineData("sev", "Usage: `/incident sev &lt;1-4&gt; [INC-42]`")]
    [InlineData("sev five", "Usage: `/incident sev &lt;1-4&gt; [INC-42]`")]
    [InlineData("sev 2 3", "Usage: `/incident sev &lt;1-4&gt; [INC-42]`")]
    [InlineData("phase done", "Usage: `/incident phase investigating|identified|monitoring [INC-42]`")]
    [InlineData("impact maybe", "Usage: `/incident impact start|end [INC-42]`")]
    [InlineData("role boss", "Usage: `/incident role commander|scribe|comms [@person] [INC-42]`")]
    [InlineData("role commander,scribe", "Usage: `/incident role commander|scribe|comms [@person] [INC-42]`")]
    [InlineData("note", "Usage: `/incident note [INC-42] &lt;text&gt;`")]
    [InlineData("status", "Usage: `/incident status [INC-42] &lt;text&gt;`")]
    [InlineData("page", "Usage: `/incident page [INC-42] &lt;service or @person&gt; [what you need]`")]
    [InlineData("resolve now", "Usage: `/incident resolve [INC-42]`")]
    public async Task IncidentCommand_BadCall_UsageAndNothingChanges(string text, string expectedStart)
    {
        var number = await _host.PageAndOpenAsync();
        var channel = _host.ChannelOf(number);
        var before = _host.Room(number);
        var calls = _host.Slack.Calls.Count;

        var inChannel = await _host.CommandAsync("/incident", text, AnnaSlack, "anna", channel.ChannelId);
        var elsewhere = await _host.CommandAsync("/incident", text + " INC-1", AnnaSlack, "anna");

        Assert.All([inChannel, elsewhere], reply =>
        {
            Assert.True(reply.IsEphemeral);
            Assert.StartsWith(expectedStart, reply.Text, StringComparison.Ordinal);
        });
        Assert.Equal(before, _host.Room(number));
        Assert.Equal(IncidentStatus.Triggered, (await _host.Store.GetAsync(number, CancellationToken.None))!.Status);
        Assert.Equal(calls, _host.Slack.Calls.Count);
    }

    [Fact]
    public async Task IncidentNote_SameSignedCommandThreeTimes_OneNoteAndOnePost()
    {
        var number = await _host.PageAndOpenAsync();
        var channel = _host.ChannelOf(number).ChannelId;
        var posts = PostsIn(channel).Count;
        var trigger = _host.NextTriggerId();

        var replies = new List<CommandReply>();
        for (var i = 0; i < 3; i++)
        {
            replies.Add(await _host.CommandAsync("/incident", "note Rolled back to v41", AnnaSlack, "anna", channel, trigger));
        }

        Assert.Equal(
            ["Noted on INC-1's timeline.", "OnCallBot already received this command, so it was not run again.", "OnCallBot already received this command, so it was not run again."],
            replies.Select(r => r.Text));
        Assert.All(replies, r => Assert.True(r.IsEphemeral));
        Assert.Single(await _host.EventsAsync(number), e => e.Kind == IncidentEventKind.Note);
        Assert.Equal(posts + 1, PostsIn(channel).Count);
    }

    [Fact]
    public async Task IncidentNote_WithCrLfAndNul_KeepsItsLineBreakAndLosesTheNul()
    {
        var number = await _host.PageAndOpenAsync();
        var channel = _host.ChannelOf(number).ChannelId;
        _host.Time.Advance(TimeSpan.FromMinutes(1));

        var reply = await _host.CommandAsync("/incident", "note Rolled back to v41\r\nthen\0 cleared\u0007 the cache", AnnaSlack, "anna", channel);

        Assert.Equal("Noted on INC-1's timeline.", reply.Text);
        Assert.Contains(await _host.EventsAsync(number), e => e.Kind == IncidentEventKind.Note && e.Text == "Anna Anders: Rolled back to v41\nthen cleared the cache");
        Assert.Equal("📝 Anna Anders: Rolled back to v41\nthen cleared the cache", PostsIn(channel)[^1].Args["text"]);
    }

    [Fact]
    public async Task IncidentCommands_InChannelThenElsewhereWithId_EachChangesTheRoomAndSaysSo()
    {
        var number = await _host.PageAndOpenAsync();
        var channel = _host.ChannelOf(number).ChannelId;
        // A minute between commands, as people type them (and so the per-channel pacing of posts moves on).
        async Task<CommandReply> Say(string text, string user, string name, string? where = null)
        {
            _host.Time.Advance(TimeSpan.FromMinutes(1));
            return where is null ? await _host.CommandAsync("/incident", text, user, name) : await _host.CommandAsync("/incident", text, user, name, where);
        }

        Assert.Equal("Phase: investigating → identified.", (await Say("phase identified", AnnaSlack, "anna", channel)).Text);
        Assert.Equal("Phase: identified → monitoring.", (await Say("phase monitoring INC-1", AnnaSlack, "anna")).Text);
        Assert.Equal(IncidentPhase.Monitoring, _host.Room(number).Phase);

        Assert.Equal("Noted on INC-1's timeline.", (await Say("note Rolled back to v41 &amp; cleared the cache", AnnaSlack, "anna", channel)).Text);
        Assert.Equal("📝 Anna Anders: Rolled back to v41 &amp; cleared the cache", PostsIn(channel)[^1].Args["text"]);
        Assert.Equal("Noted on INC-1's timeline.", (await Say("note INC-1 Same cause as INC-7", BobSlack, "bob")).Text);
        Assert.Contains(await _host.EventsAsync(number), e => e.Kind == IncidentEventKind.Note && e.Text == "Bob Berg: Same cause as INC-7");

        Assert.Equal("Customer impact started.", (await Say("impact start", AnnaSlack, "anna", channel)).Text);
        var started = _host.Now;
        Assert.Contains($"*Customer impact*\nstarted <!date^{started.ToUnixTimeSeconds()}^", string.Join('\n', Fields(BlocksOf(LatestCard(channel)))), StringComparison.Ordinal);
        Assert.Contains(", ongoing", string.Join('\n', Fields(BlocksOf(LatestCard(channel)))), StringComparison.Ordinal);
        _host.Time.Advance(TimeSpan.FromMinutes(24));
        Assert.Equal("Customer impact ended after 25m.", (await Say("impact end INC-1", AnnaSlack, "anna")).Text);
        Assert.Contains($", ended <!date^{_host.Now.ToUnixTimeSeconds()}^", string.Join('\n', Fields(BlocksOf(LatestCard(channel)))), StringComparison.Ordinal);

        Assert.Equal("Anna Anders is now scribe.", (await Say("role scribe", AnnaSlack, "anna", channel)).Text);
        Assert.Equal("Bob Berg is now comms (assigned by Anna Anders).", (await Say($"role comms <@{BobSlack}|bob> INC-1", AnnaSlack, "anna")).Text);
        var room = _host.Room(number);
        Assert.Equal(("anna", "bob"), (room.Scribe!.Person.UserId, room.Comms!.Person.UserId));
        Assert.Contains($"*Comms*\n<@{BobSlack}>", Fields(BlocksOf(LatestCard(channel))));
        // Bob was not in the channel yet: giving him a role brings him in.
        Assert.Contains(_host.Slack.CallsTo("conversations.invite"), c => c.Args["channel"] == channel && c.Args["users"] == BobSlack);

        var refused = await Say($"role commander <@{BobSlack}|bob>", StrangerSlack, "stranger", channel);
        Assert.StartsWith("Only responders of INC-1", refused.Text, StringComparison.Ordinal);
        Assert.Null(_host.Room(number).Commander);
    }

    [Fact]
    public async Task Status_InChannel_PostedHereAndToStakeholdersAndReminderMovesOn()
    {
        var number = await _host.PageAndOpenAsync();
        var channel = _host.ChannelOf(number);
        Assert.Equal(_host.Now + Duration.FromHours(4), _host.CoordinationScheduler.PendingReminders[number]);
        _host.Time.Advance(TimeSpan.FromMinutes(30));

        var reply = await _host.CommandAsync("/incident", "status Rolled back; error rate falling", AnnaSlack, "anna", channel.ChannelId);

        Assert.True(reply.IsEphemeral);
        Assert.Equal($"Status update posted in #{channel.Name} and the SEV3 stakeholder channel on slack.", reply.Text);
        const string Expected = "*Status update, INC-1 (SEV3, investigating)*: Cards are timing out\nRolled back; error rate falling\n_by Anna Anders_";
        Assert.Equal(Expected, PostsIn(channel.ChannelId)[^1].Args["text"]);
        Assert.Equal(Expected, Assert.Single(PostsIn(SlackCoordinationHost.StakeholderChannel)).Args["text"]);
        Assert.Equal(_host.Now + Duration.FromHours(4), _host.CoordinationScheduler.PendingReminders[number]);
        Assert.Equal((number, _host.Now + Duration.FromHours(4)), _host.CoordinationScheduler.ReminderHistory[^1]);
        Assert.Contains("*Last status update*\njust now", Fields(BlocksOf(LatestCard(channel.ChannelId))));
    }

    [Fact]
    public async Task Resolve_InChannel_SummaryPostedWithDurationsAndCardLosesButtons()
    {
        var number = await _host.PageAndOpenAsync();
        var channel = _host.ChannelOf(number);
        _host.Time.Advance(TimeSpan.FromMinutes(2));
        await _host.CommandAsync("/ack", "", AnnaSlack, "anna", channel.ChannelId);
        _host.Time.Advance(TimeSpan.FromMinutes(88));

        var reply = await _host.CommandAsync("/incident", "resolve", AnnaSlack, "anna", channel.ChannelId);

        Assert.Equal("in_channel", reply.ResponseType);
        Assert.Equal($"✅ <@{AnnaSlack}> resolved INC-1 (Checkout: Cards are timing out).", reply.Text);
        var summary = PostsIn(channel.ChannelId).Select(p => p.Args["text"]).Single(t => t.StartsWith("*INC-1: Cards are timing out*", StringComparison.Ordinal));
        Assert.Contains("• *Time to acknowledge:* 2m (Anna Anders)", summary, StringComparison.Ordinal);
        Assert.Contains("• *Resolved:* 2026-01-05 10:30 UTC by Anna Anders; *duration:* 1h 30m", summary, StringComparison.Ordinal);
        Assert.Contains("• *Commander:* Anna Anders", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("**", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("\n#", summary, StringComparison.Ordinal);
        var card = BlocksOf(LatestCard(channel.ChannelId));
        Assert.Empty(Buttons(card));
        Assert.Contains($"✅ *Resolved* by <@{AnnaSlack}> <!date^", AllText(card), StringComparison.Ordinal);
        Assert.Contains("1h 30m after the page", AllText(card), StringComparison.Ordinal);
        Assert.True(_host.CoordinationScheduler.PendingArchives.ContainsKey(number));

        var summaryReply = await _host.CommandAsync("/incident", "summary INC-1", BobSlack, "bob");
        Assert.True(summaryReply.IsEphemeral);
        Assert.StartsWith("*INC-1: Cards are timing out*\n\n• *Service:* Checkout (owner: Checkout Team)", summaryReply.Text, StringComparison.Ordinal);
        Assert.Contains("*Roles*", summaryReply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_ByNonResponder_CommandAndButtonRefusedAndIncidentStaysOpen()
    {
        var number = await _host.PageAndOpenAsync();
        var channel = _host.ChannelOf(number);

        var command = await _host.CommandAsync("/resolve", "", StrangerSlack, "stranger", channel.ChannelId);
        var viaIncident = await _host.CommandAsync("/incident", "resolve INC-1", StrangerSlack, "stranger");
        await _host.ClickAsync(SlackPagingActions.Resolve, number, StrangerSlack, "D0STRANGER", "1503435956.000001", responseUrlId: "resolve-click");
        await _host.WhenIdleAsync();

        const string Reason = "Only responders of INC-1 may resolve it. Ask a responder to add you with /incident role &lt;role&gt; @you.";
        Assert.Equal((true, Reason), (command.IsEphemeral, command.Text));
        Assert.Equal((true, Reason), (viaIncident.IsEphemeral, viaIncident.Text));
        var said = Assert.Single(_host.Slack.ResponseUrlPosts);
        using var json = JsonDocument.Parse(said.Body);
        Assert.Equal(Reason, json.RootElement.GetProperty("text").GetString());
        Assert.Equal(IncidentStatus.Triggered, (await _host.Store.GetAsync(number, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task Ack_BareInIncidentChannel_AcknowledgesThatIncidentEvenWithAnotherPaging()
    {
        var first = await _host.PageAndOpenAsync("Cards are timing out");
        await _host.PageAndOpenAsync("Refunds fail");

        var reply = await _host.CommandAsync("/ack", "", AnnaSlack, "anna", _host.ChannelOf(first).ChannelId);

        Assert.Equal("in_channel", reply.ResponseType);
        Assert.StartsWith($"👀 <@{AnnaSlack}> acknowledged INC-1", reply.Text, StringComparison.Ordinal);
        Assert.Equal(IncidentStatus.Triggered, (await _host.Store.GetAsync(2, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task PageInto_FromIncidentChannel_LinkedPageAndItsResponderInvitedToTheSameChannel()
    {
        var number = await _host.PageAndOpenAsync();
        var channel = _host.ChannelOf(number);

        var reply = await _host.CommandAsync("/incident", "page payments-api", AnnaSlack, "anna", channel.ChannelId);

        Assert.True(reply.IsEphemeral);
        Assert.Equal("📟 Paging Payments API into INC-1 as INC-2: notifying Carol Clark; whoever answers joins this incident's channel.", reply.Text);
        var linked = (await _host.Store.GetAsync(2, CancellationToken.None))!;
        Assert.Equal(("payments-api", "Cards are timing out"), (linked.ServiceId, linked.Summary));
        Assert.Equal([2L], _host.Room(number).LinkedIncidents);
        Assert.False(_host.Rooms.Rooms.ContainsKey(2));
        Assert.Equal(
            "Anna Anders is paging Payments API (Payments Team) into this incident (INC-2); whoever answers joins this channel.",
            PostsIn(channel.ChannelId)[^1].Args["text"]);

        // Carol answers a minute later (the clock only moves when a test says so, and Slack's per-channel pacing of
        // chat.postMessage, which the client keeps, waits on it once the channel's burst is spent).
        _host.Time.Advance(TimeSpan.FromMinutes(1));
        await _host.FireDueAsync();

        Assert.Single(_host.Slack.CallsTo("conversations.open"), c => c.Args["users"] == CarolSlack);
        Assert.Contains(_host.Slack.CallsTo("conversations.invite"), c => c.Args["channel"] == channel.ChannelId && c.Args["users"] == CarolSlack);
        Assert.Single(_host.Slack.CallsTo("conversations.create"));
        // Carol acknowledges in the shared channel: the bare /ack means her page, not the parent incident.
        var ack = await _host.CommandAsync("/ack", "", CarolSlack, "carol", channel.ChannelId);
        Assert.StartsWith($"👀 <@{CarolSlack}> acknowledged INC-2", ack.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PageInto_WithSummaryAndReference_UsesThem()
    {
        await _host.PageAndOpenAsync();

        var reply = await _host.CommandAsync("/incident", "page INC-1 payments-api Card auths failing since 14:00", AnnaSlack, "anna");

        Assert.StartsWith("📟 Paging Payments API into INC-1 as INC-2", reply.Text, StringComparison.Ordinal);
        Assert.Equal("Card auths failing since 14:00", (await _host.Store.GetAsync(2, CancellationToken.None))!.Summary);
    }

    [Fact]
    public async Task Timeline_InIncidentChannel_ImpliesTheIncident()
    {
        var number = await _host.PageAndOpenAsync();

        var reply = await _host.CommandAsync("/incident", "timeline", BobSlack, "bob", _host.ChannelOf(number).ChannelId);

        Assert.StartsWith("*INC-1* Checkout: Cards are timing out", reply.Text, StringComparison.Ordinal);
        Assert.Contains("Opened #inc-1-cards-are-timing-out on slack", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ListsEveryCoordinationCommand()
    {
        var reply = await _host.CommandAsync("/incident", "help");

        Assert.True(reply.IsEphemeral);
        foreach (var command in new[] { "role", "sev", "phase", "note", "impact", "status", "page", "resolve", "summary", "timeline" })
        {
            Assert.Matches(new Regex($"`/incident {command}[ `]"), reply.Text);
        }
    }
}
