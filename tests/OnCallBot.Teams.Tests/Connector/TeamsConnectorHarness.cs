using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OnCallBot.Teams.Connector;
using OnCallBot.Teams.Inbound;
using OnCallBot.TestKit;
using OnCallBot.TestKit.Teams;

namespace OnCallBot.Teams.Tests.Connector;

/// <summary>AddTeams against the fake Bot Framework over loopback, on a fake clock, with the fake's service URL trusted.</summary>
internal sealed class TeamsConnectorHarness : IAsyncDisposable
{
    private TeamsConnectorHarness(FakeBotFramework fake, SignalingTimeProvider time, ServiceProvider services, ListLoggerProvider logs)
    {
        Fake = fake;
        Time = time;
        Services = services;
        Logs = logs;
    }

    public FakeBotFramework Fake { get; }

    public SignalingTimeProvider Time { get; }

    public ServiceProvider Services { get; }

    public ListLoggerProvider Logs { get; }

    public TeamsConnectorClient Client => Services.GetRequiredService<TeamsConnectorClient>();

    public BotTokenProvider Tokens => Services.GetRequiredService<BotTokenProvider>();

    public Uri ServiceUrl => Fake.ServiceUrl;

    public static async Task<TeamsConnectorHarness> StartAsync(IDictionary<string, string?>? settings = null, bool trustServiceUrl = true)
    {
        var fake = await FakeBotFramework.StartAsync();
        var time = new SignalingTimeProvider(new FakeTimeProvider());
        fake.Clock = time;
        var values = new Dictionary<string, string?>
        {
            ["Teams:AppId"] = FakeBotFramework.AppId,
            ["Teams:AppPassword"] = FakeBotFramework.AppPassword,
            ["Teams:TokenEndpoint"] = fake.TokenEndpoint().ToString(),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        var logs = new ListLoggerProvider();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddSingleton<TimeProvider>(time);
        services.AddLogging(builder => builder.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddTeams();
        var provider = services.BuildServiceProvider(validateScopes: true);
        if (trustServiceUrl)
        {
            provider.GetRequiredService<ITeamsServiceUrls>().Trust(fake.ServiceUrl);
        }
        return new TeamsConnectorHarness(fake, time, provider, logs);
    }

    /// <summary>A 1:1 chat the fake knows, as the bot would have after someone installed it.</summary>
    public string KnownChat(string id = "a:1chat-with-anna")
    {
        Fake.KnowConversation(id);
        return id;
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Fake.DisposeAsync();
    }
}
