using OnCallBot.Core.Coordination;
using OnCallBot.Core.Paging;
using OnCallBot.TestKit.Coordination;
using static OnCallBot.Core.Tests.Coordination.CoordinationHarness;

namespace OnCallBot.Core.Tests.Coordination;

public sealed class CoordinationChannelTests
{
    [Fact]
    public async Task PageAsync_Service_SavesRoomAndAsksForChannelsWithoutOpeningThemInline()
    {
        var h = new CoordinationHarness();

        var incident = await h.PageAsync();

        var room = await h.RoomAsync(incident.Number);
        Assert.Equal(3, room.Severity);
        Assert.Equal(IncidentPhase.Investigating, room.Phase);
        Assert.Equal([Olivia], room.Responders);
        Assert.Empty(room.Channels);
        Assert.Null(room.Commander);
        // The reply to the pager never waits on channel creation: the outbox does it.
        Assert.Contains(h.Outbox.Items, i => i.Kind == ChannelWork.Open && i.IncidentNumber == incident.Number);
        Assert.Empty(h.Channels.CreateAttempts);
        Assert.Equal(h.Now + NodaTime.Duration.FromHours(4), h.CoordinationScheduler.PendingReminders[incident.Number]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OpenChannelsAsync_BeforeOrAfterTheFirstStep_PagerAndNotifiedBothInvited(bool openBeforeFirstStep)
    {
        var h = new CoordinationHarness();
        var incident = await h.PageAsync();

        if (openBeforeFirstStep)
        {
            await h.OpenChannelsAsync();
            await h.RunEscalationAsync();
        }
        else
        {
            await h.RunEscalationAsync();
            await h.OpenChannelsAsync();
        }

        var created = Assert.Single(h.Channels.Created);
        Assert.Equal("inc-1-checkout-returns-500s", created.Name);
        Assert.Equal(["UALICE", "UOLIVIA"], h.Channels.MembersOf(created.ChannelId).Order());
        Assert.Equal("alice", Assert.Single(h.Slack.Sent).Recipient.Id);
        var room = await h.RoomAsync(incident.Number);
        Assert.Equal(["olivia", "alice"], room.Responders.Select(r => r.UserId));
        var responderAdded = Assert.Single(await h.EventsAsync(incident.Number, IncidentEventKind.ResponderAdded));
        Assert.Equal("Alice joined the response (Alice was paged)", responderAdded.Text);
    }

    [Fact]
    public async Task OpenChannelsAsync_AfterAPage_TopicRunbookAndCardWithServiceTeamRolesAndDependencies()
    {
        var h = new CoordinationHarness();
        var incident = await h.PageAsync();
        await h.RunEscalationAsync();

        await h.OpenChannelsAsync();

        var created = Assert.Single(h.Channels.Created);
        var room = await h.RoomAsync(incident.Number);
        var channel = Assert.Single(room.Channels);
        Assert.Equal(new IncidentChannel("slack", created.ChannelId, "inc-1-checkout-returns-500s", channel.CardMessageId), channel);
        Assert.Equal(room, await h.Coordination.FindByChannelAsync("slack", created.ChannelId, CancellationToken.None));
        await h.DeliverAsync();

        Assert.Equal("INC-1 SEV3 | Investigating | Commander: unfilled | Checkout returns 500s", Assert.Single(h.Channels.Topics).Topic);
        Assert.Equal(new RunbookAdded(created.ChannelId, CheckoutRunbook), Assert.Single(h.Channels.Runbooks));

        var posted = Assert.Single(h.Channels.CardsPosted);
        Assert.Equal(channel.CardMessageId, posted.MessageId);
        var card = posted.Card;
        Assert.Equal("checkout", card.Service!.Id);
        Assert.Equal("Payments", card.OwnerTeam!.Name);
        Assert.Equal(3, card.Room.Severity);
        Assert.Equal(IncidentPhase.Investigating, card.Room.Phase);
        Assert.Null(card.Room.Commander);
        Assert.Null(card.Room.Scribe);
        Assert.Null(card.Room.Comms);
        Assert.Equal(h.Now, card.Now);
        Assert.False(card.StatusUpdateOverdue);
        var upstream = Assert.Single(card.Upstream);
        Assert.Equal("ledger", upstream.Service.Id);
        Assert.Equal(["carol"], upstream.OnCall.Select(u => u.Id));
        var downstream = Assert.Single(card.Downstream);
        Assert.Equal("website", downstream.Service.Id);
        Assert.Equal(["dina"], downstream.OnCall.Select(u => u.Id));

        var opened = Assert.Single(await h.EventsAsync(incident.Number, IncidentEventKind.ChannelOpened));
        Assert.Equal("Opened #inc-1-checkout-returns-500s on slack", opened.Text);
        Assert.Empty(await h.EventsAsync(incident.Number, IncidentEventKind.ChannelFailed));
    }

    [Fact]
    public async Task OpenChannelsAsync_RunTwice_OneChannelOneCard()
    {
        var h = new CoordinationHarness();
        var incident = await h.PageAsync();
        await h.OpenChannelsAsync();

        await h.Coordination.OpenChannelsAsync(incident.Number, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Single(h.Channels.Created);
        Assert.Single(h.Channels.CardsPosted);
        Assert.Single((await h.RoomAsync(incident.Number)).Channels);
    }

    [Fact]
    public async Task OpenChannelsAsync_NameTaken_OpensWithSuffix2()
    {
        var h = new CoordinationHarness();
        h.Channels.TakeNames("inc-1-checkout-returns-500s");
        var incident = await h.PageAsync();

        await h.OpenChannelsAsync();

        Assert.Equal(["inc-1-checkout-returns-500s", "inc-1-checkout-returns-500s-2"], h.Channels.CreateAttempts);
        Assert.Equal("inc-1-checkout-returns-500s-2", Assert.Single(h.Channels.Created).Name);
        Assert.Equal("inc-1-checkout-returns-500s-2", Assert.Single((await h.RoomAsync(incident.Number)).Channels).Name);
    }

    [Fact]
    public async Task OpenChannelsAsync_EveryNameTaken_SaysSoOnceAndGoesOnInDirectMessages()
    {
        var h = new CoordinationHarness();
        h.Channels.TakeNames([.. Enumerable.Range(1, 5).Select(attempt => IncidentChannelName.For(1, "Checkout returns 500s", attempt))]);
        var incident = await h.PageAsync();

        await h.OpenChannelsAsync();

        Assert.Equal(5, h.Channels.CreateAttempts.Count);
        Assert.Empty((await h.RoomAsync(incident.Number)).Channels);
        var failed = Assert.Single(await h.EventsAsync(incident.Number, IncidentEventKind.ChannelFailed));
        Assert.Contains("inc-1-checkout-returns-500s-5", failed.Text, StringComparison.Ordinal);
        Assert.Contains("is taken", failed.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenChannelsAsync_MissingScope_ChannelFailedNamesTheScopeOnceAndPagingGoesOnByDirectMessage()
    {
        var h = new CoordinationHarness();
        h.Channels.FailCreate("missing_scope: channels:manage");
        var incident = await h.PageAsync();

        await h.OpenChannelsAsync();
        await h.RunEscalationAsync();
        // A retried job, then the rest of the response: none of it says the failure again.
        await h.Coordination.OpenChannelsAsync(incident.Number, CancellationToken.None);
        await h.DeliverAsync();
        await h.Paging.AcknowledgeAsync(incident.Number, Alice, CancellationToken.None);
        await h.DeliverAsync();
        await h.Coordination.AddNoteAsync(incident.Number, "Rolled back", Alice, CancellationToken.None);
        await h.DeliverAsync();
        var status = await h.Coordination.PostStatusAsync(incident.Number, "Mitigated", Alice, CancellationToken.None);
        await h.DeliverAsync();

        var failed = Assert.Single(await h.EventsAsync(incident.Number, IncidentEventKind.ChannelFailed));
        Assert.Equal("Could not open an incident channel on slack: missing_scope: channels:manage. INC-1 goes on in direct messages there.", failed.Text);
        Assert.Empty(h.Channels.Created);
        Assert.Empty((await h.RoomAsync(incident.Number)).Channels);
        Assert.Equal("alice", Assert.Single(h.Slack.Sent).Recipient.Id);
        Assert.Equal(IncidentStatus.Acknowledged, (await h.IncidentAsync(incident.Number))!.Status);
        // Coordination still works without a channel: the commander is named and the update is on the timeline.
        Assert.Equal(Alice, (await h.RoomAsync(incident.Number)).Commander!.Person);
        var done = Assert.IsType<CoordinationOutcome.Done>(status);
        Assert.Contains("on the timeline only", done.Message, StringComparison.Ordinal);
        Assert.Empty(h.Channels.Posts);
    }

    [Fact]
    public async Task OpenChannelsAsync_ScopeGrantedBeforeTheJobRunsAgain_OpensTheChannelThen()
    {
        var h = new CoordinationHarness();
        h.Channels.FailCreate();
        var incident = await h.PageAsync();
        await h.OpenChannelsAsync();

        h.Channels.FailCreate(null);
        await h.Coordination.OpenChannelsAsync(incident.Number, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Single(h.Channels.Created);
        Assert.Single((await h.RoomAsync(incident.Number)).Channels);
    }

    [Fact]
    public async Task OpenChannelsAsync_PlatformNotConfigured_OpensNothingAndSaysNothing()
    {
        var h = new CoordinationHarness(channelsEnabled: false);
        var incident = await h.PageAsync();

        await h.Coordination.OpenChannelsAsync(incident.Number, CancellationToken.None);
        await h.DeliverAsync();
        await h.RunEscalationAsync();

        Assert.Empty(h.Channels.CreateAttempts);
        Assert.Empty(await h.EventsAsync(incident.Number, IncidentEventKind.ChannelFailed));
        Assert.Equal("alice", Assert.Single(h.Slack.Sent).Recipient.Id);
    }

    [Fact]
    public async Task PageAsync_OpenChannelsOff_NoChannelRequested()
    {
        var h = new CoordinationHarness(o => o.OpenChannels = false);

        var incident = await h.PageAsync();

        Assert.DoesNotContain(h.Outbox.Items, i => i.Kind == ChannelWork.Open);
        await h.DeliverAsync();
        Assert.Empty(h.Channels.CreateAttempts);
        Assert.NotNull(await h.Rooms.GetAsync(incident.Number, CancellationToken.None));
    }

    [Fact]
    public async Task OpenChannelsAsync_IncidentResolvedBeforeTheJobRan_OpensNothing()
    {
        var h = new CoordinationHarness();
        var incident = await h.PageAsync();
        await h.Paging.ResolveAsync(incident.Number, Olivia, CancellationToken.None);
        await h.DeliverAsync();

        await h.OpenChannelsAsync();

        // A channel opened now would have nothing to coordinate, and resolution already passed: nobody would archive it.
        Assert.Empty(h.Channels.CreateAttempts);
        Assert.Empty((await h.RoomAsync(incident.Number)).Channels);
    }
}
