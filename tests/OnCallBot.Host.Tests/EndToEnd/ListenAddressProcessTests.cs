using System.Net;
using System.Net.Sockets;
using OnCallBot.Host.Hosting;
using OnCallBot.TestKit.Hosting;

namespace OnCallBot.Host.Tests.EndToEnd;

/// <summary>
/// The bot process listens where the admin says, by each of ASP.NET Core's usual ways, and on loopback:5080 when
/// nothing is said. Each case starts the real host executable; <c>/healthz</c> answering there is the proof.
/// </summary>
public sealed class ListenAddressProcessTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private Dictionary<string, string> Settings => new()
    {
        ["Storage:ConnectionString"] = _temp.SqliteConnectionString,
        ["OnCall:ConfigPath"] = "",
    };

    public static TheoryData<string> EnvironmentVariables => new() { "ASPNETCORE_URLS", "Urls", "DOTNET_URLS" };

    [Theory]
    [MemberData(nameof(EnvironmentVariables))]
    public async Task Start_UrlsInTheEnvironment_ListensThere(string variable)
    {
        var baseUrl = new Uri($"http://127.0.0.1:{HostProcess.FreePort()}/");

        await using var host = await HostProcess.StartAsync(Settings, baseUrl, [], new Dictionary<string, string> { [variable] = baseUrl.ToString() });

        Assert.Equal(baseUrl, host.BaseUrl);
    }

    [Fact]
    public async Task Start_AspNetCoreHttpPorts_ListensOnThatPort()
    {
        var port = HostProcess.FreePort();

        await using var host = await HostProcess.StartAsync(Settings, new Uri($"http://127.0.0.1:{port}/"), [],
            new Dictionary<string, string> { ["ASPNETCORE_HTTP_PORTS"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        Assert.Contains($":{port}", host.BaseUrl.ToString());
    }

    [Fact]
    public async Task Start_UrlsOnTheCommandLine_ListensThere()
    {
        var baseUrl = new Uri($"http://127.0.0.1:{HostProcess.FreePort()}/");

        await using var host = await HostProcess.StartAsync(Settings, baseUrl, ["--urls", baseUrl.ToString()], new Dictionary<string, string>());

        Assert.Equal(baseUrl, host.BaseUrl);
    }

    [DefaultPortFreeFact]
    public async Task Start_NoAddressSetAnywhere_ListensOnLoopback5080()
    {
        await using var host = await HostProcess.StartAsync(Settings, new Uri(ListenAddress.Default + "/"), [], new Dictionary<string, string>());

        Assert.Equal(new Uri("http://127.0.0.1:5080/"), host.BaseUrl);
    }

    /// <summary>Skipped, saying why, when something on this machine already listens on the default port.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    private sealed class DefaultPortFreeFactAttribute : FactAttribute
    {
        public DefaultPortFreeFactAttribute()
        {
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, 5080);
                probe.Start();
            }
            catch (SocketException)
            {
                Skip = "Something on this machine already listens on 127.0.0.1:5080, the bot's default address; stop it to run this test.";
            }
        }
    }
}
