using OnCallBot.Teams.Connector;

namespace OnCallBot.Teams.Tests.Connector;

public sealed class TrustedServiceUrlsTests
{
    [Theory]
    [InlineData("https://smba.trafficmanager.net/amer/", "https://smba.trafficmanager.net/amer/", true)]
    [InlineData("https://smba.trafficmanager.net/amer/", "https://SMBA.trafficmanager.net/amer", true)]
    [InlineData("https://smba.trafficmanager.net/amer/", "https://smba.trafficmanager.net:443/amer/", true)]
    [InlineData("https://smba.trafficmanager.net/amer/", "https://smba.trafficmanager.net/emea/", false)]
    [InlineData("https://smba.trafficmanager.net/amer/", "https://smba.trafficmanager.net/amer/extra/", false)]
    [InlineData("https://smba.trafficmanager.net/amer/", "https://smba.trafficmanager.net/", false)]
    [InlineData("https://smba.trafficmanager.net/amer/", "http://smba.trafficmanager.net/amer/", false)]
    [InlineData("https://smba.trafficmanager.net/amer/", "https://smba.trafficmanager.net.evil.example/amer/", false)]
    public void IsTrusted_ComparesSchemeHostPortAndPath_NeverByPrefix(string trusted, string asked, bool expected)
    {
        var urls = new TrustedServiceUrls();
        urls.Trust(new Uri(trusted));

        Assert.Equal(expected, urls.IsTrusted(new Uri(asked)));
    }

    [Fact]
    public void IsTrusted_NothingSeenYet_TrustsNothing()
    {
        Assert.False(new TrustedServiceUrls().IsTrusted(new Uri("https://smba.trafficmanager.net/amer/")));
    }

    [Theory]
    [InlineData("ftp://smba.trafficmanager.net/amer/")]
    [InlineData("https://user:pass@smba.trafficmanager.net/amer/")]
    public void Trust_NotAPlainHttpServiceUrl_IsRefused(string url)
    {
        Assert.Throws<ArgumentException>(() => new TrustedServiceUrls().Trust(new Uri(url)));
    }

    [Theory]
    [InlineData("https://smba.trafficmanager.net/amer/", "https://smba.trafficmanager.net/amer/v3/conversations/a%3A1/activities")]
    [InlineData("https://smba.trafficmanager.net/amer", "https://smba.trafficmanager.net/amer/v3/conversations/a%3A1/activities")]
    [InlineData("https://smba.trafficmanager.net/", "https://smba.trafficmanager.net/v3/conversations/a%3A1/activities")]
    public void Resolve_PutsTheRequestPathUnderTheServiceUrlsPath_KeepingItsEscaping(string serviceUrl, string expected)
    {
        var placeholder = new Uri(ConnectorWire.PlaceholderBaseAddress, "/v3/conversations/a%3A1/activities");

        var resolved = ConnectorServiceUrlHandler.Resolve(new Uri(serviceUrl), placeholder);

        Assert.Equal(expected, resolved.AbsoluteUri);
    }
}
