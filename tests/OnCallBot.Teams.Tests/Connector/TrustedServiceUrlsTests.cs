using OnCallBot.Teams.Connector;
using OnCallBot.Teams.Inbound;

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
        var urls = new InMemoryTeamsServiceUrls();
        urls.Trust(new Uri(trusted));

        Assert.Equal(expected, urls.IsTrusted(new Uri(asked)));
    }

    [Fact]
    public void IsTrusted_NothingSeenYet_TrustsNothing()
    {
        Assert.False(new InMemoryTeamsServiceUrls().IsTrusted(new Uri("https://smba.trafficmanager.net/amer/")));
    }

    [Theory]
    [InlineData("ftp://smba.trafficmanager.net/amer/")]
    [InlineData("https://user:pass@smba.trafficmanager.net/amer/")]
    public void Trust_NotAPlainHttpServiceUrl_IsRefused(string url)
    {
        Assert.Throws<ArgumentException>(() => new InMemoryTeamsServiceUrls().Trust(new Uri(url)));
    }

    [Fact]
    public void ServiceUrlFor_RemembersTheLastUrlTrustedPerTenant()
    {
        var urls = new InMemoryTeamsServiceUrls();
        urls.Trust(new Uri("https://smba.trafficmanager.net/amer/"), "tenant-a", "29:anna");
        urls.Trust(new Uri("https://smba.trafficmanager.net/emea/"), "tenant-b", "29:bert");
        urls.Trust(new Uri("https://smba.trafficmanager.net/amer2/"), "TENANT-A");

        Assert.Equal(new Uri("https://smba.trafficmanager.net/amer2/"), urls.ServiceUrlFor("tenant-a"));
        Assert.Equal(new Uri("https://smba.trafficmanager.net/emea/"), urls.ServiceUrlFor("tenant-b"));
        Assert.Null(urls.ServiceUrlFor("tenant-c"));
    }

    [Fact]
    public void TenantOf_TheUsersLastTenant_ElseTheOnlyTenantSeen()
    {
        var urls = new InMemoryTeamsServiceUrls();
        Assert.Null(urls.TenantOf("29:anna"));

        urls.Trust(new Uri("https://smba.trafficmanager.net/amer/"), "tenant-a", "29:bert");
        Assert.Equal("tenant-a", urls.TenantOf("29:anna"));

        urls.Trust(new Uri("https://smba.trafficmanager.net/emea/"), "tenant-b", "29:carl");
        Assert.Null(urls.TenantOf("29:anna"));
        Assert.Equal("tenant-a", urls.TenantOf("29:bert"));
        Assert.Equal("tenant-b", urls.TenantOf("29:carl"));
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
