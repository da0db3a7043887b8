using NodaTime;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Paging;
using static OnCallBot.Core.Tests.Coordination.CoordinationHarness;

namespace OnCallBot.Core.Tests.Coordination;

public sealed class CoordinationCommandTests
{
    [Fact]
    public async Task SetSeverityAsync_ByResponder_EventAnnouncementTopicCardAndReminderFollow()
    {
        var h = new CoordinationHarness();
        var channel = await h.OpenIncidentAsync();
        await h.Paging.AcknowledgeAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();
        var pagedAt = h.Now;
        h.Time.Advance(TimeSpan.FromMinutes(10));

        var outcome = await h.Coordination.SetSeverityAsync(1, 1, Alice, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal("Severity: SEV3 → SEV1.", Assert.IsType<CoordinationOutcome.Done>(outcome).Message);
        Assert.Equal("Severity: SEV3 → SEV1 (by Alice)", Assert.Single(await h.EventsAsync(1, IncidentEventKind.SeverityChanged)).Text);
        Assert.Equal("Severity: SEV3 → SEV1 (by Alice).", h.Channels.PostsIn(channel.ChannelId)[^1]);
        Assert.Equal(1, h.CardIn(channel).Room.Severity);
        Assert.StartsWith("INC-1 SEV1 |", h.Channels.Topics[^1].Topic, StringComparison.Ordinal);
        // SEV1 wants an update every 30 minutes, counted from the page.
        Assert.Equal(pagedAt + Duration.FromMinutes(30), h.CoordinationScheduler.PendingReminders[1]);
        Assert.Equal(pagedAt + Duration.FromMinutes(30), (await h.RoomAsync(1)).NextStatusUpdateDueAt);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(-1)]
    public async Task SetSeverityAsync_OutOfRange_RefusedWithUsageAndNothingChanges(int severity)
    {
        var h = new CoordinationHarness();
        await h.OpenIncidentAsync();
        var before = await h.RoomAsync(1);

        var outcome = await h.Coordination.SetSeverityAsync(1, severity, Olivia, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal("Severity is 1 (worst) to 4: e.g. /incident sev 2.", Assert.IsType<CoordinationOutcome.Refused>(outcome).Reason);
        Assert.Equal(before, await h.RoomAsync(1));
        Assert.Empty(await h.EventsAsync(1, IncidentEventKind.SeverityChanged));
    }

    [Fact]
    public async Task SetSeverityAsync_ByNonResponder_RefusedSayingWhoMay()
    {
        var h = new CoordinationHarness();
        await h.OpenIncidentAsync();
        var before = await h.RoomAsync(1);

        var outcome = await h.Coordination.SetSeverityAsync(1, 1, Eve, CancellationToken.None);
        await h.DeliverAsync();

        var refused = Assert.IsType<CoordinationOutcome.Refused>(outcome);
        Assert.Equal("Only responders of INC-1 may change its severity. Ask a responder to add you with /incident role <role> @you.",
            refused.Reason);
        Assert.Equal(before, await h.RoomAsync(1));
    }

    [Fact]
    public async Task SetPhaseAsync_Identified_EventAnnouncementTopicAndCard()
    {
        var h = new CoordinationHarness();
        var channel = await h.OpenIncidentAsync();

        var outcome = await h.Coordination.SetPhaseAsync(1, IncidentPhase.Identified, Alice, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal("Phase: investigating → identified.", Assert.IsType<CoordinationOutcome.Done>(outcome).Message);
        Assert.Equal("Phase: investigating → identified (by Alice)", Assert.Single(await h.EventsAsync(1, IncidentEventKind.PhaseChanged)).Text);
        Assert.Equal("Phase: investigating → identified (by Alice).", h.Channels.PostsIn(channel.ChannelId)[^1]);
        Assert.Equal(IncidentPhase.Identified, h.CardIn(channel).Room.Phase);
        Assert.Equal("INC-1 SEV3 | Identified | Commander: unfilled | Checkout returns 500s", h.Channels.Topics[^1].Topic);
    }

    [Fact]
    public async Task SetPhaseAsync_Resolved_RefusedPointingToResolve()
    {
        var h = new CoordinationHarness();
        await h.OpenIncidentAsync();
        var before = await h.RoomAsync(1);

        var outcome = await h.Coordination.SetPhaseAsync(1, IncidentPhase.Resolved, Alice, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal("To resolve the incident use /incident resolve: it also stops paging and posts the summary.",
            Assert.IsType<CoordinationOutcome.Refused>(outcome).Reason);
        Assert.Equal(before, await h.RoomAsync(1));
        Assert.Equal(IncidentStatus.Triggered, (await h.IncidentAsync(1))!.Status);
    }

    [Fact]
    public async Task AddNoteAsync_ByAnyone_OnTimelineAndInTheChannel()
    {
        var h = new CoordinationHarness();
        var channel = await h.OpenIncidentAsync();

        var outcome = await h.Coordination.AddNoteAsync(1, "  Rolled back to v41  ", Eve, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal("Noted on INC-1's timeline.", Assert.IsType<CoordinationOutcome.Done>(outcome).Message);
        var note = Assert.Single(await h.EventsAsync(1, IncidentEventKind.Note));
        Assert.Equal("Eve: Rolled back to v41", note.Text);
        Assert.Equal("Eve", note.ActorName);
        Assert.Equal("📝 Eve: Rolled back to v41", h.Channels.PostsIn(channel.ChannelId)[^1]);
    }

    [Fact]
    public async Task AddNoteAsync_Empty_RefusedWithAnExample()
    {
        var h = new CoordinationHarness();
        await h.OpenIncidentAsync();

        var outcome = await h.Coordination.AddNoteAsync(1, "   ", Alice, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Contains("/incident note", Assert.IsType<CoordinationOutcome.Refused>(outcome).Reason, StringComparison.Ordinal);
        Assert.Empty(await h.EventsAsync(1, IncidentEventKind.Note));
    }

    [Fact]
    public async Task SetImpactAsync_StartThenEnd_TimesOnTheCardAndTheDurationSaid()
    {
        var h = new CoordinationHarness();
        var channel = await h.OpenIncidentAsync();
        h.Time.Advance(TimeSpan.FromMinutes(3));
        var startedAt = h.Now;

        var started = await h.Coordination.SetImpactAsync(1, started: true, Alice, CancellationToken.None);
        await h.DeliverAsync();
        h.Time.Advance(TimeSpan.FromMinutes(25));
        var ended = await h.Coordination.SetImpactAsync(1, started: false, Alice, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal("Customer impact started.", Assert.IsType<CoordinationOutcome.Done>(started).Message);
        Assert.Equal("Customer impact ended after 25m.", Assert.IsType<CoordinationOutcome.Done>(ended).Message);
        Assert.Equal("Customer impact started (marked by Alice)", Assert.Single(await h.EventsAsync(1, IncidentEventKind.ImpactStarted)).Text);
        Assert.Equal("Customer impact ended after 25m (marked by Alice)", Assert.Single(await h.EventsAsync(1, IncidentEventKind.ImpactEnded)).Text);
        var posts = h.Channels.PostsIn(channel.ChannelId);
        Assert.Contains("⚠️ Customer impact started (marked by Alice).", posts);
        Assert.Equal("✅ Customer impact ended after 25m (marked by Alice).", posts[^1]);
        var card = h.CardIn(channel);
        Assert.Equal(startedAt, card.Room.ImpactStartedAt);
        Assert.Equal(h.Now, card.Room.ImpactEndedAt);
    }

    [Fact]
    public async Task SetImpactAsync_EndWithoutStartOrStartTwice_RefusedAndNothingChanges()
    {
        var h = new CoordinationHarness();
        await h.OpenIncidentAsync();

        var endFirst = await h.Coordination.SetImpactAsync(1, started: false, Alice, CancellationToken.None);
        await h.DeliverAsync();
        await h.Coordination.SetImpactAsync(1, started: true, Alice, CancellationToken.None);
        await h.DeliverAsync();
        var before = await h.RoomAsync(1);
        var startAgain = await h.Coordination.SetImpactAsync(1, started: true, Alice, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal("Customer impact on INC-1 is not marked as started: /incident impact start first.", Assert.IsType<CoordinationOutcome.Refused>(endFirst).Reason);
        Assert.Equal("Customer impact on INC-1 is already marked as started at 2026-01-05 09:00 UTC.", Assert.IsType<CoordinationOutcome.Refused>(startAgain).Reason);
        Assert.Equal(before, await h.RoomAsync(1));
        Assert.Single(await h.EventsAsync(1, IncidentEventKind.ImpactStarted));
        Assert.Empty(await h.EventsAsync(1, IncidentEventKind.ImpactEnded));
    }

    [Fact]
    public async Task PostStatusAsync_Update_PostedInTheChannelOnTheTimelineAndTheReminderReset()
    {
        var h = new CoordinationHarness();
        var channel = await h.OpenIncidentAsync();
        h.Time.Advance(TimeSpan.FromHours(1));

        var outcome = await h.Coordination.PostStatusAsync(1, "Rolled back; error rate back to normal.", Alice, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal("Status update posted in #inc-1-checkout-returns-500s.", Assert.IsType<CoordinationOutcome.Done>(outcome).Message);
        Assert.Equal("*Status update, INC-1 (SEV3, investigating)*: Checkout returns 500s\nRolled back; error rate back to normal.\n_by Alice_",
            h.Channels.PostsIn(channel.ChannelId)[^1]);
        Assert.Equal("Status update by Alice: Rolled back; error rate back to normal.", Assert.Single(await h.EventsAsync(1, IncidentEventKind.StatusUpdate)).Text);
        var room = await h.RoomAsync(1);
        Assert.Equal(h.Now, room.LastStatusUpdateAt);
        Assert.Equal(h.Now + Duration.FromHours(4), room.NextStatusUpdateDueAt);
        Assert.Equal(h.Now + Duration.FromHours(4), h.CoordinationScheduler.PendingReminders[1]);
        Assert.Equal(h.Now, h.CardIn(channel).Room.LastStatusUpdateAt);
    }

    [Fact]
    public async Task PostStatusAsync_SeverityWithAStakeholderChannel_PostedThereToo()
    {
        var h = new CoordinationHarness(o => o.StakeholderChannels["1"] = new() { ["slack"] = "C0STATUS" });
        h.Channels.AddExistingChannel("C0STATUS");
        var channel = await h.OpenIncidentAsync();
        await h.Coordination.SetSeverityAsync(1, 1, Alice, CancellationToken.None);
        await h.DeliverAsync();

        var outcome = await h.Coordination.PostStatusAsync(1, "Mitigated.", Alice, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal("Status update posted in #inc-1-checkout-returns-500s and the SEV1 stakeholder channel on slack.",
            Assert.IsType<CoordinationOutcome.Done>(outcome).Message);
        var expected = "*Status update, INC-1 (SEV1, investigating)*: Checkout returns 500s\nMitigated.\n_by Alice_";
        Assert.Equal([expected], h.Channels.PostsIn("C0STATUS"));
        Assert.Equal(expected, h.Channels.PostsIn(channel.ChannelId)[^1]);
    }

    [Fact]
    public async Task PostStatusAsync_SeverityWithoutAStakeholderChannel_OnlyInTheIncidentChannel()
    {
        var h = new CoordinationHarness(o => o.StakeholderChannels["1"] = new() { ["slack"] = "C0STATUS" });
        h.Channels.AddExistingChannel("C0STATUS");
        var channel = await h.OpenIncidentAsync();

        var outcome = await h.Coordination.PostStatusAsync(1, "Looking into it.", Alice, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Equal("Status update posted in #inc-1-checkout-returns-500s.", Assert.IsType<CoordinationOutcome.Done>(outcome).Message);
        Assert.Empty(h.Channels.PostsIn("C0STATUS"));
        Assert.Contains("Looking into it.", h.Channels.PostsIn(channel.ChannelId)[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostStatusAsync_Empty_RefusedAndTheClockDoesNotMove()
    {
        var h = new CoordinationHarness();
        await h.OpenIncidentAsync();
        var before = await h.RoomAsync(1);

        var outcome = await h.Coordination.PostStatusAsync(1, "", Alice, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Contains("/incident status", Assert.IsType<CoordinationOutcome.Refused>(outcome).Reason, StringComparison.Ordinal);
        Assert.Equal(before, await h.RoomAsync(1));
    }
}
