using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OnCallBot.TestKit.Hosting;
using OnCallBot.TestKit.Slack;

namespace OnCallBot.Bench.Load;

/// <summary>How to start the bot for a load scenario.</summary>
internal sealed record BenchBotOptions(BenchOnCall OnCall)
{
    /// <summary><c>Incidents:OpenChannels</c>; true is the product's default.</summary>
    public bool OpenChannels { get; init; } = true;

    /// <summary>Remember everyone's DM channel in the store before the bot starts, as a bot that messaged them before has it.</summary>
    public bool WarmDirectChannels { get; init; } = true;

    public bool Postgres { get; init; }

    /// <summary>The stand-in's limits: Slack's published ones unless a scenario says otherwise.</summary>
    public SlackRateLimits RateLimits { get; init; } = SlackRateLimits.Published;

    /// <summary>More settings for the bot, on top of the bench's own.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
}

/// <summary>What the bot said to one /page, and when (wall clock, the stand-in's clock too).</summary>
internal sealed record PageAnswer(int Index, DateTimeOffset SentAt, DateTimeOffset AnsweredAt, int Status, string Text, string? Error)
{
    public double Milliseconds => (AnsweredAt - SentAt).TotalMilliseconds;

    /// <summary>The bot opened the incident and said so at once.</summary>
    public bool Paged => Status == 200 && Text.Contains(" paged ", StringComparison.Ordinal);

    /// <summary>The bot answered "working on it" at its 2 s deadline, the outcome to follow on the response_url.</summary>
    public bool Deferred => Status == 200 && Text.Contains("orking on it: Slack or the database is slow", StringComparison.Ordinal);
}

/// <summary>
/// The bot as an admin runs it (the host executable in its own process, on its own store) pointed at a Slack stand-in
/// on loopback that applies Slack's published rate limits, and a way to send it signed slash commands as Slack does.
/// </summary>
internal sealed partial class BenchBot : IAsyncDisposable
{
    public const string SigningSecret = "bench-signing-secret-0123456789ab";

    /// <summary>Every page's summary ends with this tag and its index, so its DMs can be told apart.</summary>
    public const string Tag = "bench-";

    private readonly DirectoryInfo _folder;
    private readonly HttpClient _http;

    private BenchBot(DirectoryInfo folder, BenchStorage storage, FakeSlackServer slack, HostProcess host, HttpClient http)
    {
        _folder = folder;
        Storage = storage;
        Slack = slack;
        Host = host;
        _http = http;
        Client = new SignedSlackClient(host.BaseUrl, SigningSecret, slack) { Http = http };
    }

    public TimeProvider Clock { get; } = TimeProvider.System;

    public BenchStorage Storage { get; }

    public FakeSlackServer Slack { get; }

    public HostProcess Host { get; }

    public SignedSlackClient Client { get; }

    public static async Task<BenchBot> StartAsync(BenchBotOptions options)
    {
        var folder = Directory.CreateTempSubdirectory("oncallbot-bench-");
        // The on-call file in a folder of its own, as an admin keeps it: the bot watches the file's folder for edits, and
        // the database's constant writes beside it would be measured as watcher wake-ups.
        var config = Path.Combine(folder.CreateSubdirectory("config").FullName, "oncall.yaml");
        await File.WriteAllTextAsync(config, options.OnCall.Yaml);
        var storage = await BenchStorage.CreateAsync(options.Postgres, folder);
        var slack = await FakeSlackServer.StartAsync(new FakeSlackServerOptions { CheckSpec = false, RateLimits = options.RateLimits });
        if (options.WarmDirectChannels)
        {
            await storage.RememberDirectChannelsAsync(options.OnCall.SlackIds.Select(id => (id, slack.DirectChannelFor(id))));
        }
        var settings = new Dictionary<string, string>(storage.Settings)
        {
            ["OnCall:ConfigPath"] = config,
            // The generated file is big for a person to write, not for the bot: let a large N through.
            ["OnCall:MaxConfigBytes"] = Math.Max(4 << 20, (options.OnCall.Yaml.Length * 2) + 4096).ToString(CultureInfo.InvariantCulture),
            ["Slack:BotToken"] = FakeSlackServer.BotToken,
            ["Slack:SigningSecret"] = SigningSecret,
            ["Slack:ApiBaseUrl"] = slack.ApiBaseUrl.ToString(),
            ["Incidents:OpenChannels"] = options.OpenChannels ? "true" : "false",
        };
        foreach (var (key, value) in options.Settings)
        {
            settings[key] = value;
        }
        var host = await HostProcess.StartAsync(settings);
        // One client for the whole run: Slack keeps its connections open too, and a new one per request would measure
        // connection set-up. Generous timeout: a slow answer is a figure, not an error.
        var http = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromMinutes(2) };
        return new BenchBot(folder, storage, slack, host, http);
    }

    /// <summary>Sends <c>/page {service} {summary} bench-{index}</c> as <paramref name="userId"/> and reads the answer.</summary>
    public async Task<PageAnswer> PageAsync(int index, string service, string summary, string userId, DateTimeOffset? scheduledAt = null)
    {
        var sentAt = scheduledAt ?? Clock.GetUtcNow();
        try
        {
            using var response = await Client.CommandAsync("/page", $"{service} {summary} {TagOf(index)}", userId);
            var body = await response.Content.ReadAsStringAsync();
            var answeredAt = Clock.GetUtcNow();
            return new PageAnswer(index, sentAt, answeredAt, (int)response.StatusCode, TextOf(body), null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return new PageAnswer(index, sentAt, Clock.GetUtcNow(), 0, string.Empty, ex.GetType().Name + ": " + ex.Message);
        }
    }

    /// <summary>Waits until the stand-in has answered <c>ok</c> to a page for <paramref name="serviceIndex"/>'s level-1 person (a warm-up before measuring).</summary>
    public async Task WarmUpAsync(BenchService service, string reporter)
    {
        var answer = await PageAsync(999_999, service.Id, "Warm-up page", reporter);
        if (!answer.Paged)
        {
            throw new InvalidOperationException($"The warm-up page was not accepted ({answer.Status}): {answer.Text} {answer.Error}\n{Host.Output}");
        }
        var tag = TagOf(999_999);
        await Slack.WaitForCallAsync(c => c.Method == "chat.postMessage" && !c.RateLimited && (c.Args.GetValueOrDefault("text") ?? "").Contains(tag, StringComparison.Ordinal), TimeSpan.FromMinutes(2));
    }

    /// <summary>The pages whose outcome the bot posted to the response_url later (after answering "working on it") and that say "paged".</summary>
    public HashSet<int> PagedLater() =>
        [.. Slack.ResponseUrlPosts.Select(p => TextOf(p.Body)).Where(t => t.Contains(" paged ", StringComparison.Ordinal)).Select(IndexIn).Where(i => i >= 0)];

    /// <summary>
    /// Waits until every "working on it" answer has had its outcome posted to the response_url (Slack shows it to the
    /// user then), or <paramref name="patience"/> has passed; returns the pages that outcome says were paged.
    /// </summary>
    public async Task<HashSet<int>> WaitForLateOutcomesAsync(IEnumerable<PageAnswer> answers, TimeSpan patience)
    {
        var deferred = answers.Where(a => a.Deferred).Select(a => a.Index).ToHashSet();
        var until = Clock.GetUtcNow() + patience;
        while (true)
        {
            var posted = Slack.ResponseUrlPosts.Select(p => IndexIn(TextOf(p.Body))).ToHashSet();
            if (deferred.IsSubsetOf(posted) || Clock.GetUtcNow() > until)
            {
                return PagedLater();
            }
            await Task.Delay(250);
        }
    }

    public static string TagOf(int index) => string.Create(CultureInfo.InvariantCulture, $"{Tag}{index:D6}");

    /// <summary>The page index in a message's text (<c>bench-000123</c>), or -1.</summary>
    public static int IndexIn(string? text)
    {
        if (text is null)
        {
            return -1;
        }
        var match = TagPattern().Match(text);
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
    }

    /// <summary>The bot process now: peak and current resident memory, threads, CPU time used (from /proc).</summary>
    public ProcessFigures ReadProcess() => ProcessFigures.Read(Host.ProcessId);

    public async ValueTask DisposeAsync()
    {
        // The bot's own log, for a run that needs explaining (errors, refused pages): set ONCALLBOT_BENCH_LOG to a file.
        if (Environment.GetEnvironmentVariable("ONCALLBOT_BENCH_LOG") is { Length: > 0 } logFile)
        {
            await File.WriteAllTextAsync(logFile, Host.Output);
        }
        await Host.DisposeAsync();
        await Slack.DisposeAsync();
        _http.Dispose();
        await Storage.DisposeAsync();
        try
        {
            _folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is not worth failing a finished run for.
        }
    }

    private static string TextOf(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("text", out var text) ? text.GetString() ?? string.Empty : body;
        }
        catch (JsonException)
        {
            return body;
        }
    }

    [GeneratedRegex(@"bench-(\d{6})", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();
}

/// <summary>A process's memory and CPU as Linux reports them.</summary>
internal sealed record ProcessFigures(double PeakResidentMb, double ResidentMb, int Threads, double CpuSeconds)
{
    public static ProcessFigures Read(int pid)
    {
        var status = File.ReadAllLines($"/proc/{pid}/status");
        double Kb(string key) => double.Parse(status.First(l => l.StartsWith(key + ":", StringComparison.Ordinal))[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        var threads = (int)Kb("Threads");
        // /proc/<pid>/stat: the command name may hold spaces, so fields are counted after its closing parenthesis.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name; Linux counts 100 ticks a second.
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return new ProcessFigures(Kb("VmHWM") / 1024, Kb("VmRSS") / 1024, threads, ticks / 100.0);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"peak RSS (VmHWM) {PeakResidentMb:N0} MB, RSS now {ResidentMb:N0} MB, {Threads} threads, {CpuSeconds:N1} s CPU");
}
