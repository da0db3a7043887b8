using System.Text.Json;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Paging;
using OnCallBot.Slack.Coordination;
using OnCallBot.Slack.Paging;
using static OnCallBot.Slack.Tests.Coordination.CoordinationModel;

namespace OnCallBot.Slack.Tests.Coordination;

/// <summary>
/// "Responders only" on Slack: a workspace member who is not in the config and was never paged, against the card's
/// buttons and the commands, under <c>Incidents:RestrictedActions</c> = responders (the default) and anyone.
/// </summary>
public sealed class SlackResponderTests
{
    /// <summary>Oliver pages checkout, Anna is notified and clicks "I'll be commander": a commander sits.</summary>
    private static async Task<(SlackCoordinationHost Host, long Number, IncidentChannel Channel)> AnnaCommandsAsync(Action<CoordinationOptions>? configure = null)
    {
        var host = await SlackCoordinationHost.StartAsync(configure);
        var number = await host.PageAndOpenAsync();
        var channel = host.ChannelOf(number);
        await host.ClickAsync(SlackCoordinationActions.Commander, number, AnnaSlack, channel.ChannelId, channel.CardMessageId!, responseUrlId: "anna");
        await host.WhenIdleAsync();
        Assert.Equal("anna", host.Room(number).Commander?.Person.UserId);
        // A minute on, as people click: Slack's per-channel pacing of posts waits on the clock.
        host.Time.Advance(TimeSpan.FromMinutes(1));
        return (host, number, channel);
    }

    private static string EphemeralText(SlackCoordinationHost host, string responseUrlId)
    {
        var said = Assert.Single(host.Slack.ResponseUrlPosts, p => p.Id == responseUrlId);
        using var json = JsonDocument.Parse(said.Body);
        Assert.Equal("ephemeral", json.RootElement.GetProperty("response_type").GetString());
        return json.RootElement.GetProperty("text").GetString()!;
    }

    [Fact]
    public async Task CommanderButton_StrangerClicksWhileACommanderSits_RefusedToThemAloneAndTheCardUnchanged()
    {
        var (host, number, channel) = await AnnaCommandsAsync();
        await using var _ = host;
        var before = host.Room(number);
        var (updates, posts, topics) = (host.Slack.CallsTo("chat.update").Count, host.Slack.CallsTo("chat.postMessage").Count, host.Slack.CallsTo("conversations.setTopic").Count);

        await host.ClickAsync(SlackCoordinationActions.Commander, number, StrangerSlack, channel.ChannelId, channel.CardMessageId!, responseUrlId: "stranger");
        await host.WhenIdleAsync();

        Assert.Equal(
            "Only responders of INC-1 may take the commander role from Anna Anders. Ask the commander, Anna Anders, or another responder to add you with /incident role commander @you.",
            EphemeralText(host, "stranger"));
        Assert.Equal(before, host.Room(number));
        Assert.Equal((updates, posts, topics), (host.Slack.CallsTo("chat.update").Count, host.Slack.CallsTo("chat.postMessage").Count, host.Slack.CallsTo("conversations.setTopic").Count));
        Assert.DoesNotContain(host.Slack.CallsTo("conversations.invite"), c => c.Args["users"].Contains(StrangerSlack, StringComparison.Ordinal));
        Assert.Empty(host.Slack.SpecViolations);
    }

    [Fact]
    public async Task Commands_StrangerUnderResponders_SeverityPhaseAndResolveRefusedAndNothingChanges()
    {
        var (host, number, channel) = await AnnaCommandsAsync();
        await using var _ = host;
        var before = host.Room(number);

        var sev = await host.CommandAsync("/incident", "sev 1", StrangerSlack, "stranger", channel.ChannelId);
        var phase = await host.CommandAsync("/incident", "phase monitoring", StrangerSlack, "stranger", channel.ChannelId);
        var resolve = await host.CommandAsync("/incident", "resolve", StrangerSlack, "stranger", channel.ChannelId);

        Assert.All([sev, phase, resolve], r => Assert.True(r.IsEphemeral));
        Assert.StartsWith("Only responders of INC-1 may change its severity. Ask the commander, Anna Anders, or another responder", sev.Text, StringComparison.Ordinal);
        Assert.StartsWith("Only responders of INC-1 may change its phase.", phase.Text, StringComparison.Ordinal);
        Assert.StartsWith("Only responders of INC-1 may resolve it.", resolve.Text, StringComparison.Ordinal);
        Assert.Equal(before, host.Room(number));
        Assert.Equal(IncidentStatus.Triggered, (await host.Store.GetAsync(number, CancellationToken.None))!.Status);
        Assert.Empty(host.Slack.SpecViolations);
    }

    [Fact]
    public async Task CommanderButtonAndCommands_StrangerUnderAnyone_TakesCommandThenChangesSeverityPhaseAndResolves()
    {
        var (host, number, channel) = await AnnaCommandsAsync(o => o.RestrictedActions = "anyone");
        await using var _ = host;

        await host.ClickAsync(SlackCoordinationActions.Commander, number, StrangerSlack, channel.ChannelId, channel.CardMessageId!, responseUrlId: "stranger");
        await host.WhenIdleAsync();
        host.Time.Advance(TimeSpan.FromMinutes(1));
        var sev = await host.CommandAsync("/incident", "sev 1", StrangerSlack, "stranger", channel.ChannelId);
        host.Time.Advance(TimeSpan.FromMinutes(1));
        var phase = await host.CommandAsync("/incident", "phase monitoring", StrangerSlack, "stranger", channel.ChannelId);
        host.Time.Advance(TimeSpan.FromMinutes(1));
        var resolve = await host.CommandAsync("/incident", "resolve", StrangerSlack, "stranger", channel.ChannelId);

        Assert.Equal(StrangerSlack, host.Room(number).Commander!.Person.PlatformUserId);
        Assert.DoesNotContain(host.Slack.ResponseUrlPosts, p => p.Id == "stranger");
        Assert.Equal(("Severity: SEV3 → SEV1.", "Phase: investigating → monitoring."), (sev.Text, phase.Text));
        Assert.Equal("in_channel", resolve.ResponseType);
        Assert.Equal(IncidentStatus.Resolved, (await host.Store.GetAsync(number, CancellationToken.None))!.Status);
        Assert.Empty(host.Slack.SpecViolations);
    }

    [Fact]
    public async Task Ack_StrangerAcknowledgesAnnasPage_BecomesCommanderAndMayChangeSeverity()
    {
        await using var host = await SlackCoordinationHost.StartAsync();
        var number = await host.PageAndOpenAsync();
        var channel = host.ChannelOf(number);

        var ack = await host.CommandAsync("/ack", "", StrangerSlack, "stranger", channel.ChannelId);
        host.Time.Advance(TimeSpan.FromMinutes(1));
        var sev = await host.CommandAsync("/incident", "sev 2", StrangerSlack, "stranger", channel.ChannelId);

        Assert.StartsWith($"👀 <@{StrangerSlack}> acknowledged INC-1", ack.Text, StringComparison.Ordinal);
        var room = host.Room(number);
        Assert.Equal(StrangerSlack, room.Commander!.Person.PlatformUserId);
        Assert.True(room.IsResponder(room.Commander.Person));
        Assert.Equal("Severity: SEV3 → SEV2.", sev.Text);
        Assert.Contains(host.Slack.CallsTo("conversations.invite"), c => c.Args["channel"] == channel.ChannelId && c.Args["users"] == StrangerSlack);
        Assert.Empty(host.Slack.SpecViolations);
    }
}
