using OnCallBot.Core.Coordination;
using OnCallBot.Core.Paging;
using static OnCallBot.Core.Tests.Coordination.CoordinationHarness;

namespace OnCallBot.Core.Tests.Coordination;

/// <summary><c>/incident page ledger</c> from INC-1: the Ledger team is paged into INC-1 as INC-2.</summary>
public sealed class CoordinationLinkTests
{
    private static async Task<(CoordinationHarness H, IncidentChannel Channel, Incident Child)> PullInLedgerAsync()
    {
        var h = new CoordinationHarness();
        var channel = await h.OpenIncidentAsync();
        await h.Paging.AcknowledgeAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();
        h.Time.Advance(TimeSpan.FromMinutes(4));
        var child = await h.PageAsync("ledger", "Ledger writes time out", joinIncident: 1, pager: Alice);
        return (h, channel, child);
    }

    [Fact]
    public async Task PageAsync_JoinIncident_ChildGetsNoRoomAndIsLinkedOnTheParentsTimeline()
    {
        var (h, channel, child) = await PullInLedgerAsync();

        Assert.Equal(2, child.Number);
        Assert.Null(await h.Rooms.GetAsync(2, CancellationToken.None));
        Assert.DoesNotContain(h.Outbox.Items, i => i.Kind == ChannelWork.Open);
        await h.DeliverAsync();
        Assert.Single(h.Channels.Created);
        Assert.DoesNotContain(2L, h.CoordinationScheduler.PendingReminders.Keys);
        var parent = await h.RoomAsync(1);
        Assert.Equal([2L], parent.LinkedIncidents);
        Assert.Equal(parent, await h.Coordination.GetRoomAsync(2, CancellationToken.None));
        await h.DeliverAsync();
        var pulledIn = Assert.Single(await h.EventsAsync(1, IncidentEventKind.TeamPulledIn));
        Assert.Equal("Alice paged Ledger (Ledger Team) into this incident as INC-2", pulledIn.Text);
        Assert.Equal("Alice is paging Ledger (Ledger Team) into this incident (INC-2); whoever answers joins this channel.",
            h.Channels.PostsIn(channel.ChannelId)[^1]);
    }

    [Fact]
    public async Task RunEscalationStepAsync_ChildNotifiesSomeone_TheyJoinTheParentsChannel()
    {
        var (h, channel, _) = await PullInLedgerAsync();

        await h.RunEscalationAsync();
        await h.OpenChannelsAsync();

        Assert.Contains(h.Slack.Sent, s => s.Recipient.Id == "carol" && s.View.Incident.Number == 2);
        Assert.Contains("UCAROL", h.Channels.MembersOf(channel.ChannelId));
        Assert.Single(h.Channels.Created);
        Assert.Contains(Carol, (await h.RoomAsync(1)).Responders);
        Assert.Equal("Carol joined the response (Carol was paged)", Assert.Single(await h.EventsAsync(1, IncidentEventKind.ResponderAdded),
            e => e.UserIds.Contains("carol")).Text);
    }

    [Fact]
    public async Task AcknowledgeAsync_Child_SaidInTheParentsChannelWithoutTakingCommand()
    {
        var (h, channel, _) = await PullInLedgerAsync();
        await h.RunEscalationAsync();

        await h.Paging.AcknowledgeAsync(2, Carol, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal("Carol acknowledged INC-2", h.Channels.PostsIn(channel.ChannelId)[^1]);
        var parent = await h.RoomAsync(1);
        Assert.Equal(Alice, parent.Commander!.Person);
        Assert.Contains(Carol, parent.Responders);
    }

    [Fact]
    public async Task ResolveAsync_Child_ParentStaysOpenAndItsSummaryHasTheChildsPages()
    {
        var (h, channel, _) = await PullInLedgerAsync();
        await h.RunEscalationAsync();
        await h.Paging.AcknowledgeAsync(2, Carol, CancellationToken.None);
        await h.DeliverAsync();

        await h.Paging.ResolveAsync(2, Carol, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal("Carol resolved INC-2 (pulled into this incident).", h.Channels.PostsIn(channel.ChannelId)[^1]);
        Assert.Equal(IncidentPhase.Investigating, (await h.RoomAsync(1)).Phase);
        Assert.Empty(h.CoordinationScheduler.PendingArchives);
        var summary = await h.Coordination.SummaryAsync(1, CancellationToken.None);
        await h.DeliverAsync();
        Assert.Contains("Alice paged Ledger (Ledger Team) into this incident as INC-2", summary, StringComparison.Ordinal);
        Assert.Contains("Notified Carol on slack (level 1)", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthorizeResolveAsync_ChildBySomeoneOnlyInTheParent_AllowedAsAResponderOfTheParent()
    {
        var (h, _, _) = await PullInLedgerAsync();

        Assert.Null(await h.Coordination.AuthorizeResolveAsync(2, Alice, CancellationToken.None));
        await h.DeliverAsync();
        Assert.NotNull(await h.Coordination.AuthorizeResolveAsync(2, Eve, CancellationToken.None));
        await h.DeliverAsync();
    }

    [Fact]
    public async Task PageAsync_JoinIncidentWithoutARoom_ChildOpensItsOwnRoom()
    {
        var h = new CoordinationHarness();

        var child = await h.PageAsync("ledger", "Ledger writes time out", joinIncident: 99, pager: Alice);
        await h.RunEscalationAsync();
        await h.OpenChannelsAsync();

        var room = await h.RoomAsync(child.Number);
        Assert.Equal("inc-1-ledger-writes-time-out", Assert.Single(room.Channels).Name);
        Assert.Contains("UCAROL", h.Channels.MembersOf(room.Channels[0].ChannelId));
        Assert.Empty(await h.EventsAsync(child.Number, IncidentEventKind.TeamPulledIn));
    }
}
