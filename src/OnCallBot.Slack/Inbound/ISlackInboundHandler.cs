namespace OnCallBot.Slack.Inbound;

/// <summary>
/// The narrow port through which Slack's slash commands, interactions and events reach the bot. The
/// transport (HTTP endpoints from <see cref="SlackEndpointRouteBuilderExtensions.MapSlack"/>, or Socket Mode)
/// verifies and parses each request, then calls exactly one of these methods.
/// </summary>
/// <remarks>
/// <para>Slack waits 3 seconds for the answer, and a <c>trigger_id</c> expires after 3 seconds too. Return the
/// immediate answer within that time; slower work (posting follow-ups, opening channels, paging people) must be
/// started after returning, for example by the host's queue or a scheduled job.</para>
/// <para>Anything that must survive a crash has to be persisted before the method returns: once it returns,
/// Slack considers the request delivered and will not send it again.</para>
/// <para>Slack redelivers requests it thinks were lost (<see cref="SlackRetryInfo"/> says so), and a signed request
/// can be replayed while its signature is fresh. Before a request reaches the handler it is claimed in the store's
/// <c>IInboundRequestStore</c> (by <c>trigger_id</c>, else by its signature or envelope id; events by <c>event_id</c>):
/// one received before is answered without calling the handler, on any host and after a restart. When the handler
/// throws, the claim is given back so that a redelivery is handled.</para>
/// <para>Resolved from a fresh DI scope for each request, so it may depend on scoped services.</para>
/// </remarks>
public interface ISlackInboundHandler
{
    /// <summary>Handles a slash command; the answer is shown to the user at once (ephemeral or in the channel).</summary>
    Task<SlackInboundResponse> HandleCommandAsync(SlackCommand command, CancellationToken cancellationToken);

    /// <summary>Handles an interaction (<c>block_actions</c>, <c>shortcut</c>, <c>view_submission</c>, ...).</summary>
    Task<SlackInboundResponse> HandleInteractionAsync(SlackInteraction interaction, CancellationToken cancellationToken);

    /// <summary>Handles an Events API <c>event_callback</c>; the answer's content is ignored by Slack.</summary>
    Task<SlackInboundResponse> HandleEventAsync(SlackEvent slackEvent, CancellationToken cancellationToken);
}
