namespace OnCallBot.Core.Delivery;

/// <summary>
/// How urgent a piece of outgoing work is; a lane never waits for a lower one. Pages themselves (and escalations,
/// "nobody acknowledged") are sent by the escalation step as it runs, at the scheduler's top priority; the outbox
/// carries everything that follows from them.
/// </summary>
public enum DeliveryLane
{
    /// <summary>Asks someone to act now.</summary>
    Urgent = 0,

    /// <summary>Rewrites of messages that ask someone to act (a page now acknowledged, resolved).</summary>
    Update = 1,

    /// <summary>Channel creation, invites, topics, pins, cards, status posts, reminders, archiving.</summary>
    Cosmetic = 2,
}
