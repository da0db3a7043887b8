using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OnCallBot.TestKit.Hosting;

/// <summary>
/// The bot as an admin runs it: the built host executable in a process of its own, configured on its
/// command line, stopped by <c>kill -9</c> when a test wants a crash.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HostProcess(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>The operating system's id of the bot's process (for reading its memory and CPU in /proc).</summary>
    public int ProcessId => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the host on a free loopback port and waits until <c>/healthz</c> answers 200 (or the process dies, or a minute passes).</summary>
    public static Task<HostProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var baseUrl = new Uri($"http://127.0.0.1:{FreePort()}/");
        return StartAsync(settings, baseUrl, [$"--Urls={baseUrl}"], new Dictionary<string, string>());
    }

    /// <summary>
    /// Starts the host with its address given however the test says (<paramref name="arguments"/>,
    /// <paramref name="environment"/>, or not at all) and waits until <c>/healthz</c> answers 200 at
    /// <paramref name="baseUrl"/>. The address variables of the test run's own environment are not passed on.
    /// </summary>
    public static async Task<HostProcess> StartAsync(
        IReadOnlyDictionary<string, string> settings,
        Uri baseUrl,
        IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = SharedFixtures.RepositoryRoot,
        };
        foreach (var name in start.Environment.Keys.Where(IsAddressVariable).ToList())
        {
            start.Environment.Remove(name);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        start.ArgumentList.Add(HostAssembly());
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the host process.");
        var host = new HostProcess(process, baseUrl);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var client = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTimeOffset.UtcNow.AddMinutes(1);
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The host exited with {process.ExitCode} while starting:\n{host.Output}");
            }
            try
            {
                using var response = await client.GetAsync("healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return host;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        await host.DisposeAsync();
        throw new TimeoutException($"The host did not become healthy within a minute:\n{host.Output}");
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, as a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>The host's own build output (same configuration as these tests), not a copy.</summary>
    private static string HostAssembly()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // .../bin/<Configuration>/net10.0
        var path = Path.Combine(SharedFixtures.RepositoryRoot, "src", "OnCallBot.Host", "bin", configuration, "net10.0", "oncallbot.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build the host first (dotnet build OnCallBot.sln).", path);
    }

    // ASPNETCORE_URLS, DOTNET_HTTP_PORTS, HTTPS_PORTS, Urls...: whatever ASP.NET Core reads as the "urls",
    // "http_ports" or "https_ports" setting, with or without its environment prefix.
    private static bool IsAddressVariable(string name)
    {
        foreach (var prefix in new[] { "ASPNETCORE_", "DOTNET_", "" })
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                && name[prefix.Length..] is var key
                && (key.Equals("URLS", StringComparison.OrdinalIgnoreCase)
                    || key.Equals("HTTP_PORTS", StringComparison.OrdinalIgnoreCase)
                    || key.Equals("HTTPS_PORTS", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A loopback port nobody listens on at the moment of asking.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
