using System.Net;
using Microsoft.AspNetCore.Http;
using OnCallBot.Host.Hosting;

namespace OnCallBot.Host.Tests;

public sealed class HealthOptionsTests
{
    private static DefaultHttpContext Caller(string? address, string? forwardedHeader = null)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = address is null ? null : IPAddress.Parse(address);
        if (forwardedHeader is not null)
        {
            context.Request.Headers[forwardedHeader] = "198.51.100.20";
        }
        return context;
    }

    [Theory]
    [InlineData("loopback", "127.0.0.1", null, true)]
    [InlineData("loopback", "::1", null, true)]
    [InlineData("loopback", "::ffff:127.0.0.1", null, true)]
    [InlineData("loopback", "203.0.113.7", null, false)]
    [InlineData("loopback", "10.0.0.5", null, false)]
    [InlineData("loopback", null, null, false)]                        // a Unix socket: who is behind it is unknown
    [InlineData("loopback", "127.0.0.1", "X-Forwarded-For", false)]    // a reverse proxy on this machine
    [InlineData("loopback", "127.0.0.1", "Forwarded", false)]
    [InlineData("loopback", "127.0.0.1", "X-Real-IP", false)]
    [InlineData("LOOPBACK", "127.0.0.1", null, true)]
    [InlineData("always", "203.0.113.7", null, true)]
    [InlineData("always", null, "X-Forwarded-For", true)]
    [InlineData("never", "127.0.0.1", null, false)]
    [InlineData("never", "203.0.113.7", null, false)]
    public void ShowsDetailsTo_Caller_FollowsTheSetting(string setting, string? address, string? forwardedHeader, bool expected)
    {
        var options = new HealthOptions { ShowDetails = setting };

        Assert.Equal(expected, options.ShowsDetailsTo(Caller(address, forwardedHeader)));
    }

    [Fact]
    public void ShowDetails_Default_IsLoopback()
    {
        Assert.Equal("loopback", new HealthOptions().ShowDetails);
    }
}
