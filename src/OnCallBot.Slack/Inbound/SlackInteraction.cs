using System.Text.Json;

namespace OnCallBot.Slack.Inbound;

/// <summary>
/// An interaction payload: a button or menu in a message or modal (<c>block_actions</c>), a shortcut, or a modal
/// submission. The fields the bot routes on are typed; anything else is in <see cref="Raw"/>.
/// </summary>
public sealed record SlackInteraction
{
    /// <summary>The payload type, e.g. <c>block_actions</c>, <c>shortcut</c>, <c>message_action</c>, <c>view_submission</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The acting user's id.</summary>
    public required string UserId { get; init; }

    /// <summary>The acting user's name, when Slack sends one.</summary>
    public string? UserName { get; init; }

    /// <summary>The workspace id, when present.</summary>
    public string? TeamId { get; init; }

    /// <summary>The conversation of the message acted on (<c>channel.id</c> or <c>container.channel_id</c>), when there is one.</summary>
    public string? ChannelId { get; init; }

    /// <summary>The <c>ts</c> of the message acted on (<c>container.message_ts</c> or <c>message.ts</c>), when there is one.</summary>
    public string? MessageTs { get; init; }

    /// <summary>Where the interaction happened (message or view), when Slack says.</summary>
    public SlackInteractionContainer? Container { get; init; }

    /// <summary>
    /// The action taken, for <c>block_actions</c> (Slack sends one per click; any beyond the first in a payload are
    /// ignored); empty for other types.
    /// </summary>
    public IReadOnlyList<SlackAction> Actions { get; init; } = [];

    /// <summary>The shortcut's or modal's <c>callback_id</c>, when there is one.</summary>
    public string? CallbackId { get; init; }

    /// <summary>Where follow-up messages may be posted, or null (e.g. for actions inside modals).</summary>
    public Uri? ResponseUrl { get; init; }

    /// <summary>Opens a modal with <c>views.open</c>; valid for 3 seconds only.</summary>
    public string? TriggerId { get; init; }

    /// <summary>The whole payload as Slack sent it, for anything not typed above.</summary>
    public required JsonElement Raw { get; init; }

    /// <summary>Whether this is Slack's redelivery (Socket Mode only; HTTP interactions are not retried).</summary>
    public SlackRetryInfo Retry { get; init; } = SlackRetryInfo.None;
}

/// <summary>The surface an interaction came from (<c>container</c> in the payload).</summary>
/// <param name="Type"><c>message</c>, <c>view</c>, ...</param>
/// <param name="ChannelId">The message's conversation, for message containers.</param>
/// <param name="MessageTs">The message's <c>ts</c>, for message containers.</param>
/// <param name="ViewId">The modal's id, for view containers.</param>
/// <param name="IsEphemeral">True when the message was ephemeral.</param>
public sealed record SlackInteractionContainer(string Type, string? ChannelId, string? MessageTs, string? ViewId, bool IsEphemeral);

/// <summary>One action of a <c>block_actions</c> payload.</summary>
/// <param name="ActionId">The element's <c>action_id</c>, which the bot routes on.</param>
/// <param name="BlockId">The enclosing block's <c>block_id</c>.</param>
/// <param name="Type">The element type, e.g. <c>button</c>, <c>static_select</c>.</param>
/// <param name="Value">A button's <c>value</c>, or a select's <c>selected_option.value</c>.</param>
/// <param name="ActionTs">When the action happened (Slack's <c>action_ts</c>).</param>
public sealed record SlackAction(string ActionId, string? BlockId, string? Type, string? Value, string? ActionTs);
