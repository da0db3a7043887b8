using System.Net;

namespace OnCallBot.Host.Hosting;

/// <summary>Settings of <c>/healthz</c>, bound from the <c>Health</c> configuration section.</summary>
internal sealed class HealthOptions
{
    public const string SectionName = "Health";

    public const string Loopback = "loopback";
    public const string Always = "always";
    public const string Never = "never";

    /// <summary>
    /// Who sees each check's description and data (file paths, the database, config errors) besides the status code
    /// and overall status everyone gets (<c>Health:ShowDetails</c>): <c>loopback</c> (default) callers on this
    /// machine that did not come through a proxy, <c>always</c> anyone, <c>never</c> nobody.
    /// </summary>
    public string ShowDetails { get; set; } = Loopback;

    /// <summary>
    /// How often the checks run in the background (<c>Health:CheckInterval</c>, default 5 s, from 1 s to 10 min).
    /// <c>/healthz</c> answers from the latest results, so a busy database never makes the endpoint itself wait.
    /// </summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    internal static readonly TimeSpan MinCheckInterval = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan MaxCheckInterval = TimeSpan.FromMinutes(10);

    internal static bool IsValidCheckInterval(TimeSpan value) => value >= MinCheckInterval && value <= MaxCheckInterval;

    /// <summary>
    /// Results older than this mean a run is hanging (a check that never returns): /healthz then says Unhealthy
    /// rather than repeating the last good answer forever. Three intervals, and never under 15 s, so a run slowed
    /// by a busy moment is not reported as down.
    /// </summary>
    internal TimeSpan StaleAfter => CheckInterval * 3 > TimeSpan.FromSeconds(15) ? CheckInterval * 3 : TimeSpan.FromSeconds(15);

    internal static bool IsValidShowDetails(string? value) =>
        value is not null && (value.Equals(Loopback, StringComparison.OrdinalIgnoreCase)
            || value.Equals(Always, StringComparison.OrdinalIgnoreCase)
            || value.Equals(Never, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether the caller of <paramref name="context"/> may see the per-check view.</summary>
    public bool ShowsDetailsTo(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (ShowDetails.Equals(Always, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        return ShowDetails.Equals(Loopback, StringComparison.OrdinalIgnoreCase) && IsDirectLoopbackCaller(context);
    }

    // A reverse proxy on the same machine connects from loopback on behalf of anyone on the internet; the
    // forwarding headers it adds say so. No address (a Unix socket, an in-memory test server) is not loopback.
    private static readonly string[] ForwardingHeaders = ["Forwarded", "X-Forwarded-For", "X-Real-IP"];

    private static bool IsDirectLoopbackCaller(HttpContext context)
    {
        if (context.Connection.RemoteIpAddress is not { } address)
        {
            return false;
        }
        var remote = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return IPAddress.IsLoopback(remote) && !ForwardingHeaders.Any(context.Request.Headers.ContainsKey);
    }
}
