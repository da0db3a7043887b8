using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using OnCallBot.Core.Ports;
using OnCallBot.Slack.Inbound;
using OnCallBot.TestKit;
using OnCallBot.TestKit.Inbound;
using OnCallBot.TestKit.Slack;

namespace OnCallBot.Slack.Tests.Fakes;

/// <summary>An inbound handler that records what reached it and answers what the test says.</summary>
public sealed class RecordingInboundHandler : ISlackInboundHandler
{
    public ConcurrentQueue<SlackCommand> Commands { get; } = new();
    public ConcurrentQueue<SlackInteraction> Interactions { get; } = new();
    public ConcurrentQueue<SlackEvent> Events { get; } = new();
    public Channel<object> Received { get; } = Channel.CreateUnbounded<object>();

    public Func<SlackCommand, SlackInboundResponse> CommandResponse { get; set; } = _ => SlackInboundResponse.Ack;
    public Func<SlackInteraction, SlackInboundResponse> InteractionResponse { get; set; } = _ => SlackInboundResponse.Ack;
    public Func<SlackEvent, SlackInboundResponse> EventResponse { get; set; } = _ => SlackInboundResponse.Ack;

    public int TotalCalls => Commands.Count + Interactions.Count + Events.Count;

    public Task<SlackInboundResponse> HandleCommandAsync(SlackCommand command, CancellationToken cancellationToken)
    {
        Commands.Enqueue(command);
        Received.Writer.TryWrite(command);
        return Task.FromResult(CommandResponse(command));
    }

    public Task<SlackInboundResponse> HandleInteractionAsync(SlackInteraction interaction, CancellationToken cancellationToken)
    {
        Interactions.Enqueue(interaction);
        Received.Writer.TryWrite(interaction);
        return Task.FromResult(InteractionResponse(interaction));
    }

    public Task<SlackInboundResponse> HandleEventAsync(SlackEvent slackEvent, CancellationToken cancellationToken)
    {
        Events.Enqueue(slackEvent);
        Received.Writer.TryWrite(slackEvent);
        return Task.FromResult(EventResponse(slackEvent));
    }
}

/// <summary>A real ASP.NET Core host on loopback with AddSlack + MapSlack and a recording handler.</summary>
public sealed class SlackTestHost : IAsyncDisposable
{
    public const string SigningSecret = "8f742231b10e8888abcd99yyyzzz85a5";

    private readonly WebApplication _app;

    private SlackTestHost(WebApplication app, HttpClient client, RecordingInboundHandler? handler, ListLoggerProvider logs)
    {
        _app = app;
        Client = client;
        Handler = handler;
        Logs = logs;
    }

    public HttpClient Client { get; }

    public RecordingInboundHandler? Handler { get; }

    public ListLoggerProvider Logs { get; }

    public IServiceProvider Services => _app.Services;

    public static Dictionary<string, string?> HttpConfig() => new()
    {
        ["Slack:BotToken"] = FakeSlackServer.BotToken,
        ["Slack:SigningSecret"] = SigningSecret,
    };

    public static async Task<SlackTestHost> StartAsync(TimeProvider time, Dictionary<string, string?> config, bool withHandler = true,
        InMemoryInboundRequestStore? requests = null, bool withRequestStore = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(config);
        var logs = new ListLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(requests ?? new InMemoryInboundRequestStore());
        if (withRequestStore)
        {
            builder.Services.AddSingleton<IInboundRequestStore>(sp => sp.GetRequiredService<InMemoryInboundRequestStore>());
        }
        builder.Services.AddSlack();
        RecordingInboundHandler? handler = null;
        if (withHandler)
        {
            handler = new RecordingInboundHandler();
            builder.Services.AddSingleton<ISlackInboundHandler>(handler);
        }
        else
        {
            // AddSlack registers the paging handler; these tests are about the transport without any handler.
            builder.Services.RemoveAll<ISlackInboundHandler>();
        }
        var app = builder.Build();
        app.MapSlack();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SlackTestHost(app, new HttpClient { BaseAddress = new Uri(address) }, handler, logs);
    }

    /// <summary>Posts a body signed as Slack would at <paramref name="signedAt"/>.</summary>
    public Task<HttpResponseMessage> PostSignedAsync(
        string path, string body, string contentType, DateTimeOffset signedAt, string secret = SigningSecret, Action<HttpRequestMessage>? tweak = null) =>
        PostSignedAsync(path, Encoding.UTF8.GetBytes(body), contentType, signedAt, secret, tweak);

    /// <summary>Posts raw bytes (which need not be valid UTF-8) signed as Slack would at <paramref name="signedAt"/>.</summary>
    public Task<HttpResponseMessage> PostSignedAsync(
        string path, byte[] bytes, string contentType, DateTimeOffset signedAt, string secret = SigningSecret, Action<HttpRequestMessage>? tweak = null)
    {
        var timestamp = signedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.Add(SlackRequestVerifier.TimestampHeader, timestamp);
        request.Headers.Add(SlackRequestVerifier.SignatureHeader, SlackRequestVerifier.ComputeSignature(secret, timestamp, bytes));
        tweak?.Invoke(request);
        return Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
