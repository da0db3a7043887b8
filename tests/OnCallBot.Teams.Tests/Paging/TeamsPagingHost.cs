using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using OnCallBot.Core.Delivery;
using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.Teams.Tests.Inbound;
using OnCallBot.TestKit;
using OnCallBot.TestKit.Delivery;
using OnCallBot.TestKit.Paging;
using OnCallBot.TestKit.Teams;

namespace OnCallBot.Teams.Tests.Paging;

/// <summary>
/// The whole Teams paging path on loopback: activities signed by a test key (served by <see cref="FakeBotFrameworkOpenId"/>)
/// posted to the real <c>/api/messages</c> (AddTeams + MapTeams), the real handler and <see cref="PagingService"/> over
/// in-memory stores, the recording scheduler, the outbox drained when a test says, and the real Connector client
/// talking to <see cref="FakeBotFramework"/>. The clock is fixed on Monday 5 January 2026, 09:00 UTC.
/// </summary>
internal sealed class TeamsPagingHost : IAsyncDisposable
{
    public const string AnnaTeams = "29:anna";
    public const string BobTeams = "29:bob";
    public const string OliverTeams = "29:oliver";
    public const string Channel = "19:incidents@thread.tacv2";

    private readonly WebApplication _app;
    private int _sequence;

    private TeamsPagingHost(WebApplication app, FakeBotFramework bot, FakeBotFrameworkOpenId openId, TestSigningKey key, FakeTimeProvider time, HttpClient client)
    {
        _app = app;
        Bot = bot;
        OpenId = openId;
        Key = key;
        Time = time;
        Client = client;
    }

    public FakeBotFramework Bot { get; }

    public FakeBotFrameworkOpenId OpenId { get; }

    public TestSigningKey Key { get; }

    public FakeTimeProvider Time { get; }

    public HttpClient Client { get; }

    public InMemoryIncidentStore Store => _app.Services.GetRequiredService<InMemoryIncidentStore>();

    public InMemoryDirectConversationStore Conversations => _app.Services.GetRequiredService<InMemoryDirectConversationStore>();

    public PagingService Paging => _app.Services.GetRequiredService<PagingService>();

    public static OnCallModel Model()
    {
        var zone = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
        User[] users =
        [
            new("anna", "Anna Anders", zone, null, AnnaTeams, null),
            new("bob", "Bob Berg", zone, null, BobTeams, null),
            new("oliver", "Oliver Ortiz", zone, null, OliverTeams, null),
        ];
        var start = new LocalDateTime(2026, 1, 5, 9, 0);
        Schedule[] schedules =
        [
            new("primary", "Primary", zone, [new ScheduleLayer("weekly", ["anna"], ShiftLength.Weekly, start, [])]),
            new("secondary", "Secondary", zone, [new ScheduleLayer("weekly", ["bob"], ShiftLength.Weekly, start, [])]),
        ];
        EscalationPolicy[] policies =
        [
            new("checkout", "Checkout",
            [
                new EscalationLevel([new EscalationTarget(EscalationTargetKind.Schedule, "primary")], Duration.FromMinutes(5)),
                new EscalationLevel([new EscalationTarget(EscalationTargetKind.Schedule, "secondary")], Duration.FromMinutes(10)),
            ], Repeat: 0),
        ];
        Team[] teams = [new("payments", "Payments", ["anna", "bob"], new ChatChannels(null, Channel), "primary")];
        Service[] services =
        [
            new("checkout", "Checkout", "payments", "checkout", null, [], []),
            new("search", "Search", "payments", "checkout", null, [], []),
        ];
        return new OnCallModel(users, teams, schedules, policies, services);
    }

    public static async Task<TeamsPagingHost> StartAsync()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
        var bot = await FakeBotFramework.StartAsync();
        bot.Clock = time;
        var openId = await FakeBotFrameworkOpenId.StartAsync();
        var key = new TestSigningKey("paging-key", "msteams");
        openId.Publish(key);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Teams:AppId"] = FakeBotFramework.AppId,
            ["Teams:AppPassword"] = FakeBotFramework.AppPassword,
            ["Teams:OpenIdMetadataUrl"] = openId.MetadataUrl.AbsoluteUri,
            ["Teams:TokenEndpoint"] = bot.TokenEndpoint().AbsoluteUri,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ListLoggerProvider());
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddTeams();
        builder.Services.AddSingleton<IOnCallModelProvider>(new FixedOnCallModel(Model()));
        builder.Services.AddSingleton<InMemoryIncidentStore>();
        builder.Services.AddSingleton<InMemoryOutboxStore>();
        builder.Services.AddSingleton<IOutboxStore>(sp => sp.GetRequiredService<InMemoryOutboxStore>());
        builder.Services.AddSingleton(sp => new Outbox(sp.GetRequiredService<IOutboxStore>(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new OutboxDispatcher(
            sp.GetRequiredService<IOutboxStore>(),
            [sp.GetRequiredService<PagingService>()],
            sp.GetServices<IDeliveryPacing>(),
            sp.GetRequiredService<TimeProvider>(),
            new OutboxOptions(),
            (item, ex) => sp.GetRequiredService<OutboxFaults>().Add(item, ex)));
        builder.Services.AddSingleton<OutboxFaults>();
        builder.Services.AddSingleton<InMemoryDirectConversationStore>();
        builder.Services.AddSingleton<IDirectConversationStore>(sp => sp.GetRequiredService<InMemoryDirectConversationStore>());
        builder.Services.AddSingleton(sp => new RecordingScheduler(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new PagingService(
            sp.GetRequiredService<InMemoryIncidentStore>(),
            sp.GetRequiredService<RecordingScheduler>(),
            sp.GetServices<IChatPlatform>(),
            new OnCallResolver(new InMemoryOverrides()),
            sp.GetRequiredService<IOnCallModelProvider>(),
            sp.GetRequiredService<TimeProvider>(),
            new PagingOptions(),
            sp.GetRequiredService<Outbox>()));
        var app = builder.Build();
        app.MapTeams();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        bot.KnowConversation(Channel);
        return new TeamsPagingHost(app, bot, openId, key, time, new HttpClient { BaseAddress = new Uri(address) });
    }

    /// <summary>A token the Bot Framework would send for the fake's service URL, signed by the published key.</summary>
    public string Token() => new TestToken { Audience = FakeBotFramework.AppId, ServiceUrl = Bot.ServiceUrl.AbsoluteUri }.SignWith(Key, Time.GetUtcNow());

    /// <summary>
    /// <paramref name="from"/> writes "@OnCallBot <paramref name="command"/>" in the team's channel (shaped like the
    /// shared fixture <c>message_channel_at_mention</c>); returns the HTTP status and the message's activity id.
    /// </summary>
    public async Task<(int Status, string ActivityId)> ChannelCommandAsync(string command, string from = OliverTeams, string name = "Oliver Ortiz", string? token = null)
    {
        var id = "17766000000" + Interlocked.Increment(ref _sequence).ToString("00", System.Globalization.CultureInfo.InvariantCulture);
        Bot.KnowMessage(Channel, id);
        var activity = new JsonObject
        {
            ["type"] = "message",
            ["id"] = id,
            ["channelId"] = "msteams",
            ["serviceUrl"] = Bot.ServiceUrl.AbsoluteUri,
            ["text"] = "<at>OnCallBot</at> " + command,
            ["from"] = new JsonObject { ["id"] = from, ["name"] = name, ["aadObjectId"] = "00000000-0000-4000-8000-0000000000aa" },
            ["recipient"] = new JsonObject { ["id"] = "28:" + FakeBotFramework.AppId, ["name"] = "OnCallBot" },
            ["conversation"] = new JsonObject { ["id"] = Channel, ["conversationType"] = "channel", ["tenantId"] = FakeBotFramework.UserTenantId, ["isGroup"] = true },
            ["entities"] = new JsonArray(new JsonObject
            {
                ["type"] = "mention",
                ["text"] = "<at>OnCallBot</at>",
                ["mentioned"] = new JsonObject { ["id"] = "28:" + FakeBotFramework.AppId, ["name"] = "OnCallBot" },
            }),
            ["channelData"] = new JsonObject
            {
                ["tenant"] = new JsonObject { ["id"] = FakeBotFramework.UserTenantId },
                ["team"] = new JsonObject { ["id"] = "19:team@thread.tacv2" },
                ["channel"] = new JsonObject { ["id"] = Channel },
            },
        };
        using var response = await PostAsync(activity, token ?? Token());
        return ((int)response.StatusCode, id);
    }

    /// <summary>
    /// <paramref name="from"/> clicks a page card's <c>Action.Execute</c> in their 1:1 chat (shaped like the shared fixture
    /// <c>invoke_adaptiveCard_action_Action.Execute_personal</c>); returns the status and the invoke's JSON answer.
    /// </summary>
    public async Task<(int Status, JsonNode? Body)> ClickAsync(string verb, long incident, string conversationId, string replyToId, string from = AnnaTeams, string name = "Anna Anders")
    {
        var activity = new JsonObject
        {
            ["type"] = "invoke",
            ["name"] = "adaptiveCard/action",
            ["id"] = "f:" + Guid.NewGuid().ToString("N"),
            ["channelId"] = "msteams",
            ["serviceUrl"] = Bot.ServiceUrl.AbsoluteUri,
            ["from"] = new JsonObject { ["id"] = from, ["name"] = name },
            ["recipient"] = new JsonObject { ["id"] = "28:" + FakeBotFramework.AppId, ["name"] = "OnCallBot" },
            ["conversation"] = new JsonObject { ["id"] = conversationId, ["conversationType"] = "personal", ["tenantId"] = FakeBotFramework.UserTenantId },
            ["channelData"] = new JsonObject { ["tenant"] = new JsonObject { ["id"] = FakeBotFramework.UserTenantId } },
            ["value"] = new JsonObject
            {
                ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = verb, ["data"] = new JsonObject { ["incident"] = incident } },
                ["trigger"] = "manual",
            },
            ["replyToId"] = replyToId,
        };
        using var response = await PostAsync(activity, Token());
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType == "application/json" ? JsonNode.Parse(text) : null);
    }

    private Task<HttpResponseMessage> PostAsync(JsonObject activity, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages")
        {
            Content = new StringContent(activity.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return Client.SendAsync(request);
    }

    /// <summary>The texts the bot replied with in the channel, oldest first.</summary>
    public IReadOnlyList<string> ChannelReplies() =>
        [.. Bot.ConnectorCalls.Where(c => c.Operation == "reply" && c.ConversationId == Channel).Select(c => (string?)c.Body?["text"] ?? "")];

    /// <summary>Runs every escalation step due now, as the scheduler's job would, then drains the outbox.</summary>
    public async Task FireDueAsync()
    {
        await _app.Services.GetRequiredService<RecordingScheduler>().FireDueAsync(Paging);
        await DeliverAsync();
    }

    /// <summary>Carries out everything the outbox holds that may go now; a fault fails the test.</summary>
    public async Task DeliverAsync()
    {
        await _app.Services.GetRequiredService<OutboxDispatcher>().DrainAsync(CancellationToken.None);
        _app.Services.GetRequiredService<OutboxFaults>().AssertNone();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Bot.DisposeAsync();
        await OpenId.DisposeAsync();
        Key.Dispose();
    }
}
