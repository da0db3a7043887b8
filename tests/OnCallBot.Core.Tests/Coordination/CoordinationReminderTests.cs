using NodaTime;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Paging;
using static OnCallBot.Core.Tests.Coordination.CoordinationHarness;

namespace OnCallBot.Core.Tests.Coordination;

public sealed class CoordinationReminderTests
{
    private const string DueText = "A status update for INC-1 (Checkout returns 500s, SEV3) is due: none has been posted yet. Post one with /incident status <text>.";

    [Fact]
    public async Task RunStatusReminderAsync_BeforeTheInterval_NothingHappens()
    {
        var h = new CoordinationHarness();
        var channel = await h.OpenIncidentAsync();
        await h.Paging.AcknowledgeAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();
        h.Time.Advance(TimeSpan.FromHours(3) + TimeSpan.FromMinutes(59));

        // Even woken early (a misfire, a stale trigger), it does not remind before the update is due.
        await h.Coordination.RunStatusReminderAsync(1, CancellationToken.None);
        await h.DeliverAsync();

        Assert.Empty(h.Channels.Reminders);
        Assert.Empty(await h.EventsAsync(1, IncidentEventKind.StatusReminder));
        Assert.False(h.CardIn(channel).StatusUpdateOverdue);
    }

    [Fact]
    public async Task RunStatusReminderAsync_DueWithCommsAndCommander_RemindsCommsByDirectMessageAndShowsOverdue()
    {
        var h = new CoordinationHarness();
        var channel = await h.OpenIncidentAsync();
        await h.Paging.AcknowledgeAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();
        await h.Coordination.AssignRoleAsync(1, IncidentRole.Comms, Bob, Alice, CancellationToken.None);
        await h.DeliverAsync();
        var posts = h.Channels.Posts.Count;

        var fired = await h.AdvanceAndRemindAsync(TimeSpan.FromHours(4));

        Assert.Equal([1L], fired);
        Assert.Equal(new TestKit.Coordination.Reminder(Bob, DueText), Assert.Single(h.Channels.Reminders));
        Assert.Equal(posts, h.Channels.Posts.Count);
        Assert.Equal("Status update due: reminded Bob (comms)", Assert.Single(await h.EventsAsync(1, IncidentEventKind.StatusReminder)).Text);
        var card = h.CardIn(channel);
        Assert.True(card.StatusUpdateOverdue);
        Assert.Equal(h.Now, card.Now);
        // Reminded again one interval later while nobody posts.
        Assert.Equal(h.Now + Duration.FromHours(4), h.CoordinationScheduler.PendingReminders[1]);
    }

    [Fact]
    public async Task RunStatusReminderAsync_DueWithOnlyACommander_RemindsTheCommander()
    {
        var h = new CoordinationHarness();
        await h.OpenIncidentAsync();
        await h.Paging.AcknowledgeAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();

        await h.AdvanceAndRemindAsync(TimeSpan.FromHours(4));

        Assert.Equal(Alice, Assert.Single(h.Channels.Reminders).Person);
        Assert.Equal("Status update due: reminded Alice (commander)", Assert.Single(await h.EventsAsync(1, IncidentEventKind.StatusReminder)).Text);
    }

    [Fact]
    public async Task RunStatusReminderAsync_DueWithNobodyInARole_PostsInTheChannel()
    {
        var h = new CoordinationHarness(o => o.CommanderOnFirstAcknowledge = false);
        var channel = await h.OpenIncidentAsync();
        await h.Paging.AcknowledgeAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();

        await h.AdvanceAndRemindAsync(TimeSpan.FromHours(4));

        Assert.Empty(h.Channels.Reminders);
        Assert.Equal("⏰ " + DueText, h.Channels.PostsIn(channel.ChannelId)[^1]);
        Assert.Equal("Status update due: reminded the channel (no comms or commander)", Assert.Single(await h.EventsAsync(1, IncidentEventKind.StatusReminder)).Text);
        Assert.True(h.CardIn(channel).StatusUpdateOverdue);
    }

    [Fact]
    public async Task PostStatusAsync_BeforeTheReminder_ResetsItAndTheCardIsNotOverdue()
    {
        var h = new CoordinationHarness();
        var channel = await h.OpenIncidentAsync();
        await h.Paging.AcknowledgeAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();
        h.Time.Advance(TimeSpan.FromHours(3));
        await h.Coordination.PostStatusAsync(1, "Rolled back.", Alice, CancellationToken.None);
        await h.DeliverAsync();
        var postedAt = h.Now;

        var fired = await h.AdvanceAndRemindAsync(TimeSpan.FromHours(1));

        Assert.Empty(fired);
        Assert.Empty(h.Channels.Reminders);
        Assert.Equal(postedAt + Duration.FromHours(4), h.CoordinationScheduler.PendingReminders[1]);

        // Due four hours after the update, and then it says when the last one was.
        await h.AdvanceAndRemindAsync(TimeSpan.FromHours(3));

        var reminder = Assert.Single(h.Channels.Reminders);
        Assert.Contains("the last one was 4h ago", reminder.Text, StringComparison.Ordinal);
        Assert.True(h.CardIn(channel).StatusUpdateOverdue);
    }

    [Fact]
    public async Task PostStatusAsync_AfterAReminder_CardNoLongerOverdue()
    {
        var h = new CoordinationHarness();
        var channel = await h.OpenIncidentAsync();
        await h.Paging.AcknowledgeAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();
        await h.AdvanceAndRemindAsync(TimeSpan.FromHours(4));
        Assert.True(h.CardIn(channel).StatusUpdateOverdue);

        await h.Coordination.PostStatusAsync(1, "Still investigating.", Alice, CancellationToken.None);
        await h.DeliverAsync();

        Assert.False(h.CardIn(channel).StatusUpdateOverdue);
        Assert.Equal(h.Now + Duration.FromHours(4), h.CoordinationScheduler.PendingReminders[1]);
    }

    [Fact]
    public async Task SetSeverityAsync_Raised_ReminderComesSoonerAndUsesTheNewSeverity()
    {
        var h = new CoordinationHarness();
        await h.OpenIncidentAsync();
        await h.Paging.AcknowledgeAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();
        h.Time.Advance(TimeSpan.FromMinutes(40));

        await h.Coordination.SetSeverityAsync(1, 1, Alice, CancellationToken.None);
        await h.DeliverAsync();

        // Already more than SEV1's 30 minutes since the page: due at once.
        Assert.Equal(h.Now, h.CoordinationScheduler.PendingReminders[1]);
        await h.AdvanceAndRemindAsync(TimeSpan.Zero);
        Assert.Contains("SEV1", Assert.Single(h.Channels.Reminders).Text, StringComparison.Ordinal);
        Assert.Equal(h.Now + Duration.FromMinutes(30), h.CoordinationScheduler.PendingReminders[1]);
    }

    [Fact]
    public async Task SetSeverityAsync_LoweredToSev4_NoMoreReminders()
    {
        var h = new CoordinationHarness();
        var channel = await h.OpenIncidentAsync();
        await h.Paging.AcknowledgeAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();

        await h.Coordination.SetSeverityAsync(1, 4, Alice, CancellationToken.None);
        await h.DeliverAsync();
        var fired = await h.AdvanceAndRemindAsync(TimeSpan.FromDays(1));

        Assert.Empty(fired);
        Assert.False(h.CoordinationScheduler.PendingReminders.ContainsKey(1));
        Assert.Null((await h.RoomAsync(1)).NextStatusUpdateDueAt);
        Assert.Empty(h.Channels.Reminders);
        await h.Coordination.AddNoteAsync(1, "Refreshing the card", Alice, CancellationToken.None);
        await h.DeliverAsync();
        Assert.False(h.CardIn(channel).StatusUpdateOverdue);
    }

    [Fact]
    public async Task ResolveAsync_OpenIncident_RemindersStop()
    {
        var h = new CoordinationHarness();
        var channel = await h.OpenIncidentAsync();
        await h.Paging.AcknowledgeAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();

        await h.Paging.ResolveAsync(1, Alice, CancellationToken.None);
        await h.DeliverAsync();
        await h.AdvanceAndRemindAsync(TimeSpan.FromHours(5));
        // A trigger that fired anyway (it raced with the resolution) does nothing either.
        await h.Coordination.RunStatusReminderAsync(1, CancellationToken.None);
        await h.DeliverAsync();

        Assert.False(h.CoordinationScheduler.PendingReminders.ContainsKey(1));
        Assert.Empty(h.Channels.Reminders);
        Assert.Empty(await h.EventsAsync(1, IncidentEventKind.StatusReminder));
        Assert.False(h.CardIn(channel).StatusUpdateOverdue);
    }
}
