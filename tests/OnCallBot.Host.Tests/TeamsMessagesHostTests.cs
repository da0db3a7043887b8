using System.Net;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;
using OnCallBot.TestKit;

namespace OnCallBot.Host.Tests;

/// <summary>The host maps the Teams messaging endpoint: POST /api/messages, refused without a valid Bot Framework token.</summary>
public sealed class TeamsMessagesHostTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private WebApplicationFactory<Program> Factory(bool teamsOn) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Storage:ConnectionString", _temp.SqliteConnectionString)
                .UseSetting("OnCall:ConfigPath", Path.Combine(SharedFixtures.RepositoryRoot, "manifests", "oncall.example.yaml"))
                .UseSetting("OnCall:WatchForChanges", "false");
            if (teamsOn)
            {
                web.UseSetting("Teams:AppId", "5710acff-f313-453f-8b75-44fff54bab14")
                    .UseSetting("Teams:AppPassword", "host-test-password-not-a-secret");
            }
        });

    private const string Activity = """{"type":"message","channelId":"msteams","serviceUrl":"https://smba.trafficmanager.net/amer/","text":"page checkout down"}""";

    [Fact]
    public async Task ApiMessages_TeamsOnAndNoToken_401()
    {
        await using var factory = Factory(teamsOn: true);
        using var client = factory.CreateClient();

        using var response = await client.PostAsync("/api/messages", new StringContent(Activity, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Teams request authentication failed.", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ApiMessages_TeamsOff_503SayingHowToTurnItOn()
    {
        await using var factory = Factory(teamsOn: false);
        using var client = factory.CreateClient();

        using var response = await client.PostAsync("/api/messages", new StringContent(Activity, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.StartsWith("Teams is off:", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
