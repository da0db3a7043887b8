using OnCallBot.Teams.Inbound;

namespace OnCallBot.Teams.Tests.Inbound;

public sealed class InMemoryTeamsServiceUrlsTests
{
    [Fact]
    public void IsTrusted_NothingSeen_False()
    {
        var urls = new InMemoryTeamsServiceUrls();

        Assert.False(urls.IsTrusted(new Uri("https://smba.trafficmanager.net/amer/")));
    }

    [Theory]
    [InlineData("https://smba.trafficmanager.net/amer/")]
    [InlineData("https://smba.trafficmanager.net/amer")]
    [InlineData("HTTPS://SMBA.trafficmanager.net/AMER/")]
    [InlineData("https://smba.trafficmanager.net:443/amer/")]
    public void IsTrusted_SameUrlWrittenAnotherWay_True(string asked)
    {
        var urls = new InMemoryTeamsServiceUrls();
        Assert.True(urls.Trust(new Uri("https://smba.trafficmanager.net/amer/")));

        Assert.True(urls.IsTrusted(new Uri(asked)));
    }

    [Theory]
    [InlineData("https://smba.trafficmanager.net/emea/")]
    [InlineData("http://smba.trafficmanager.net/amer/")]
    [InlineData("https://smba.trafficmanager.net.attacker.example/amer/")]
    [InlineData("https://smba.trafficmanager.net:8443/amer/")]
    [InlineData("https://user@smba.trafficmanager.net/amer/")]
    [InlineData("https://smba.trafficmanager.net/")]
    public void IsTrusted_AnotherUrl_False(string asked)
    {
        var urls = new InMemoryTeamsServiceUrls();
        urls.Trust(new Uri("https://smba.trafficmanager.net/amer/"));

        Assert.False(urls.IsTrusted(new Uri(asked)));
    }

    [Fact]
    public void Trust_SameUrlTwice_NewOnlyTheFirstTime()
    {
        var urls = new InMemoryTeamsServiceUrls();

        Assert.True(urls.Trust(new Uri("https://smba.trafficmanager.net/amer/")));
        Assert.False(urls.Trust(new Uri("https://smba.trafficmanager.net/amer")));
    }
}
