using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using OnCallBot.Teams.Inbound;

namespace OnCallBot.Teams.Tests.Inbound;

/// <summary>A handler that records what reached it and answers what the test says.</summary>
public sealed class RecordingTeamsActivityHandler : ITeamsActivityHandler
{
    public ConcurrentQueue<TeamsActivity> Activities { get; } = new();

    public Func<TeamsActivity, TeamsActivityResponse> Respond { get; set; } = _ => TeamsActivityResponse.Ok;

    public Task<TeamsActivityResponse> HandleAsync(TeamsActivity activity, CancellationToken cancellationToken)
    {
        Activities.Enqueue(activity);
        return Task.FromResult(Respond(activity));
    }
}

/// <summary>Captures log lines so tests can check what was (and was not) logged.</summary>
public sealed class TestLogs : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, EventId EventId, string Message)> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(TestLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue((category, logLevel, eventId, formatter(state, exception) + (exception is null ? string.Empty : " | " + exception)));
    }
}

/// <summary>A real ASP.NET Core host on loopback with AddTeams + MapTeams, pointed at a <see cref="FakeBotFrameworkOpenId"/>.</summary>
public sealed class TeamsTestHost : IAsyncDisposable
{
    /// <summary>The app id of the real token in ../shared/fixtures/teams/auth, so fixtures and test tokens share one bot.</summary>
    public const string AppId = "5710acff-f313-453f-8b75-44fff54bab14";
    public const string AppPassword = "test-app-password-not-a-secret";
    public const string ServiceUrl = "https://smba.trafficmanager.net/amer/";

    private readonly WebApplication _app;

    private TeamsTestHost(WebApplication app, HttpClient client, RecordingTeamsActivityHandler? handler, TestLogs logs)
    {
        _app = app;
        Client = client;
        Handler = handler;
        Logs = logs;
    }

    public HttpClient Client { get; }

    public RecordingTeamsActivityHandler? Handler { get; }

    public TestLogs Logs { get; }

    public IServiceProvider Services => _app.Services;

    public ITeamsServiceUrls ServiceUrls => Services.GetRequiredService<ITeamsServiceUrls>();

    public static Dictionary<string, string?> Config(Uri metadataUrl) => new()
    {
        ["Teams:AppId"] = AppId,
        ["Teams:AppPassword"] = AppPassword,
        ["Teams:OpenIdMetadataUrl"] = metadataUrl.AbsoluteUri,
    };

    public static async Task<TeamsTestHost> StartAsync(TimeProvider time, Dictionary<string, string?> config, bool withHandler = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(config);
        var logs = new TestLogs();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Services.AddSingleton(time);
        builder.Services.AddTeams();
        RecordingTeamsActivityHandler? handler = null;
        if (withHandler)
        {
            handler = new RecordingTeamsActivityHandler();
            builder.Services.RemoveAll<ITeamsActivityHandler>();
            builder.Services.AddSingleton<ITeamsActivityHandler>(handler);
        }
        var app = builder.Build();
        app.MapTeams();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TeamsTestHost(app, new HttpClient { BaseAddress = new Uri(address) }, handler, logs);
    }

    /// <summary>Posts <paramref name="activity"/> to <c>/api/messages</c> with <paramref name="token"/> as its bearer token (none when null).</summary>
    public Task<HttpResponseMessage> PostActivityAsync(string activity, string? token, Action<HttpRequestMessage>? tweak = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages")
        {
            Content = new StringContent(activity, Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        tweak?.Invoke(request);
        return Client.SendAsync(request);
    }

    /// <summary>A plain channel message with an @mention of the bot, from <paramref name="serviceUrl"/>.</summary>
    public static string Message(string serviceUrl = ServiceUrl, string channelId = "msteams", string text = "<at>OnCallBot</at> page checkout Cards are timing out") =>
        new JsonObject
        {
            ["type"] = "message",
            ["id"] = "1598889368164",
            ["channelId"] = channelId,
            ["serviceUrl"] = serviceUrl,
            ["text"] = text,
            ["from"] = new JsonObject { ["id"] = "29:user", ["aadObjectId"] = "a6de2a64-9501-4e16-9e50-74df223570a3", ["name"] = "Ada" },
            ["recipient"] = new JsonObject { ["id"] = "28:" + AppId, ["name"] = "OnCallBot" },
            ["conversation"] = new JsonObject
            {
                ["id"] = "19:8d46058cda57449380517cc374727f2a@thread.tacv2",
                ["conversationType"] = "channel",
                ["tenantId"] = "f5ffd8cf-a1aa-4242-adad-86509faa3be5",
            },
            ["entities"] = new JsonArray(new JsonObject
            {
                ["type"] = "mention",
                ["text"] = "<at>OnCallBot</at>",
                ["mentioned"] = new JsonObject { ["id"] = "28:" + AppId, ["name"] = "OnCallBot" },
            }),
            ["channelData"] = new JsonObject { ["tenant"] = new JsonObject { ["id"] = "f5ffd8cf-a1aa-4242-adad-86509faa3be5" } },
        }.ToJsonString();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
