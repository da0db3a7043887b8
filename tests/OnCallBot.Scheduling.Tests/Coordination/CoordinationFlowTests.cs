using NodaTime;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Paging;
using OnCallBot.Scheduling.Coordination;
using OnCallBot.Scheduling.Tests.Escalation;
using OnCallBot.Storage;
using OnCallBot.Storage.Tests.Infrastructure;
using OnCallBot.TestKit;
using Quartz;

namespace OnCallBot.Scheduling.Tests.Coordination;

/// <summary>
/// Incident coordination with everything real but the chat platforms: PagingService and CoordinationService as
/// AddOnCallCoordination wires them, the SQL incident and room stores and Quartz on the same SQLite file or PostgreSQL
/// database. Tests await what the platform recorded or a job's run, with generous bounds; they never sleep to let
/// time pass. Where exact trigger times matter, the host runs on a fake clock (Quartz reads the host's clock).
/// </summary>
public sealed class CoordinationFlowTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset Start = new(2031, 6, 1, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task Page_ChannelOpenedByTheOutboxWithThePagerAndTheNotifiedPersonInvited(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        await using var host = await CoordinationHost.BuildAsync(db);
        await host.StartAsync();

        var incident = await host.PageAsync();
        await host.OutboxEmptyAsync();
        // Bob is notified by level 2, after its two-second timeout: well after the room exists (see the skipped test below for level 1).
        await host.Channels.WhenAsync(c => c.Created.Count == 1
            && c.MembersOf(c.Created[0].ChannelId).Contains("UOLIVIA") && c.MembersOf(c.Created[0].ChannelId).Contains("UBOB"));

        var created = Assert.Single(host.Channels.Recorded.Created);
        Assert.StartsWith($"inc-{incident.Number}-", created.Name, StringComparison.Ordinal);
        var room = await host.Rooms.FindByChannelAsync("slack", created.ChannelId, None);
        Assert.NotNull(room);
        Assert.Equal(incident.Number, room.IncidentNumber);
        var channel = Assert.Single(room.Channels);
        Assert.Equal((created.ChannelId, created.Name), (channel.ChannelId, channel.Name));
        Assert.Equal(Assert.Single(host.Channels.Recorded.CardsPosted).MessageId, channel.CardMessageId);
        Assert.Contains(room.Responders, r => r.UserId == "bob");
        Assert.Contains(await host.Incidents.GetEventsAsync(incident.Number, None),
            e => e.Kind == IncidentEventKind.ChannelOpened && e.Text == $"Opened #{created.Name} on slack");
        Assert.Null(await host.TriggerAsync(CoordinationWork.OpenChannels, incident.Number));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task Page_FirstLevelNotifiedAtOnce_IsInvitedToTheChannel(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        await using var host = await CoordinationHost.BuildAsync(db);
        await host.StartAsync();

        var incident = await host.PageAsync();
        // Bob (level 2) is invited two seconds in; by then Alice (level 1) must have been too.
        await host.Channels.WhenAsync(c => c.Created.Count == 1 && c.MembersOf(c.Created[0].ChannelId).Contains("UBOB"));

        Assert.Contains("UALICE", host.Channels.Recorded.MembersOf(host.Channels.Recorded.Created[0].ChannelId));
        Assert.Contains((await host.Rooms.GetAsync(incident.Number, None))!.Responders, r => r.UserId == "alice");
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task StatusReminder_Sev1WithTwoSecondInterval_RemindsTheCommsHolderAfterTheInterval(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        await using var host = await CoordinationHost.BuildAsync(db, null,
            ("Incidents:DefaultSeverity", "1"), ("Incidents:StatusUpdateIntervals:1", "00:00:02"));
        await host.StartAsync();
        var incident = await host.PageAsync();
        var assigned = await host.Coordination.AssignRoleAsync(incident.Number, IncidentRole.Comms, EscalationModel.Alice, EscalationModel.Olivia, None);
        Assert.IsType<CoordinationOutcome.Done>(assigned);

        await host.Channels.WhenAsync(c => c.Reminders.Any(r => r.Person.PlatformUserId == "UALICE"));
        await host.RanAsync(CoordinationWork.StatusReminder, incident.Number);

        var (reminder, at) = host.Channels.TimedReminders.First(r => r.Reminder.Person.PlatformUserId == "UALICE");
        Assert.True(at >= incident.CreatedAt.ToDateTimeOffset() + TimeSpan.FromSeconds(2),
            $"The reminder went out {at - incident.CreatedAt.ToDateTimeOffset()} after the page, before the two-second interval.");
        Assert.Contains($"A status update for {incident.Reference}", reminder.Text, StringComparison.Ordinal);
        Assert.Contains(await host.Incidents.GetEventsAsync(incident.Number, None),
            e => e.Kind == IncidentEventKind.StatusReminder && e.Text == "Status update due: reminded Alice (comms)");
        // The reminder moved the clock on and left the next one pending.
        var room = (await host.Rooms.GetAsync(incident.Number, None))!;
        Assert.True(room.NextStatusUpdateDueAt!.Value.ToDateTimeOffset() > at - TimeSpan.FromSeconds(1));
        Assert.NotNull((await host.TriggerAsync(CoordinationWork.StatusReminder, incident.Number))?.NextFireTimeUtc);
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task PostStatus_BeforeTheReminder_ReplacesItsTriggerWithOneAFullIntervalLater(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        var clock = new FakeTimeProvider(Start);
        await using var host = await CoordinationHost.BuildAsync(db, clock,
            ("Incidents:DefaultSeverity", "1"), ("Incidents:StatusUpdateIntervals:1", "00:10:00"));
        await host.StandbyAsync();
        var incident = await host.PageAsync();
        var first = await host.TriggerAsync(CoordinationWork.StatusReminder, incident.Number);

        clock.Advance(TimeSpan.FromMinutes(4));
        var posted = await host.Coordination.PostStatusAsync(incident.Number, "Rolled back; error rate falling.", EscalationModel.Olivia, None);

        Assert.IsType<CoordinationOutcome.Done>(posted);
        Assert.Equal(Start + TimeSpan.FromMinutes(10), first?.NextFireTimeUtc);
        var replaced = await host.TriggerAsync(CoordinationWork.StatusReminder, incident.Number);
        Assert.Equal(Start + TimeSpan.FromMinutes(14), replaced?.NextFireTimeUtc);
        Assert.Equal((int)SimpleTriggerMisfireInstruction.FireNow, replaced!.MisfireInstructionCode);
        Assert.Single(await host.Scheduler.GetTriggersOfJob(CoordinationWakeUp.JobKeyFor(CoordinationWork.StatusReminder), None));
        Assert.Equal(Instant.FromDateTimeOffset(Start + TimeSpan.FromMinutes(14)), (await host.Rooms.GetAsync(incident.Number, None))!.NextStatusUpdateDueAt);
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task Resolve_RoomWithAChannel_CancelsTheReminderAndSchedulesTheArchive(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        var clock = new FakeTimeProvider(Start);
        await using var host = await CoordinationHost.BuildAsync(db, clock,
            ("Incidents:DefaultSeverity", "2"), ("Incidents:ArchiveChannelAfter", "01:00:00"));
        await host.StartAsync();
        var incident = await host.PageAsync();
        await host.OutboxEmptyAsync();
        Assert.Equal(Start + TimeSpan.FromHours(1), (await host.TriggerAsync(CoordinationWork.StatusReminder, incident.Number))?.NextFireTimeUtc);

        clock.Advance(TimeSpan.FromMinutes(20));
        var resolved = await host.Paging.ResolveAsync(incident.Number, EscalationModel.Alice, None);

        Assert.IsType<ActionOutcome.Done>(resolved);
        Assert.Null(await host.TriggerAsync(CoordinationWork.StatusReminder, incident.Number));
        var archive = await host.TriggerAsync(CoordinationWork.ArchiveChannels, incident.Number);
        Assert.Equal(Start + TimeSpan.FromMinutes(20) + TimeSpan.FromHours(1), archive?.NextFireTimeUtc);
        Assert.Equal(CoordinationWakeUp.JobKeyFor(CoordinationWork.ArchiveChannels), archive!.JobKey);
        Assert.Equal(IncidentPhase.Resolved, (await host.Rooms.GetAsync(incident.Number, None))!.Phase);
        Assert.Empty(host.Channels.Recorded.Archived);
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task Resolve_ArchiveChannelAfterZero_ArchiveJobArchivesTheChannel(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        await using var host = await CoordinationHost.BuildAsync(db, null, ("Incidents:ArchiveChannelAfter", "00:00:00"));
        await host.StartAsync();
        var incident = await host.PageAsync();
        await host.OutboxEmptyAsync();
        var channelId = Assert.Single(host.Channels.Recorded.Created).ChannelId;

        await host.Paging.ResolveAsync(incident.Number, EscalationModel.Alice, None);
        await host.RanAsync(CoordinationWork.ArchiveChannels, incident.Number);
        await host.OutboxEmptyAsync();

        Assert.Equal([channelId], host.Channels.Recorded.Archived);
        Assert.Contains(host.Channels.Recorded.PostsIn(channelId), p => p.StartsWith($"# {incident.Reference}: ", StringComparison.Ordinal));
        Assert.Contains(await host.Incidents.GetEventsAsync(incident.Number, None), e => e.Kind == IncidentEventKind.Archived);
        Assert.Null((await host.TriggerAsync(CoordinationWork.ArchiveChannels, incident.Number))?.NextFireTimeUtc);
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task OpenChannels_PlatformFailsUnexpectedly_TriedAgainByTheOutboxAndOpensTheChannel(StorageProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, ownPostgresDatabase: true);
        await using var host = await CoordinationHost.BuildAsync(db, null, ("Outbox:RetryDelay", "00:00:00.2"));
        host.Channels.FailNextCreate(new HttpRequestException("Connection refused (slack.com:443)"));
        await host.StartAsync();

        var incident = await host.PageAsync();
        // The card is posted only after the channel is saved in the room: the whole opening went through.
        await host.Channels.WhenAsync(r => r.CardsPosted.Count == 1);

        Assert.DoesNotContain(await host.Incidents.GetEventsAsync(incident.Number, None), e => e.Kind == IncidentEventKind.ChannelFailed);
        var created = Assert.Single(host.Channels.Recorded.Created);
        Assert.Equal(created.ChannelId, Assert.Single((await host.Rooms.GetAsync(incident.Number, None))!.Channels).ChannelId);
    }
}
