using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OnCallBot.Host.Hosting;
using OnCallBot.TestKit.Slack;

namespace OnCallBot.Host.Tests.Logging;

/// <summary>
/// The host-wide parts of logging as the bot wires them (<see cref="LoggingSetup.AddOnCallLogging(IServiceCollection, Action{Serilog.Configuration.LoggerSinkConfiguration, Serilog.Formatting.ITextFormatter})"/>):
/// any IHttpClientFactory client's logs, their default levels, and the one line per inbound request.
/// </summary>
public sealed class HostLoggingTests : IAsyncLifetime
{
    private const string OpaqueCredential = "opaque-credential-5d41402abc4b2a76";
    private const string ApiKey = "k-7d793037a0760186574b0282f2f435e7";

    private FakeSlackServer _peer = null!;

    public async Task InitializeAsync() => _peer = await FakeSlackServer.StartAsync(checkSpec: false);

    public async Task DisposeAsync() => await _peer.DisposeAsync();

    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    public async Task AnyFactoryClient_HttpClientLogsAtVerbose_ShowsHeaderNamesButNoValues(string format)
    {
        var output = new StringBuilder();
        await using var services = Services(output, format, ("Serilog:MinimumLevel:Default", "Verbose"), ("Serilog:MinimumLevel:Override:System.Net.Http.HttpClient", "Verbose"));

        await CallPeerAsync(services);

        var log = output.ToString();
        Assert.Contains("Request Headers", log);
        Assert.Contains("X-Api-Key", log);
        Assert.Contains("Authorization", log);
        Assert.DoesNotContain(OpaqueCredential, log);
        Assert.DoesNotContain(ApiKey, log);
    }

    [Fact]
    public async Task AnyFactoryClient_JsonAtVerbose_HeaderPropertiesSayWhatTheTextSays()
    {
        var output = new StringBuilder();
        await using var services = Services(output, "json", ("Serilog:MinimumLevel:Default", "Verbose"), ("Serilog:MinimumLevel:Override:System.Net.Http.HttpClient", "Verbose"));

        await CallPeerAsync(services);

        var headerEvents = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(e => e.TryGetProperty("X-Api-Key", out _))
            .ToList();
        Assert.NotEmpty(headerEvents);
        Assert.All(headerEvents, e =>
        {
            Assert.Equal("*", e.GetProperty("X-Api-Key").GetString());
            Assert.Equal("*", e.GetProperty("Authorization").GetString());
        });
    }

    [Fact]
    public async Task AnyFactoryClient_DefaultLevels_WritesNoHttpClientLines()
    {
        var output = new StringBuilder();
        await using var services = Services(output, "text");

        await CallPeerAsync(services);

        Assert.DoesNotContain("System.Net.Http.HttpClient", output.ToString());
    }

    [Fact]
    public async Task AnyFactoryClient_HttpClientOverrideInformation_BringsItsLinesBack()
    {
        var output = new StringBuilder();
        await using var services = Services(output, "text", ("Serilog:MinimumLevel:Override:System.Net.Http.HttpClient", "Information"));

        await CallPeerAsync(services);

        var log = output.ToString();
        Assert.Contains("INF System.Net.Http.HttpClient.peer.LogicalHandler: Start processing HTTP request POST", log);
        Assert.Contains("INF System.Net.Http.HttpClient.peer.ClientHandler: Received HTTP response headers", log);
        Assert.DoesNotContain("Request Headers", log);
    }

    [Fact]
    public async Task InboundRequest_LogsOneLineWithMethodRouteStatus_NeverBodyQueryOrHeaders()
    {
        var output = new StringBuilder();
        await using var app = await StartAppAsync(output, "text");
        using var client = app.GetTestClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/slack/commands?token=query-secret-0123456789")
        {
            Content = new StringContent("text=body-secret-0123456789&user_id=U0GRACE007", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add("X-Slack-Signature", "v0=signature0123456789abcdef");
        request.Headers.Add("X-Slack-Request-Timestamp", "1700000000");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", "YWRtaW46aHVudGVyMg==");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var line = Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("RequestLoggingMiddleware"));
        Assert.Matches(@"INF Serilog\.AspNetCore\.RequestLoggingMiddleware: HTTP POST /slack/commands responded 200 in \d+\.\d ms\r?$", line);
        var log = output.ToString();
        Assert.DoesNotContain("query-secret", log);
        Assert.DoesNotContain("body-secret", log);
        Assert.DoesNotContain("signature0123456789", log);
        Assert.DoesNotContain("1700000000", log);
        Assert.DoesNotContain("YWRtaW46aHVudGVyMg", log);
    }

    [Fact]
    public async Task InboundRequest_Json_CarriesRouteTemplateAndStatusNotTheIds()
    {
        var output = new StringBuilder();
        await using var app = await StartAppAsync(output, "json");
        using var client = app.GetTestClient();

        using var response = await client.GetAsync("/incidents/42?verbose=1");
        using var missing = await client.GetAsync("/no-such-page");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var requests = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(e => e.GetProperty("SourceContext").GetString() == "Serilog.AspNetCore.RequestLoggingMiddleware")
            .ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal("/incidents/{id}", requests[0].GetProperty("Route").GetString());
        Assert.Equal(200, requests[0].GetProperty("StatusCode").GetInt32());
        Assert.True(requests[0].GetProperty("Elapsed").GetDouble() >= 0);
        Assert.DoesNotContain("verbose", requests[0].GetRawText());
        // A request no route matched shows the path it asked for.
        Assert.Equal("/no-such-page", requests[1].GetProperty("Route").GetString());
        Assert.Equal(404, requests[1].GetProperty("StatusCode").GetInt32());
    }

    [Fact]
    public async Task InboundRequest_HealthProbe_IsDebugSoNotShownByDefault()
    {
        var output = new StringBuilder();
        await using var app = await StartAppAsync(output, "text");
        using var client = app.GetTestClient();

        using var health = await client.GetAsync("/healthz");
        using var page = await client.PostAsync("/slack/commands", new StringContent(""));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Contains("HTTP POST /slack/commands responded 200", output.ToString());
        Assert.DoesNotContain("/healthz", output.ToString());
    }

    [Fact]
    public async Task InboundRequest_Failing_IsError()
    {
        var output = new StringBuilder();
        await using var app = await StartAppAsync(output, "text");
        using var client = app.GetTestClient();

        using var response = await client.GetAsync("/broken");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("ERR Serilog.AspNetCore.RequestLoggingMiddleware: HTTP GET /broken responded 500", output.ToString());
    }

    private ServiceProvider Services(StringBuilder output, string format, params (string Key, string Value)[] settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(CapturedLog.Settings(format, settings));
        services.AddOnCallLogging(CapturedLog.Into(output));
        services.AddHttpClient("peer", client =>
        {
            client.BaseAddress = _peer.BaseUrl;
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OpaqueCredential);
            client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        });
        return services.BuildServiceProvider();
    }

    private static async Task CallPeerAsync(ServiceProvider services)
    {
        using var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("peer");
        using var response = await client.PostAsync("hooks/probe", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<WebApplication> StartAppAsync(StringBuilder output, string format)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddConfiguration(CapturedLog.Settings(format));
        builder.Services.AddOnCallLogging(CapturedLog.Into(output));
        builder.Services.AddHealthChecks();
        var app = builder.Build();
        app.UseOnCallRequestLogging();
        app.MapHealthChecks("/healthz");
        app.MapPost("/slack/commands", () => Results.Ok());
        app.MapGet("/incidents/{id}", (int id) => Results.Ok(id));
        app.MapGet("/broken", () => Results.StatusCode(StatusCodes.Status500InternalServerError));
        await app.StartAsync();
        return app;
    }
}
