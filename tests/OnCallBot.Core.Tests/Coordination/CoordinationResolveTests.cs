using NodaTime;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Paging;
using static OnCallBot.Core.Tests.Coordination.CoordinationHarness;

namespace OnCallBot.Core.Tests.Coordination;

public sealed class CoordinationResolveTests
{
    /// <summary>
    /// Paged at 09:00; alice misses level 1 and bob is paged at 09:05; bob acknowledges at 09:07 and commands; carol
    /// takes comms; alice notes a rollback at 09:10; impact from 09:08 to 09:40; bob resolves at 10:30.
    /// </summary>
    private static async Task<(CoordinationHarness H, IncidentChannel Channel)> ResolvedIncidentAsync(Action<CoordinationOptions>? configure = null)
    {
        var h = new CoordinationHarness(configure);
        var channel = await h.OpenIncidentAsync();
        h.Time.Advance(TimeSpan.FromMinutes(5));
        await h.RunEscalationAsync();
        h.Time.Advance(TimeSpan.FromMinutes(2));
        await h.Paging.AcknowledgeAsync(1, Bob, CancellationToken.None);
        await h.DeliverAsync();
        await h.Coordination.AssignRoleAsync(1, IncidentRole.Comms, Carol, Bob, CancellationToken.None);
        await h.DeliverAsync();
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.Coordination.SetImpactAsync(1, started: true, Bob, CancellationToken.None);
        await h.DeliverAsync();
        h.Time.Advance(TimeSpan.FromMinutes(2));
        await h.Coordination.AddNoteAsync(1, "Rolled back to v41", Alice, CancellationToken.None);
        await h.DeliverAsync();
        h.Time.Advance(TimeSpan.FromMinutes(30));
        await h.Coordination.SetImpactAsync(1, started: false, Bob, CancellationToken.None);
        await h.DeliverAsync();
        h.Time.Advance(TimeSpan.FromMinutes(50));
        var resolved = await h.Paging.ResolveAsync(1, Bob, CancellationToken.None);
        await h.DeliverAsync();
        Assert.IsType<ActionOutcome.Done>(resolved);
        return (h, channel);
    }

    [Fact]
    public async Task ResolveAsync_ThroughPaging_PhaseResolvedOnTheCardAndTopic()
    {
        var (h, channel) = await ResolvedIncidentAsync();

        var room = await h.RoomAsync(1);
        Assert.Equal(IncidentPhase.Resolved, room.Phase);
        Assert.Null(room.NextStatusUpdateDueAt);
        var card = h.CardIn(channel);
        Assert.Equal(IncidentPhase.Resolved, card.Room.Phase);
        Assert.Equal(IncidentStatus.Resolved, card.Incident.Status);
        Assert.False(card.StatusUpdateOverdue);
        Assert.Equal("INC-1 SEV3 | Resolved | Commander: Bob | Checkout returns 500s", h.Channels.Topics[^1].Topic);
        Assert.Equal("Phase: investigating → resolved", (await h.EventsAsync(1, IncidentEventKind.PhaseChanged))[^1].Text);
    }

    [Fact]
    public async Task ResolveAsync_ThroughPaging_SummaryInTheChannelWithDurationAckRolesPagesAndNotes()
    {
        var (h, channel) = await ResolvedIncidentAsync();

        var summary = h.Channels.PostsIn(channel.ChannelId)[^1];

        Assert.Equal(await h.Coordination.SummaryAsync(1, CancellationToken.None), summary);
        await h.DeliverAsync();
        Assert.StartsWith("# INC-1: Checkout returns 500s\n", summary, StringComparison.Ordinal);
        Assert.Contains("- **Service:** Checkout (owner: Payments)", summary, StringComparison.Ordinal);
        Assert.Contains("- **Paged:** 2026-01-05 09:00 UTC by Olivia", summary, StringComparison.Ordinal);
        Assert.Contains("- **Time to acknowledge:** 7m (Bob)", summary, StringComparison.Ordinal);
        Assert.Contains("- **Resolved:** 2026-01-05 10:30 UTC by Bob; **duration:** 1h 30m", summary, StringComparison.Ordinal);
        Assert.Contains("- **Customer impact:** 2026-01-05 09:08 UTC to 2026-01-05 09:40 UTC (32m)", summary, StringComparison.Ordinal);
        Assert.Contains("- **Commander:** Bob", summary, StringComparison.Ordinal);
        Assert.Contains("- **Scribe:** unfilled", summary, StringComparison.Ordinal);
        Assert.Contains("- **Comms:** Carol", summary, StringComparison.Ordinal);
        Assert.Contains("## Pages and escalations", summary, StringComparison.Ordinal);
        Assert.Contains("- 2026-01-05 09:00 UTC Notified Alice on slack (level 1)", summary, StringComparison.Ordinal);
        Assert.Contains("- 2026-01-05 09:05 UTC Alice did not acknowledge within 5m (level 1)", summary, StringComparison.Ordinal);
        Assert.Contains("- 2026-01-05 09:05 UTC Escalated to level 2: Bob", summary, StringComparison.Ordinal);
        Assert.Contains("- 2026-01-05 09:07 UTC Bob acknowledged, 7m after the page", summary, StringComparison.Ordinal);
        Assert.Contains("## Timeline", summary, StringComparison.Ordinal);
        Assert.Contains("- 2026-01-05 09:10 UTC Alice: Rolled back to v41", summary, StringComparison.Ordinal);
        Assert.Contains("- 2026-01-05 10:30 UTC Bob resolved it, 1h 30m after the page", summary, StringComparison.Ordinal);
        // The notes section comes after the pages section, and the note is in the timeline, not among the pages.
        Assert.True(summary.IndexOf("## Timeline", StringComparison.Ordinal) < summary.IndexOf("Rolled back to v41", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SummaryAsync_OpenIncident_SaysOpenForAndNeverAcknowledged()
    {
        var h = new CoordinationHarness();
        await h.OpenIncidentAsync();
        h.Time.Advance(TimeSpan.FromMinutes(12));

        var summary = await h.Coordination.SummaryAsync(1, CancellationToken.None);
        await h.DeliverAsync();

        Assert.NotNull(summary);
        Assert.Contains("- **Time to acknowledge:** never acknowledged", summary, StringComparison.Ordinal);
        Assert.Contains("- **Open for:** 12m so far", summary, StringComparison.Ordinal);
        Assert.Contains("- **Commander:** unfilled", summary, StringComparison.Ordinal);
        Assert.Null(await h.Coordination.SummaryAsync(9, CancellationToken.None));
        await h.DeliverAsync();
    }

    [Fact]
    public async Task ResolveAsync_ThroughPaging_ArchiveScheduledAfterTheConfiguredTimeAndThenArchived()
    {
        var (h, channel) = await ResolvedIncidentAsync(o => o.ArchiveChannelAfter = TimeSpan.FromDays(2));
        var resolvedAt = h.Now;

        Assert.Equal(resolvedAt + Duration.FromDays(2), h.CoordinationScheduler.PendingArchives[1]);
        h.Time.Advance(TimeSpan.FromDays(2) - TimeSpan.FromMinutes(1));
        Assert.Empty(await h.CoordinationScheduler.FireDueArchivesAsync(h.Coordination));
        Assert.Empty(h.Channels.Archived);

        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.CoordinationScheduler.FireDueArchivesAsync(h.Coordination);
        await h.DeliverAsync();

        Assert.Equal([channel.ChannelId], h.Channels.Archived);
        Assert.Equal("Archived #inc-1-checkout-returns-500s on slack", Assert.Single(await h.EventsAsync(1, IncidentEventKind.Archived)).Text);
    }

    [Fact]
    public async Task ResolveAsync_ArchiveNever_NothingScheduled()
    {
        var (h, _) = await ResolvedIncidentAsync(o => o.ArchiveChannelAfter = TimeSpan.FromSeconds(-1));

        Assert.Empty(h.CoordinationScheduler.PendingArchives);
    }

    [Fact]
    public async Task ArchiveChannelsAsync_IncidentStillOpen_ArchivesNothing()
    {
        var h = new CoordinationHarness();
        await h.OpenIncidentAsync();

        await h.Coordination.ArchiveChannelsAsync(1, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Empty(h.Channels.Archived);
    }

    [Fact]
    public async Task AuthorizeResolveAsync_NonResponder_RefusedByDefaultWithTheReason()
    {
        var h = new CoordinationHarness();
        await h.OpenIncidentAsync();
        await h.Paging.AcknowledgeAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();

        var eve = await h.Coordination.AuthorizeResolveAsync(1, Eve, CancellationToken.None);
        await h.DeliverAsync();
        var alice = await h.Coordination.AuthorizeResolveAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();
        var olivia = await h.Coordination.AuthorizeResolveAsync(1, Olivia, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal("Only responders of INC-1 may resolve it. Ask the commander, Alice, or another responder to add you with /incident role <role> @you.", eve);
        Assert.Null(alice);
        Assert.Null(olivia);
    }

    [Fact]
    public async Task AuthorizeResolveAsync_RestrictedActionsAnyone_NonResponderAllowed()
    {
        var h = new CoordinationHarness(o => o.RestrictedActions = "Anyone");
        await h.OpenIncidentAsync();

        Assert.Null(await h.Coordination.AuthorizeResolveAsync(1, Eve, CancellationToken.None));
        await h.DeliverAsync();
    }
}
