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
