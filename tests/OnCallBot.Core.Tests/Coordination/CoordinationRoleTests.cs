using OnCallBot.Core.Coordination;
using OnCallBot.Core.Paging;
using static OnCallBot.Core.Tests.Coordination.CoordinationHarness;

namespace OnCallBot.Core.Tests.Coordination;

public sealed class CoordinationRoleTests
{
    [Fact]
    public async Task AcknowledgeAsync_FirstAcknowledger_BecomesCommanderIsInvitedAndTheCardShowsIt()
    {
        var h = new CoordinationHarness();
        var channel = await h.OpenIncidentAsync();

        // Bob was not paged (alice was): acknowledging is how he joins.
        await h.Paging.AcknowledgeAsync(1, Bob, CancellationToken.None);
        await h.DeliverAsync();

        var room = await h.RoomAsync(1);
        Assert.Equal(Bob, room.Commander!.Person);
        Assert.Equal(h.Now, room.Commander.Since);
        Assert.Contains("UBOB", h.Channels.MembersOf(channel.ChannelId));
        Assert.Equal(Bob, h.CardIn(channel).Room.Commander!.Person);
        Assert.Equal("INC-1 SEV3 | Investigating | Commander: Bob | Checkout returns 500s", h.Channels.Topics[^1].Topic);
        Assert.Contains("Bob acknowledged and is now *commander*.", h.Channels.PostsIn(channel.ChannelId));
        var assigned = Assert.Single(await h.EventsAsync(1, IncidentEventKind.RoleAssigned));
        Assert.Equal("Bob is commander (first to acknowledge)", assigned.Text);
        Assert.Equal(["bob"], assigned.UserIds);
    }

    [Fact]
    public async Task AcknowledgeAsync_CommanderOnFirstAcknowledgeOff_NoCommanderButInvited()
    {
        var h = new CoordinationHarness(o => o.CommanderOnFirstAcknowledge = false);
        var channel = await h.OpenIncidentAsync();

        await h.Paging.AcknowledgeAsync(1, Bob, CancellationToken.None);
        await h.DeliverAsync();

        var room = await h.RoomAsync(1);
        Assert.Null(room.Commander);
        Assert.True(room.IsResponder(Bob));
        Assert.Contains("UBOB", h.Channels.MembersOf(channel.ChannelId));
        Assert.Null(h.CardIn(channel).Room.Commander);
        Assert.Empty(await h.EventsAsync(1, IncidentEventKind.RoleAssigned));
    }

    [Fact]
    public async Task AssignRoleAsync_AnotherResponderTakesCommandLater_HandoverRecordedAndAnnounced()
    {
        var h = new CoordinationHarness();
        var channel = await h.OpenIncidentAsync();
        await h.Coordination.AssignRoleAsync(1, IncidentRole.Commander, null, Alice, CancellationToken.None);
        await h.DeliverAsync();
        // Nobody acknowledged, so Bob (level 2) is paged five minutes in: a responder, he may take command from Alice.
        h.Time.Advance(TimeSpan.FromMinutes(5));
        await h.RunEscalationAsync();
        h.Time.Advance(TimeSpan.FromMinutes(15));

        var outcome = await h.Coordination.AssignRoleAsync(1, IncidentRole.Commander, null, Bob, CancellationToken.None);
        await h.DeliverAsync();

        var done = Assert.IsType<CoordinationOutcome.Done>(outcome);
        Assert.Equal("commander handed over: Alice → Bob.", done.Message);
        Assert.Equal(new RoleHolder(Bob, h.Now), (await h.RoomAsync(1)).Commander);
        var handover = (await h.EventsAsync(1, IncidentEventKind.RoleAssigned))[^1];
        Assert.Equal("commander handed over: Alice → Bob", handover.Text);
        Assert.Equal("Bob", handover.ActorName);
        Assert.Equal("commander handed over: Alice → Bob.", h.Channels.PostsIn(channel.ChannelId)[^1]);
        Assert.Equal(Bob, h.CardIn(channel).Room.Commander!.Person);
        Assert.Contains("Commander: Bob", h.Channels.Topics[^1].Topic, StringComparison.Ordinal);
        Assert.Contains("UBOB", h.Channels.MembersOf(channel.ChannelId));
    }

    [Fact]
    public async Task AssignRoleAsync_CommanderAlsoTakesScribe_OnePersonHoldsBothAndCommsStaysUnfilled()
    {
        var h = new CoordinationHarness();
        var channel = await h.OpenIncidentAsync();
        await h.Paging.AcknowledgeAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();

        var outcome = await h.Coordination.AssignRoleAsync(1, IncidentRole.Scribe, null, Alice, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal("Alice is now scribe.", Assert.IsType<CoordinationOutcome.Done>(outcome).Message);
        var card = h.CardIn(channel);
        Assert.Equal(Alice, card.Room.Commander!.Person);
        Assert.Equal(Alice, card.Room.Scribe!.Person);
        Assert.Null(card.Room.Comms);
    }

    [Fact]
    public async Task AssignRoleAsync_RoleAlreadyHeldBySamePerson_RefusedAndNothingChanges()
    {
        var h = new CoordinationHarness();
        await h.OpenIncidentAsync();
        await h.Paging.AcknowledgeAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();
        var before = await h.RoomAsync(1);

        var outcome = await h.Coordination.AssignRoleAsync(1, IncidentRole.Commander, null, Alice, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal("Alice is already commander of INC-1.", Assert.IsType<CoordinationOutcome.Refused>(outcome).Reason);
        Assert.Equal(before, await h.RoomAsync(1));
    }

    [Fact]
    public async Task AssignRoleAsync_NonResponderAssignsSomeoneElse_RefusedWithTheReasonAndNothingChanges()
    {
        var h = new CoordinationHarness();
        var channel = await h.OpenIncidentAsync();
        await h.Paging.AcknowledgeAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();
        var before = await h.RoomAsync(1);
        var posts = h.Channels.Posts.Count;

        var outcome = await h.Coordination.AssignRoleAsync(1, IncidentRole.Comms, Carol, Eve, CancellationToken.None);
        await h.DeliverAsync();

        var refused = Assert.IsType<CoordinationOutcome.Refused>(outcome);
        Assert.Equal("Only responders of INC-1 may give the comms role to someone else. Ask the commander, Alice, or another responder to add you with /incident role comms @you.",
            refused.Reason);
        Assert.Equal(before, await h.RoomAsync(1));
        Assert.Single(await h.EventsAsync(1, IncidentEventKind.RoleAssigned));
        Assert.Equal(posts, h.Channels.Posts.Count);
        Assert.DoesNotContain("UCAROL", h.Channels.MembersOf(channel.ChannelId));
    }

    [Fact]
    public async Task AssignRoleAsync_NonResponderTakesAFreeRole_RefusedUntilAResponderGivesIt()
    {
        var h = new CoordinationHarness();
        var channel = await h.OpenIncidentAsync();
        Assert.False((await h.RoomAsync(1)).IsResponder(Eve));

        var refused = await h.Coordination.AssignRoleAsync(1, IncidentRole.Comms, null, Eve, CancellationToken.None);
        await h.DeliverAsync();

        Assert.StartsWith("Only responders of INC-1 may take the comms role.", Assert.IsType<CoordinationOutcome.Refused>(refused).Reason, StringComparison.Ordinal);
        Assert.Null((await h.RoomAsync(1)).Comms);
        Assert.False((await h.RoomAsync(1)).IsResponder(Eve));

        var outcome = await h.Coordination.AssignRoleAsync(1, IncidentRole.Comms, Eve, Olivia, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal("Eve is now comms (assigned by Olivia).", Assert.IsType<CoordinationOutcome.Done>(outcome).Message);
        var room = await h.RoomAsync(1);
        Assert.Equal(Eve, room.Comms!.Person);
        Assert.Contains(Eve, room.Responders);
        Assert.Contains("UEVE", h.Channels.MembersOf(channel.ChannelId));
        Assert.Equal("Eve is now comms (assigned by Olivia).", h.Channels.PostsIn(channel.ChannelId)[^1]);

        // Now a responder, she may hand a role to someone else.
        var assigned = await h.Coordination.AssignRoleAsync(1, IncidentRole.Scribe, Carol, Eve, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal("Carol is now scribe (assigned by Eve).", Assert.IsType<CoordinationOutcome.Done>(assigned).Message);
        Assert.Equal(Carol, (await h.RoomAsync(1)).Scribe!.Person);
        Assert.Contains("UCAROL", h.Channels.MembersOf(channel.ChannelId));
    }

    [Fact]
    public async Task AssignRoleAsync_RestrictedActionsAnyone_NonResponderMayAssignOthers()
    {
        var h = new CoordinationHarness(o => o.RestrictedActions = "anyone");
        await h.OpenIncidentAsync();

        var outcome = await h.Coordination.AssignRoleAsync(1, IncidentRole.Commander, Carol, Eve, CancellationToken.None);
        await h.DeliverAsync();

        Assert.IsType<CoordinationOutcome.Done>(outcome);
        Assert.Equal(Carol, (await h.RoomAsync(1)).Commander!.Person);
    }

    [Fact]
    public async Task AssignRoleAsync_UnknownIncident_NotFound()
    {
        var h = new CoordinationHarness();

        var outcome = await h.Coordination.AssignRoleAsync(9, IncidentRole.Commander, null, Alice, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal(new CoordinationOutcome.NotFound("INC-9"), outcome);
    }

    [Fact]
    public async Task AcknowledgeAsync_SomeoneAlreadyCommands_CommanderKept()
    {
        var h = new CoordinationHarness();
        var channel = await h.OpenIncidentAsync();
        await h.Coordination.AssignRoleAsync(1, IncidentRole.Commander, Carol, Olivia, CancellationToken.None);
        await h.DeliverAsync();

        await h.Paging.AcknowledgeAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();

        var room = await h.RoomAsync(1);
        Assert.Equal(Carol, room.Commander!.Person);
        Assert.True(room.IsResponder(Alice));
        Assert.Equal(Carol, h.CardIn(channel).Room.Commander!.Person);
        Assert.Single(await h.EventsAsync(1, IncidentEventKind.RoleAssigned));
    }
}
