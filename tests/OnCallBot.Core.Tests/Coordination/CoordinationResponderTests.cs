using OnCallBot.Core.Coordination;
using OnCallBot.Core.Paging;
using static OnCallBot.Core.Tests.Coordination.CoordinationHarness;

namespace OnCallBot.Core.Tests.Coordination;

/// <summary>
/// Who is a responder (the one rule every restricted command follows) and what a workspace member who is none may
/// and may not do under <c>Incidents:RestrictedActions</c>.
/// </summary>
public sealed class CoordinationResponderTests
{
    /// <summary>In the workspace, not in the on-call config, never paged.</summary>
    private static readonly Actor Mallory = new("slack", "UMALLORY", "Mallory", null);

    /// <summary>Alice is paged and acknowledges, so she commands: a commander sits.</summary>
    private static async Task<(CoordinationHarness H, IncidentChannel Channel)> AliceCommandsAsync(Action<CoordinationOptions>? configure = null)
    {
        var h = new CoordinationHarness(configure);
        var channel = await h.OpenIncidentAsync();
        await h.Paging.AcknowledgeAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();
        Assert.Equal(Alice, (await h.RoomAsync(1)).Commander!.Person);
        return (h, channel);
    }

    [Fact]
    public async Task AssignRoleAsync_StrangerTakesTheSittingCommandersRole_RefusedAndNothingChanges()
    {
        var (h, channel) = await AliceCommandsAsync();
        var before = await h.RoomAsync(1);
        var posts = h.Channels.Posts.Count;
        var cardUpdates = h.Channels.CardsUpdated.Count;
        var topics = h.Channels.Topics.Count;

        var outcome = await h.Coordination.AssignRoleAsync(1, IncidentRole.Commander, null, Mallory, CancellationToken.None);
        await h.DeliverAsync();

        var refused = Assert.IsType<CoordinationOutcome.Refused>(outcome);
        Assert.Equal(
            "Only responders of INC-1 may take the commander role from Alice. Ask the commander, Alice, or another responder to add you with /incident role commander @you.",
            refused.Reason);
        Assert.Equal(before, await h.RoomAsync(1));
        Assert.Single(await h.EventsAsync(1, IncidentEventKind.RoleAssigned));
        Assert.Equal((posts, cardUpdates, topics), (h.Channels.Posts.Count, h.Channels.CardsUpdated.Count, h.Channels.Topics.Count));
        Assert.Equal(Alice, h.CardIn(channel).Room.Commander!.Person);
        Assert.DoesNotContain("UMALLORY", h.Channels.MembersOf(channel.ChannelId));
    }

    [Fact]
    public async Task Commands_StrangerUnderResponders_TakeoverSeverityPhaseResolveStatusAndImpactAllRefused()
    {
        var (h, _) = await AliceCommandsAsync();
        var before = await h.RoomAsync(1);

        var takeover = await h.Coordination.AssignRoleAsync(1, IncidentRole.Commander, null, Mallory, CancellationToken.None);
        await h.DeliverAsync();
        var severity = await h.Coordination.SetSeverityAsync(1, 1, Mallory, CancellationToken.None);
        await h.DeliverAsync();
        var phase = await h.Coordination.SetPhaseAsync(1, IncidentPhase.Monitoring, Mallory, CancellationToken.None);
        await h.DeliverAsync();
        var resolve = await h.Coordination.AuthorizeResolveAsync(1, Mallory, CancellationToken.None);
        await h.DeliverAsync();
        var status = await h.Coordination.PostStatusAsync(1, "All fine, nothing to see", Mallory, CancellationToken.None);
        await h.DeliverAsync();
        var impact = await h.Coordination.SetImpactAsync(1, started: true, Mallory, CancellationToken.None);
        await h.DeliverAsync();

        Assert.All([takeover, severity, phase, status, impact], o => Assert.IsType<CoordinationOutcome.Refused>(o));
        Assert.Equal(
            "Only responders of INC-1 may change its severity. Ask the commander, Alice, or another responder to add you with /incident role <role> @you.",
            ((CoordinationOutcome.Refused)severity).Reason);
        Assert.StartsWith("Only responders of INC-1 may change its phase.", ((CoordinationOutcome.Refused)phase).Reason, StringComparison.Ordinal);
        Assert.StartsWith("Only responders of INC-1 may post its status updates.", ((CoordinationOutcome.Refused)status).Reason, StringComparison.Ordinal);
        Assert.StartsWith("Only responders of INC-1 may mark its customer impact.", ((CoordinationOutcome.Refused)impact).Reason, StringComparison.Ordinal);
        Assert.StartsWith("Only responders of INC-1 may resolve it.", resolve, StringComparison.Ordinal);
        Assert.Equal(before, await h.RoomAsync(1));
        Assert.Empty(await h.EventsAsync(1, IncidentEventKind.StatusUpdate));
        Assert.Empty(await h.EventsAsync(1, IncidentEventKind.ImpactStarted));
    }

    [Fact]
    public async Task Commands_StrangerUnderAnyone_TakesCommandAndChangesEverything()
    {
        var (h, channel) = await AliceCommandsAsync(o => o.RestrictedActions = "anyone");

        var takeover = await h.Coordination.AssignRoleAsync(1, IncidentRole.Commander, null, Mallory, CancellationToken.None);
        await h.DeliverAsync();
        var severity = await h.Coordination.SetSeverityAsync(1, 1, Mallory, CancellationToken.None);
        await h.DeliverAsync();
        var phase = await h.Coordination.SetPhaseAsync(1, IncidentPhase.Monitoring, Mallory, CancellationToken.None);
        await h.DeliverAsync();
        var status = await h.Coordination.PostStatusAsync(1, "Mitigated", Mallory, CancellationToken.None);
        await h.DeliverAsync();
        var impact = await h.Coordination.SetImpactAsync(1, started: true, Mallory, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal("commander handed over: Alice → Mallory.", Assert.IsType<CoordinationOutcome.Done>(takeover).Message);
        Assert.All([severity, phase, status, impact], o => Assert.IsType<CoordinationOutcome.Done>(o));
        Assert.Null(await h.Coordination.AuthorizeResolveAsync(1, Mallory, CancellationToken.None));
        await h.DeliverAsync();
        var room = await h.RoomAsync(1);
        Assert.Equal((Mallory, 1, IncidentPhase.Monitoring), (room.Commander!.Person, room.Severity, room.Phase));
        Assert.Equal(Mallory, h.CardIn(channel).Room.Commander!.Person);
    }

    [Fact]
    public async Task AssignRoleAsync_PagedResponderTakesTheSittingCommandersRole_HandedOver()
    {
        var h = new CoordinationHarness();
        var channel = await h.OpenIncidentAsync();
        await h.Coordination.AssignRoleAsync(1, IncidentRole.Commander, null, Alice, CancellationToken.None);
        await h.DeliverAsync();
        // Nobody acknowledged, so level 2 (Bob) is paged five minutes in: he responds without a role.
        h.Time.Advance(TimeSpan.FromMinutes(5));
        await h.RunEscalationAsync();

        var outcome = await h.Coordination.AssignRoleAsync(1, IncidentRole.Commander, null, Bob, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal("commander handed over: Alice → Bob.", Assert.IsType<CoordinationOutcome.Done>(outcome).Message);
        Assert.Equal(Bob, h.CardIn(channel).Room.Commander!.Person);
    }

    [Fact]
    public async Task IsResponder_EveryWayIn_CountsAndNobodyElseDoes()
    {
        var h = new CoordinationHarness(o => o.CommanderOnFirstAcknowledge = false);
        await h.OpenIncidentAsync();
        var room = await h.RoomAsync(1);
        // Olivia paged; Alice was paged (level 1). Bob (level 2), Carol, Dina and Eve are in the config and were not.
        Assert.True(room.IsResponder(Olivia));
        Assert.True(room.IsResponder(Alice));
        Assert.All([Bob, Carol, ActorFor("dina"), Eve, Mallory], p => Assert.False(room.IsResponder(p)));

        h.Time.Advance(TimeSpan.FromMinutes(5));
        await h.RunEscalationAsync();
        Assert.True((await h.RoomAsync(1)).IsResponder(Bob));

        // Acknowledging someone else's page is open to anyone and makes them a responder.
        await h.Paging.AcknowledgeAsync(1, Mallory, CancellationToken.None);
        await h.DeliverAsync();
        Assert.True((await h.RoomAsync(1)).IsResponder(Mallory));

        // A stranger cannot make herself one by taking a free role; being given a role makes Eve and Dina ones.
        var refused = await h.Coordination.AssignRoleAsync(1, IncidentRole.Scribe, null, Eve, CancellationToken.None);
        await h.DeliverAsync();
        Assert.Equal("Only responders of INC-1 may take the scribe role. Ask a responder to add you with /incident role scribe @you.", Assert.IsType<CoordinationOutcome.Refused>(refused).Reason);
        Assert.False((await h.RoomAsync(1)).IsResponder(Eve));
        await h.Coordination.AssignRoleAsync(1, IncidentRole.Scribe, Eve, Mallory, CancellationToken.None);
        await h.DeliverAsync();
        await h.Coordination.AssignRoleAsync(1, IncidentRole.Comms, ActorFor("dina"), Eve, CancellationToken.None);
        await h.DeliverAsync();
        Assert.True((await h.RoomAsync(1)).IsResponder(Eve));
        Assert.True((await h.RoomAsync(1)).IsResponder(ActorFor("dina")));

        // Having held a role is enough: Eve's scribe role goes to Bob, and she still responds.
        await h.Coordination.AssignRoleAsync(1, IncidentRole.Scribe, Bob, Mallory, CancellationToken.None);
        await h.DeliverAsync();
        Assert.Equal(Bob, (await h.RoomAsync(1)).Scribe!.Person);
        Assert.True((await h.RoomAsync(1)).IsResponder(Eve));

        // Paging someone in (here Ledger, whose on-call is Carol) makes whoever is notified one, not the one paging.
        var rick = new Actor("slack", "URICK", "Rick", null);
        await h.PageAsync("ledger", "Ledger is slow", joinIncident: 1, pager: rick);
        await h.RunEscalationAsync();
        room = await h.RoomAsync(1);
        Assert.True(room.IsResponder(Carol));
        Assert.False(room.IsResponder(rick));
    }

    [Fact]
    public async Task AcknowledgeAsync_StrangerAcknowledgesSomeoneElsesPage_BecomesCommanderAndMayChangeSeverity()
    {
        var h = new CoordinationHarness();
        var channel = await h.OpenIncidentAsync();

        var acked = await h.Paging.AcknowledgeAsync(1, Mallory, CancellationToken.None);
        await h.DeliverAsync();

        Assert.IsType<ActionOutcome.Done>(acked);
        var room = await h.RoomAsync(1);
        Assert.Equal(Mallory, room.Commander!.Person);
        Assert.True(room.IsResponder(Mallory));
        Assert.Contains("UMALLORY", h.Channels.MembersOf(channel.ChannelId));
        Assert.IsType<CoordinationOutcome.Done>(await h.Coordination.SetSeverityAsync(1, 2, Mallory, CancellationToken.None));
        await h.DeliverAsync();
    }

    [Fact]
    public async Task AcknowledgeAsync_StrangerAcknowledgesWithCommanderOnFirstAcknowledgeOff_ResponderWithoutARole()
    {
        var h = new CoordinationHarness(o => o.CommanderOnFirstAcknowledge = false);
        await h.OpenIncidentAsync();

        await h.Paging.AcknowledgeAsync(1, Mallory, CancellationToken.None);
        await h.DeliverAsync();

        var room = await h.RoomAsync(1);
        Assert.Null(room.Commander);
        Assert.True(room.IsResponder(Mallory));
        Assert.Null(await h.Coordination.AuthorizeResolveAsync(1, Mallory, CancellationToken.None));
        await h.DeliverAsync();
    }

    [Fact]
    public async Task NoteAndPageIn_ByStranger_StayOpenAndDoNotMakeThemAResponder()
    {
        var (h, channel) = await AliceCommandsAsync();

        var note = await h.Coordination.AddNoteAsync(1, "Seeing 502s from the EU edge too", Mallory, CancellationToken.None);
        await h.DeliverAsync();
        var child = await h.PageAsync("ledger", "Ledger is slow", joinIncident: 1, pager: Mallory);
        await h.DeliverAsync();

        Assert.IsType<CoordinationOutcome.Done>(note);
        Assert.Equal("📝 Mallory: Seeing 502s from the EU edge too", h.Channels.PostsIn(channel.ChannelId)[^2]);
        Assert.Equal([child.Number], (await h.RoomAsync(1)).LinkedIncidents);
        Assert.False((await h.RoomAsync(1)).IsResponder(Mallory));
    }

    [Fact]
    public async Task RunEscalationStepAsync_NotifiedByAnEarlierRunOfTheStep_StillAResponder()
    {
        var h = new CoordinationHarness();
        var incident = await h.PageAsync();
        // An earlier run sent Alice her page and recorded it, then stopped before anything else heard of it.
        Assert.True(await h.Store.TryClaimNotificationAsync(new Notification(incident.Number, 0, 0, "alice", "slack", h.Now, null), CancellationToken.None));
        await h.Store.SetNotificationMessageAsync(incident.Number, 0, "alice", "slack", new DeliveredMessage("slack", "DALICE", "1.0001"), h.Now, CancellationToken.None);

        await h.RunEscalationAsync();

        Assert.Empty(h.Slack.Sent);
        Assert.True((await h.RoomAsync(incident.Number)).IsResponder(Alice));
        Assert.Null(await h.Coordination.AuthorizeResolveAsync(incident.Number, Alice, CancellationToken.None));
        await h.DeliverAsync();
    }
}
