using NodaTime;

namespace OnCallBot.Core.Ports;

/// <summary>
/// Port to where the requests chat platforms delivered are remembered for a while, so that one request delivered
/// again (a replay within a signature's validity, a platform's own redelivery, the same request over two
/// transports or to two hosts) is acted on once. It is in the store so that it holds across restarts and hosts.
/// </summary>
/// <remarks>
/// Keys are the adapter's, prefixed by platform: <c>slack:trigger:&lt;trigger_id&gt;</c>, <c>slack:event:&lt;event_id&gt;</c>,
/// and for Teams its activity ids. A claim is taken before the request is acted on, and given back only when acting
/// on it failed, so that a redelivery is handled.
/// </remarks>
public interface IInboundRequestStore
{
    /// <summary>
    /// Claims <paramref name="key"/>, received at <paramref name="now"/> and remembered until <paramref name="expiresAt"/>.
    /// True when the request is new (never claimed, or its claim expired); false, with nothing changed, when it was
    /// already claimed: the caller must not act on it again. Of concurrent claims of one key, exactly one wins.
    /// Claims long expired are deleted now and then, as claims are made.
    /// </summary>
    Task<bool> TryClaimAsync(string key, Instant now, Instant expiresAt, CancellationToken cancellationToken);

    /// <summary>Gives back the claim of a request that failed before it was done, so that its redelivery is handled.</summary>
    Task ReleaseAsync(string key, CancellationToken cancellationToken);
}
