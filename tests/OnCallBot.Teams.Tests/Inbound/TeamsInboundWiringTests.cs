using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnCallBot.Teams.Inbound;
using OnCallBot.TestKit;

namespace OnCallBot.Teams.Tests.Inbound;

public sealed class TeamsInboundWiringTests
{
    private static ServiceProvider Build(Dictionary<string, string?> config)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(config).Build());
        services.AddTeams();
        return services.BuildServiceProvider();
    }

    [Fact]
    public void AddTeams_NoMetadataUrlSet_BotFrameworksOwn()
    {
        using var provider = Build(new() { ["Teams:AppId"] = TeamsTestHost.AppId });

        var options = provider.GetRequiredService<IOptions<TeamsOptions>>().Value;

        Assert.Equal(new Uri("https://login.botframework.com/v1/.well-known/openidconfiguration"), options.OpenIdMetadataUrl);
        Assert.IsType<InMemoryTeamsServiceUrls>(provider.GetRequiredService<ITeamsServiceUrls>());
        // The paging handler replaces the logging one (which it falls back to in a host without paging).
        Assert.IsType<OnCallBot.Teams.Paging.TeamsPagingHandler>(provider.GetRequiredService<ITeamsActivityHandler>());
    }

    [Theory]
    [InlineData("http://login.botframework.com/v1/.well-known/openidconfiguration")]
    [InlineData("ftp://login.botframework.com/v1/.well-known/openidconfiguration")]
    [InlineData("login.botframework.com/v1/.well-known/openidconfiguration")]
    [InlineData("")]
    public void AddTeams_MetadataUrlNotHttps_StartRefusedSayingHowToFix(string url)
    {
        using var provider = Build(new() { ["Teams:OpenIdMetadataUrl"] = url });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TeamsOptions>>().Value);

        Assert.Contains("Teams:OpenIdMetadataUrl", ex.Message, StringComparison.Ordinal);
        Assert.Contains("https", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddTeams_LoopbackHttpMetadataUrl_Accepted()
    {
        using var provider = Build(new() { ["Teams:OpenIdMetadataUrl"] = "http://127.0.0.1:5999/v1/.well-known/openidconfiguration" });

        Assert.Equal(5999, provider.GetRequiredService<IOptions<TeamsOptions>>().Value.OpenIdMetadataUrl.Port);
    }

    [Fact]
    public void SigningKeys_AutomaticRefreshWithItsJitter_StaysWithinADay()
    {
        using var provider = Build(new() { ["Teams:AppId"] = TeamsTestHost.AppId });

        var manager = provider.GetRequiredService<BotFrameworkSigningKeys>().Manager;

        // IdentityModel adds up to 5% of the interval as jitter; the Bot Framework asks for a refresh at least daily.
        Assert.True(manager.AutomaticRefreshInterval * 1.05 <= TimeSpan.FromDays(1), $"refresh every {manager.AutomaticRefreshInterval}");
        Assert.Equal(TimeSpan.FromMinutes(5), manager.RefreshInterval);
    }

    [Fact]
    public async Task Messages_TeamsNotConfigured_503SayingHowToTurnItOn()
    {
        await using var openId = await FakeBotFrameworkOpenId.StartAsync();
        await using var host = await TeamsTestHost.StartAsync(new FakeTimeProvider(), new() { ["Teams:OpenIdMetadataUrl"] = openId.MetadataUrl.AbsoluteUri });

        using var response = await host.PostActivityAsync(TeamsTestHost.Message(), "anything");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("Teams is off: set Teams:AppId and Teams:AppPassword to turn it on", await response.Content.ReadAsStringAsync());
        Assert.Empty(openId.Requests);
    }

    [Fact]
    public async Task Messages_DefaultHandlerAndAMessage_200AndLogged()
    {
        var time = new FakeTimeProvider();
        using var key = new TestSigningKey("k", "msteams");
        await using var openId = await FakeBotFrameworkOpenId.StartAsync();
        openId.Publish(key);
        await using var host = await TeamsTestHost.StartAsync(time, TeamsTestHost.Config(openId.MetadataUrl), withHandler: false);

        using var response = await host.PostActivityAsync(TeamsTestHost.Message(), new TestToken().SignWith(key, time.GetUtcNow()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(host.Logs.Lines, l => l.EventId.Id == 3507);
    }

    [Fact]
    public async Task Messages_DefaultHandlerAndACardClick_501NeverAFakeSuccess()
    {
        var time = new FakeTimeProvider();
        using var key = new TestSigningKey("k", "msteams");
        await using var openId = await FakeBotFrameworkOpenId.StartAsync();
        openId.Publish(key);
        await using var host = await TeamsTestHost.StartAsync(time, TeamsTestHost.Config(openId.MetadataUrl), withHandler: false);
        const string Invoke = """
            {"type":"invoke","name":"adaptiveCard/action","id":"f:1","channelId":"msteams","serviceUrl":"https://smba.trafficmanager.net/amer/",
             "conversation":{"id":"a:1","conversationType":"personal"},"value":{"action":{"type":"Action.Execute","verb":"ack"}}}
            """;

        using var response = await host.PostActivityAsync(Invoke, new TestToken().SignWith(key, time.GetUtcNow()));

        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        Assert.Contains(host.Logs.Lines, l => l.EventId.Id == 3508 && l.Level == LogLevel.Warning);
    }
}
