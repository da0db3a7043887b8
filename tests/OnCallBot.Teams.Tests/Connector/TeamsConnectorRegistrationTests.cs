using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OnCallBot.Teams.Connector;
using OnCallBot.Teams.Inbound;
using OnCallBot.TestKit;

namespace OnCallBot.Teams.Tests.Connector;

public sealed class TeamsConnectorRegistrationTests
{
    private static ServiceProvider Build(IDictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddTeams();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    [Fact]
    public void AddTeams_ResolvesTheConnectorClientAndOneTrustList()
    {
        using var provider = Build(new Dictionary<string, string?> { ["Teams:AppId"] = "app", ["Teams:AppPassword"] = "secret" });

        Assert.NotNull(provider.GetRequiredService<TeamsConnectorClient>());
        // One list: what the inbound endpoint trusts is what the Connector's handler checks.
        Assert.IsType<InMemoryTeamsServiceUrls>(provider.GetRequiredService<ITeamsServiceUrls>());
        Assert.Single(provider.GetServices<ITeamsServiceUrls>());
        Assert.Same(provider.GetRequiredService<BotTokenProvider>(), provider.GetRequiredService<BotTokenProvider>());
    }

    [Fact]
    public void AddTeams_Defaults_AreThreeRetriesFromOneSecondUpToThirty_AndTheBotFrameworkTenant()
    {
        using var provider = Build(new Dictionary<string, string?> { ["Teams:TokenEndpoint"] = "" });

        var options = provider.GetRequiredService<IOptions<TeamsOptions>>().Value;

        Assert.Equal((3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)), (options.MaxRetries, options.RetryBaseDelay, options.MaxRetryAfter));
        Assert.Equal(new Uri("https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"), TeamsTokenEndpoint.For(options));
    }

    [Fact]
    public void AddTeams_BadOutboundSettings_StopTheStartNamingEachOne()
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["Teams:TokenEndpoint"] = "/relative/token",
            ["Teams:TenantId"] = "contoso/../evil",
            ["Teams:MaxRetries"] = "-1",
            ["Teams:RetryBaseDelay"] = "00:00:00",
            ["Teams:MaxRetryAfter"] = "01:00:00",
        });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TeamsOptions>>().Value);

        foreach (var key in new[] { "Teams:TokenEndpoint", "Teams:TenantId", "Teams:MaxRetries", "Teams:RetryBaseDelay", "Teams:MaxRetryAfter" })
        {
            Assert.Contains(ex.Failures, f => f.StartsWith(key, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Example_TeamsSection_BindsAndValidates()
    {
        var example = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(SharedFixtures.RepositoryRoot, "appsettings.example.json"), optional: false)
            .Build();
        using var provider = Build(example.AsEnumerable().Where(p => p.Key.StartsWith("Teams", StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value));

        var options = provider.GetRequiredService<IOptions<TeamsOptions>>().Value;

        Assert.False(options.IsEnabled);
        Assert.Equal(3, options.MaxRetries);
    }
}
