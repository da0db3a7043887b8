using System.Text.Json;
using System.Text.Json.Nodes;
using OnCallBot.Core.Paging;
using OnCallBot.Slack.Paging;
using static OnCallBot.Slack.Tests.Paging.PagingModel;

namespace OnCallBot.Slack.Tests.Paging;

public sealed class SlackPagingFlowTests : IAsyncLifetime
{
    private SlackPagingHost _host = null!;

    public async Task InitializeAsync() => _host = await SlackPagingHost.StartAsync();

    public async Task DisposeAsync()
    {
        // Every test ends with Slack's calls checked against Slack's spec, whatever it asserted.
        var violations = _host.Slack.SpecViolations;
        await _host.DisposeAsync();
        Assert.Empty(violations);
    }

    private async Task<long> PageCheckoutAndNotifyAsync(string summary = "Cards are timing out")
    {
        var reply = await _host.CommandAsync("/page", "checkout " + summary);
        Assert.Equal("in_channel", reply.ResponseType);
        await _host.FireDueAsync();
        return _host.Store.GetTriggeredIncidentsNotifyingAsync("anna", CancellationToken.None).Result.Max(i => i.Number);
    }

    private Task<Incident?> IncidentAsync(long number) => _host.Store.GetAsync(number, CancellationToken.None);

    private static JsonArray BlocksOf(OnCallBot.TestKit.Slack.RecordedSlackCall call) => JsonNode.Parse(call.Args["blocks"])!.AsArray();

    private static List<JsonObject> Buttons(JsonArray blocks) =>
        blocks.Where(b => (string?)b!["type"] == "actions").SelectMany(b => b!["elements"]!.AsArray()).Select(e => e!.AsObject()).ToList();

    private static string TextOf(OnCallBot.TestKit.Slack.RecordedResponseUrlPost post)
    {
        using var json = JsonDocument.Parse(post.Body);
        return json.RootElement.GetProperty("text").GetString()!;
    }

    private static string AllText(JsonArray blocks) => blocks.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    [Fact]
    public async Task Page_ServiceAndSummary_AnswersInChannelThenStepZeroDmsLevelOneWithThreeButtons()
    {
        var reply = await _host.CommandAsync("/page", "checkout Cards are timing out");

        Assert.Equal("in_channel", reply.ResponseType);
        Assert.StartsWith("🚨 INC-1 paged Checkout: Cards are timing out. Notifying Anna Anders (level 1)…", reply.Text, StringComparison.Ordinal);
        // Notifications are the scheduler job's work, not the command's.
        Assert.Empty(_host.Slack.CallsTo("chat.postMessage"));

        await _host.FireDueAsync();

        var open = Assert.Single(_host.Slack.CallsTo("conversations.open"));
        Assert.Equal(AnnaSlack, open.Args["users"]);
        var post = Assert.Single(_host.Slack.CallsTo("chat.postMessage"));
        Assert.StartsWith("D", post.Args["channel"], StringComparison.Ordinal);
        Assert.Equal("🚨 INC-1 checkout: Cards are timing out", post.Args["text"]);
        var blocks = BlocksOf(post);
        var buttons = Buttons(blocks);
        Assert.Equal(
            [("Acknowledge", "oncallbot.ack", "1", "primary"), ("Escalate now", "oncallbot.escalate", "1", null), ("Resolve", "oncallbot.resolve", "1", "danger")],
            buttons.Select(b => ((string)b["text"]!["text"]!, (string)b["action_id"]!, (string)b["value"]!, (string?)b["style"])).ToList());
        Assert.Equal("Resolve INC-1?", (string?)buttons[2]["confirm"]!["title"]!["text"]);
        var text = AllText(blocks);
        Assert.Contains("INC-1 · Checkout", text, StringComparison.Ordinal);
        Assert.Contains("<https://runbooks.example.com/checkout|Open the runbook>", text, StringComparison.Ordinal);
        Assert.Contains($"<@{OliverSlack}>", text, StringComparison.Ordinal);
        Assert.Contains("Level 1 of 2", text, StringComparison.Ordinal);
        Assert.Contains($"<!date^{_host.Time.GetUtcNow().ToUnixTimeSeconds()}^", text, StringComparison.Ordinal);
        Assert.Contains("Payments", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_UnknownService_EphemeralSuggestionAndNothingCreated()
    {
        var reply = await _host.CommandAsync("/page", "chekout Cards are timing out");

        Assert.True(reply.IsEphemeral);
        Assert.Equal("No service 'chekout'. Did you mean: checkout?", reply.Text);
        Assert.Null(await IncidentAsync(1));
        Assert.Empty(_host.Scheduler.History);
    }

    [Theory]
    [InlineData("checkout")]
    [InlineData("")]
    [InlineData("   ")]
    public async Task Page_MissingSummaryOrArguments_EphemeralUsageAndNothingCreated(string text)
    {
        var reply = await _host.CommandAsync("/page", text);

        Assert.True(reply.IsEphemeral);
        Assert.Contains("Usage: `/page &lt;service&gt; &lt;what is wrong&gt;`", reply.Text, StringComparison.Ordinal);
        Assert.Contains("/page checkout Cards are timing out", reply.Text, StringComparison.Ordinal);
        Assert.Null(await IncidentAsync(1));
    }

    [Theory]
    [InlineData("<@U0BOB|bob>")]
    [InlineData("<@U0BOB>")]
    [InlineData("@bob")]
    [InlineData("@U0BOB")]
    public async Task Page_Person_PagesThatUserDirectly(string target)
    {
        var reply = await _host.CommandAsync("/page", target + " The ledger job is stuck");

        Assert.Equal("in_channel", reply.ResponseType);
        Assert.StartsWith("🚨 INC-1 paged direct page to Bob Berg: The ledger job is stuck. Notifying Bob Berg directly…", reply.Text, StringComparison.Ordinal);
        Assert.Equal("bob", (await IncidentAsync(1))!.DirectUserId);
        await _host.FireDueAsync();
        Assert.Equal(BobSlack, Assert.Single(_host.Slack.CallsTo("conversations.open")).Args["users"]);
    }

    [Fact]
    public async Task Page_MentionOfSomeoneNotInConfig_EphemeralAndNothingCreated()
    {
        var reply = await _host.CommandAsync("/page", $"<@{StrangerSlack}|stranger> help");

        Assert.True(reply.IsEphemeral);
        Assert.StartsWith($"<@{StrangerSlack}> is not in the on-call config", reply.Text, StringComparison.Ordinal);
        Assert.Null(await IncidentAsync(1));
    }

    [Fact]
    public async Task Page_SummaryWithSlackMarkup_StoredAsPlainText()
    {
        await _host.CommandAsync("/page", "checkout Cart &amp; payments down, ask <@U0BOB|bob> in <#C0OPS|ops>");

        Assert.Equal("Cart & payments down, ask @bob in #ops", (await IncidentAsync(1))!.Summary);
    }

    [Fact]
    public async Task Page_SummaryWithNulNewlineAndBidiOverride_StoredRepliedAndDmedAsOneCleanLine()
    {
        // A newline in a one-line title would forge a log line; NUL and U+202E (right-to-left override) are not text.
        var reply = await _host.CommandAsync("/page", "checkout Cards\0 are\r\ntiming out \u202Eand\u2028retrying");
        await _host.FireDueAsync();

        const string clean = "Cards are timing out and retrying";
        Assert.Equal(clean, (await IncidentAsync(1))!.Summary);
        Assert.StartsWith($"🚨 INC-1 paged Checkout: {clean}. ", reply.Text, StringComparison.Ordinal);
        var dm = Assert.Single(_host.Slack.CallsTo("chat.postMessage"));
        Assert.Equal($"🚨 INC-1 checkout: {clean}", dm.Args["text"]);
        var blocks = AllText(BlocksOf(dm));
        Assert.Contains(clean, blocks, StringComparison.Ordinal);
        Assert.DoesNotContain('\0', blocks);
        Assert.DoesNotContain('\u202E', blocks);
        Assert.DoesNotContain("\\u202E", blocks, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("are\\n", blocks, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0000", blocks, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_SameCommandDeliveredTwice_OneIncident()
    {
        var trigger = _host.NextTriggerId();

        var first = await _host.CommandAsync("/page", "checkout Cards are timing out", triggerId: trigger);
        var retry = await _host.CommandAsync("/page", "checkout Cards are timing out", triggerId: trigger, retryNum: 1);

        Assert.StartsWith("🚨 INC-1 paged", first.Text, StringComparison.Ordinal);
        // Told to the sender alone: the channel already saw the page.
        Assert.True(retry.IsEphemeral);
        Assert.Equal("OnCallBot already received this command, so it was not run again.", retry.Text);
        Assert.Null(await IncidentAsync(2));
        Assert.Single(_host.Scheduler.History);
    }

    [Fact]
    public async Task Page_SignedRequestWithoutTriggerIdReplayed_OneIncidentAndTheReplayIsToldItWasNotRun()
    {
        var first = await _host.CommandAsync("/page", "checkout Cards are timing out", withoutTriggerId: true);
        var replay = await _host.CommandAsync("/page", "checkout Cards are timing out", withoutTriggerId: true);

        Assert.StartsWith("🚨 INC-1 paged", first.Text, StringComparison.Ordinal);
        Assert.True(replay.IsEphemeral);
        Assert.Equal("OnCallBot already received this command, so it was not run again.", replay.Text);
        Assert.Null(await IncidentAsync(2));
        Assert.Single(_host.Scheduler.History);
    }

    [Fact]
    public async Task Page_SameBodyWithoutTriggerIdSignedAgainLater_IsANewPage()
    {
        await _host.CommandAsync("/page", "checkout Cards are timing out", withoutTriggerId: true);
        _host.Time.Advance(TimeSpan.FromSeconds(1));

        // A new timestamp is a new signature: Slack signed it again, so it is a new request (a stale one is refused as stale).
        var again = await _host.CommandAsync("/page", "checkout Cards are timing out", withoutTriggerId: true);

        Assert.StartsWith("🚨 INC-2 paged", again.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EscalateNowButton_SameClickDeliveredThreeTimes_ActsOnce()
    {
        var number = await PageCheckoutAndNotifyAsync();
        var trigger = _host.NextTriggerId();

        var bodies = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            bodies.Add(await _host.ClickAsync(SlackPagingActions.EscalateNow, number, AnnaSlack, triggerId: trigger));
        }
        await _host.WhenIdleAsync();

        Assert.All(bodies, body => Assert.Equal(string.Empty, body));
        var asked = (await _host.Store.GetEventsAsync(number, CancellationToken.None)).Where(e => e.Kind == IncidentEventKind.Escalated);
        Assert.Single(asked);
        Assert.StartsWith("Escalating INC-1 now", TextOf(Assert.Single(_host.Slack.ResponseUrlPosts)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcknowledgeButton_Triggered_AcknowledgedByClickerAndEveryPageRewrittenWithoutAckButton()
    {
        var number = await PageCheckoutAndNotifyAsync();
        _host.Time.Advance(TimeSpan.FromMinutes(5));
        await _host.FireDueAsync();
        var pages = _host.Slack.CallsTo("chat.postMessage");
        Assert.Equal(2, pages.Count);

        var body = await _host.ClickAsync(SlackPagingActions.Acknowledge, number, AnnaSlack);
        await _host.WhenIdleAsync();

        Assert.Equal(string.Empty, body);
        var incident = (await IncidentAsync(number))!;
        Assert.Equal(IncidentStatus.Acknowledged, incident.Status);
        Assert.Equal(("anna", AnnaSlack), (incident.AcknowledgedBy!.UserId, incident.AcknowledgedBy.PlatformUserId));
        var updates = _host.Slack.CallsTo("chat.update");
        Assert.Equal(
            pages.Select(p => p.Args["channel"]).Order(),
            updates.Select(u => u.Args["channel"]).Order());
        foreach (var update in updates)
        {
            var blocks = BlocksOf(update);
            Assert.Equal(["oncallbot.resolve"], Buttons(blocks).Select(b => (string)b["action_id"]!));
            Assert.Contains($"Acknowledged by <@{AnnaSlack}> <!date^", AllText(blocks), StringComparison.Ordinal);
            Assert.Equal("👀 INC-1 checkout: Cards are timing out (acknowledged by Anna Anders)", update.Args["text"]);
        }
        // The page message itself shows the outcome; nothing more is said.
        Assert.Empty(_host.Slack.ResponseUrlPosts);

        await _host.ClickAsync(SlackPagingActions.Acknowledge, number, BobSlack, responseUrlId: "bob-click");
        await _host.WhenIdleAsync();

        var refusal = Assert.Single(_host.Slack.ResponseUrlPosts);
        Assert.Equal("bob-click", refusal.Id);
        Assert.Null(refusal.Authorization);
        using var json = JsonDocument.Parse(refusal.Body);
        Assert.Equal("ephemeral", json.RootElement.GetProperty("response_type").GetString());
        Assert.Equal("INC-1 is already acknowledged by Anna Anders.", json.RootElement.GetProperty("text").GetString());
        Assert.Equal("anna", (await IncidentAsync(number))!.AcknowledgedBy!.UserId);
        Assert.Equal(updates.Count, _host.Slack.CallsTo("chat.update").Count);
    }

    [Fact]
    public async Task Click_UnknownActionId_IgnoredWithEmptyAck()
    {
        var number = await PageCheckoutAndNotifyAsync();

        var body = await _host.ClickAsync("someone.elses.button", number, AnnaSlack);
        await _host.WhenIdleAsync();

        Assert.Equal(string.Empty, body);
        Assert.Equal(IncidentStatus.Triggered, (await IncidentAsync(number))!.Status);
        Assert.Empty(_host.Slack.ResponseUrlPosts);
    }

    [Fact]
    public async Task AckCommand_WithReference_AcknowledgesAndSaysSoInChannel()
    {
        var number = await PageCheckoutAndNotifyAsync();

        var reply = await _host.CommandAsync("/ack", "INC-1", AnnaSlack, "anna");
        await _host.DeliverAsync();

        Assert.Equal("in_channel", reply.ResponseType);
        Assert.Equal($"👀 <@{AnnaSlack}> acknowledged INC-1 (Checkout: Cards are timing out). Escalation has stopped.", reply.Text);
        Assert.Equal(IncidentStatus.Acknowledged, (await IncidentAsync(number))!.Status);
        Assert.Single(_host.Slack.CallsTo("chat.update"));
        Assert.Empty(_host.Scheduler.Pending);
    }

    [Fact]
    public async Task AckCommand_BareWithOneIncidentPaging_AcknowledgesIt()
    {
        var number = await PageCheckoutAndNotifyAsync();

        var reply = await _host.CommandAsync("/ack", "", AnnaSlack, "anna");

        Assert.Equal("in_channel", reply.ResponseType);
        Assert.Contains("acknowledged INC-1", reply.Text, StringComparison.Ordinal);
        Assert.Equal(IncidentStatus.Acknowledged, (await IncidentAsync(number))!.Status);
    }

    [Fact]
    public async Task AckCommand_BareWithTwoIncidentsPaging_OffersOneButtonEachAndAcknowledgesNothing()
    {
        await PageCheckoutAndNotifyAsync("Cards are timing out");
        await PageCheckoutAndNotifyAsync("Refunds fail");

        var reply = await _host.CommandAsync("/ack", "", AnnaSlack, "anna");

        Assert.True(reply.IsEphemeral);
        Assert.Equal("2 incidents are paging you. Which one do you want to acknowledge?", reply.Text);
        var buttons = reply.Blocks!.Select(b => b!["accessory"]).OfType<JsonNode>().ToList();
        Assert.Equal(
            [("oncallbot.ack", "2", "Acknowledge INC-2"), ("oncallbot.ack", "1", "Acknowledge INC-1")],
            buttons.Select(b => ((string)b["action_id"]!, (string)b["value"]!, (string)b["text"]!["text"]!)).ToList());
        Assert.Contains("Refunds fail", AllText(reply.Blocks!), StringComparison.Ordinal);
        Assert.Equal(IncidentStatus.Triggered, (await IncidentAsync(1))!.Status);
        Assert.Equal(IncidentStatus.Triggered, (await IncidentAsync(2))!.Status);
        Assert.Empty(_host.Slack.CallsTo("chat.update"));

        // Choosing from the list acknowledges that one, and says so where the list is.
        await _host.ClickAsync(SlackPagingActions.Acknowledge, 2, AnnaSlack, channelId: "C0INCIDENTS", ephemeral: true, responseUrlId: "list");
        await _host.WhenIdleAsync();

        Assert.Equal(IncidentStatus.Acknowledged, (await IncidentAsync(2))!.Status);
        Assert.Equal(IncidentStatus.Triggered, (await IncidentAsync(1))!.Status);
        var said = Assert.Single(_host.Slack.ResponseUrlPosts);
        Assert.Contains($"<@{AnnaSlack}> acknowledged INC-2", TextOf(said), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AckCommand_BareWithNothingPaging_SaysSo()
    {
        var reply = await _host.CommandAsync("/ack", "", AnnaSlack, "anna");

        Assert.True(reply.IsEphemeral);
        Assert.StartsWith("Nothing is paging you right now.", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AckCommand_ResolvedIncident_RefusedWithReasonAndNothingChanges()
    {
        var number = await PageCheckoutAndNotifyAsync();
        await _host.CommandAsync("/resolve", "INC-1", AnnaSlack, "anna");

        var reply = await _host.CommandAsync("/ack", "inc-1", BobSlack, "bob");

        Assert.True(reply.IsEphemeral);
        Assert.Equal("INC-1 is already resolved (by Anna Anders); nothing to acknowledge.", reply.Text);
        var incident = (await IncidentAsync(number))!;
        Assert.Equal(IncidentStatus.Resolved, incident.Status);
        Assert.Null(incident.AcknowledgedBy);
    }

    [Theory]
    [InlineData("INC-99", "No incident INC-99.")]
    [InlineData("banana", "'banana' is not an incident id. Usage: `/ack INC-42`, or `/ack` alone for the incident paging you.")]
    public async Task AckCommand_UnknownOrMalformedReference_EphemeralAndNothingChanges(string argument, string expected)
    {
        var number = await PageCheckoutAndNotifyAsync();

        var reply = await _host.CommandAsync("/ack", argument, AnnaSlack, "anna");

        Assert.True(reply.IsEphemeral);
        Assert.Equal(expected, reply.Text);
        Assert.Equal(IncidentStatus.Triggered, (await IncidentAsync(number))!.Status);
    }

    [Fact]
    public async Task ResolveCommand_Triggered_ResolvesAndPagesLoseEveryButton()
    {
        var number = await PageCheckoutAndNotifyAsync();

        var reply = await _host.CommandAsync("/resolve", "", AnnaSlack, "anna");
        await _host.DeliverAsync();

        Assert.Equal($"✅ <@{AnnaSlack}> resolved INC-1 (Checkout: Cards are timing out).", reply.Text);
        Assert.Equal(IncidentStatus.Resolved, (await IncidentAsync(number))!.Status);
        var update = Assert.Single(_host.Slack.CallsTo("chat.update"));
        Assert.Empty(Buttons(BlocksOf(update)));
        Assert.Contains($"Resolved by <@{AnnaSlack}>", AllText(BlocksOf(update)), StringComparison.Ordinal);
        Assert.Empty(_host.Scheduler.Pending);
    }

    [Fact]
    public async Task EscalateNowButton_Triggered_NextLevelPagedAtOnceAndClickerTold()
    {
        var number = await PageCheckoutAndNotifyAsync();

        await _host.ClickAsync(SlackPagingActions.EscalateNow, number, AnnaSlack);
        await _host.WhenIdleAsync();
        await _host.FireDueAsync();

        Assert.Equal([AnnaSlack, BobSlack], _host.Slack.CallsTo("conversations.open").Select(c => c.Args["users"]));
        var said = Assert.Single(_host.Slack.ResponseUrlPosts);
        Assert.StartsWith("Escalating INC-1 now", TextOf(said), StringComparison.Ordinal);
        Assert.Equal(IncidentStatus.Triggered, (await IncidentAsync(number))!.Status);
    }

    [Fact]
    public async Task EscalateNowButton_OneBlockActionsWithTwoHundredActions_ActsOnTheFirstOnly()
    {
        var number = await PageCheckoutAndNotifyAsync();

        // Slack sends one action per click; a payload carrying 200 is not a click 200 times.
        var body = await _host.ClickAsync(SlackPagingActions.EscalateNow, number, AnnaSlack, actionCount: 200);
        await _host.WhenIdleAsync();

        Assert.Equal(string.Empty, body);
        var asked = (await _host.Store.GetEventsAsync(number, CancellationToken.None)).Where(e => e.Kind == IncidentEventKind.Escalated).ToList();
        Assert.Equal("Anna Anders asked to escalate now", Assert.Single(asked).Text);
        Assert.StartsWith("Escalating INC-1 now", TextOf(Assert.Single(_host.Slack.ResponseUrlPosts)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IncidentTimeline_AfterPageAndAck_ListsEveryEventWithSlackDates()
    {
        var number = await PageCheckoutAndNotifyAsync();
        _host.Time.Advance(TimeSpan.FromMinutes(2));
        await _host.CommandAsync("/ack", "INC-1", AnnaSlack, "anna");

        var reply = await _host.CommandAsync("/incident", "timeline INC-1");

        Assert.True(reply.IsEphemeral);
        var lines = reply.Text.Split('\n');
        Assert.Equal("*INC-1* Checkout: Cards are timing out", lines[0]);
        Assert.StartsWith($"Status: acknowledged (👀 Acknowledged by <@{AnnaSlack}>", lines[1], StringComparison.Ordinal);
        var paged = _host.Time.GetUtcNow().AddMinutes(-2).ToUnixTimeSeconds();
        Assert.Equal($"• <!date^{paged}^{{date_short}} {{time_secs}}|2026-01-05 09:00 UTC>  Oliver Ortiz paged Checkout (checkout): Cards are timing out", lines[2]);
        Assert.EndsWith("Notified Anna Anders on slack (level 1)", lines[3], StringComparison.Ordinal);
        Assert.Equal($"• <!date^{paged + 120}^{{date_short}} {{time_secs}}|2026-01-05 09:02 UTC>  Anna Anders acknowledged, 2m after the page", lines[4]);
        Assert.Equal(5, lines.Length);
        Assert.Equal(1, number);
    }

    [Fact]
    public async Task IncidentTimeline_BareWithOneIncidentPaging_ShowsIt()
    {
        await PageCheckoutAndNotifyAsync();

        var reply = await _host.CommandAsync("/incident", "timeline", AnnaSlack, "anna");

        Assert.StartsWith("*INC-1* Checkout", reply.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("timeline INC-7", "No incident INC-7.")]
    [InlineData("timeline", "Which incident? Nothing is paging you right now")]
    [InlineData("help", "`/incident timeline [INC-42]`")]
    [InlineData("", "`/incident timeline [INC-42]`")]
    [InlineData("dance", "OnCallBot does not know `/incident dance`.")]
    public async Task IncidentCommand_OtherForms_EphemeralAnswers(string text, string expectedStart)
    {
        var reply = await _host.CommandAsync("/incident", text);

        Assert.True(reply.IsEphemeral);
        Assert.StartsWith(expectedStart, reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StepZero_SlackRefusesOnePost_NotificationFailedOnTimelineAndOthersStillNotified()
    {
        await _host.CommandAsync("/page", "ledger Balances are wrong");
        _host.Slack.EnqueueError("chat.postMessage", "channel_not_found");

        await _host.FireDueAsync();

        var events = await _host.Store.GetEventsAsync(1, CancellationToken.None);
        var failed = Assert.Single(events, e => e.Kind == IncidentEventKind.NotificationFailed);
        Assert.Equal("Could not notify Carol Clark on slack: Slack chat.postMessage failed: channel_not_found", failed.Text);
        Assert.Equal(["carol"], failed.UserIds);
        var notified = Assert.Single(events, e => e.Kind == IncidentEventKind.Notified);
        Assert.Equal(["anna"], notified.UserIds);
        Assert.Equal(2, _host.Slack.CallsTo("chat.postMessage").Count);
    }

    [Fact]
    public async Task StepZero_MissingScope_TimelineSaysWhichScopeToAdd()
    {
        await _host.CommandAsync("/page", "checkout Cards are timing out");
        _host.Slack.EnqueueError("conversations.open", "missing_scope", needed: "im:write");

        await _host.FireDueAsync();

        var events = await _host.Store.GetEventsAsync(1, CancellationToken.None);
        Assert.Contains(events, e => e.Kind == IncidentEventKind.NotificationFailed
            && e.Text == "Could not notify Anna Anders on slack: Slack conversations.open failed: missing_scope (add the 'im:write' scope to the Slack app and reinstall it)");
    }

    [Fact]
    public async Task AckCommand_SlackSlowToRewriteThePage_AnsweredAtOnceAndThePageRewrittenWhenSlackTakesIt()
    {
        var number = await PageCheckoutAndNotifyAsync();
        var hold = _host.Slack.HoldNext("chat.update");

        var reply = await _host.CommandAsync("/ack", "INC-1", AnnaSlack, "anna");

        // The acknowledgement is saved and said before Slack is asked to rewrite anything.
        Assert.Equal("in_channel", reply.ResponseType);
        Assert.StartsWith($"👀 <@{AnnaSlack}> acknowledged INC-1", reply.Text, StringComparison.Ordinal);
        Assert.Equal(IncidentStatus.Acknowledged, (await IncidentAsync(number))!.Status);
        var delivering = _host.DeliverAsync();
        await hold.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(delivering.IsCompleted);
        hold.Release();
        await delivering;
        var update = Assert.Single(_host.Slack.CallsTo("chat.update"));
        Assert.Contains($"Acknowledged by <@{AnnaSlack}>", AllText(BlocksOf(update)), StringComparison.Ordinal);
    }
}
