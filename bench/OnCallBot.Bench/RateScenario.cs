using System.Diagnostics;
using System.Globalization;
using OnCallBot.Bench.Load;

namespace OnCallBot.Bench;

/// <summary>
/// <c>rate R S</c>: signed <c>/page</c> at a fixed R a second for S seconds, open loop (each request leaves at its
/// scheduled time whether or not earlier ones were answered, and its latency counts from that time), 500 people in
/// 100 teams with weekly rotations, one service per team, paged by 20 reporters at random. Measures how /page is
/// answered against Slack's 3 s deadline, and /healthz beside it.
/// </summary>
internal static class RateScenario
{
    private const int Users = 500;
    private const int TeamSize = 5;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan HealthEvery = TimeSpan.FromMilliseconds(200);

    public static async Task<int> RunAsync(BenchArguments args)
    {
        var rate = args.Positional(0, "R", 50);
        var seconds = args.Positional(1, "S", 10);
        var channels = args.Choice("channels", "on", "on", "off") == "on";
        var warm = args.Choice("dm", "warm", "warm", "cold") == "warm";
        var postgres = args.Flag("postgres");
        args.EnsureAllUnderstood(2);

        var onCall = BenchOnCall.Rotations(Users, TeamSize, Timeout);
        var loadAtStart = BenchReport.LoadAverage();
        await using var bot = await BenchBot.StartAsync(new BenchBotOptions(onCall) { OpenChannels = channels, WarmDirectChannels = warm, Postgres = postgres });
        var reporters = onCall.Reporters;
        await bot.WarmUpAsync(onCall.Services[0], reporters[0]);

        var random = new Random(15);
        var total = rate * seconds;
        var plan = Enumerable.Range(0, total).Select(_ => (Service: onCall.Services[random.Next(onCall.Services.Count)].Id, Reporter: reporters[random.Next(reporters.Count)])).ToList();
        var sends = new List<Task<PageAnswer>>(total);
        var lag = new List<double>(total);
        using var stop = new CancellationTokenSource();
        var health = ProbeHealthAsync(bot, stop.Token);

        var start = bot.Clock.GetUtcNow();
        var clock = Stopwatch.StartNew();
        var interval = TimeSpan.FromSeconds(1.0 / rate);
        for (var i = 0; i < total;)
        {
            // Everything due by now leaves now: a late tick sends its backlog at once, as an open-loop client must.
            var due = interval * i;
            if (clock.Elapsed >= due)
            {
                lag.Add((clock.Elapsed - due).TotalMilliseconds);
                var index = i;
                sends.Add(Task.Run(() => bot.PageAsync(index, plan[index].Service, "Rate page", plan[index].Reporter, start + due)));
                i++;
                continue;
            }
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(2))
            {
                await Task.Delay(wait - TimeSpan.FromMilliseconds(1));
            }
            else
            {
                Thread.SpinWait(100);
            }
        }
        var sendingTook = clock.Elapsed;
        var answers = await Task.WhenAll(sends);
        await stop.CancelAsync();
        var healthLatencies = await health;
        var process = bot.ReadProcess();
        var pagedLater = await bot.WaitForLateOutcomesAsync(answers, TimeSpan.FromMinutes(1));
        var watch = new SlackCallWatch(bot.Slack, start);
        watch.Poll();

        var report = new BenchReport(string.Create(CultureInfo.InvariantCulture, $"rate {rate} {seconds}"));
        report.Note($"Open loop: {total:N0} signed /page at {rate}/s for {seconds} s (sent over {sendingTook.TotalSeconds:0.0} s; the load generator was at most " +
            $"{BenchReport.Ms(lag.Max())} ms behind schedule, p99 {BenchReport.Ms(Distribution.Of(lag)!.P99)} ms); latency counts from each request's scheduled time.");
        report.Note($"{Users} people in {Users / TeamSize} teams with weekly rotations, one service each, paged by {reporters.Count} reporters at random; channels {(channels ? "on" : "off")}; " +
            $"DM channels {(warm ? "warm" : "cold")}; {bot.Storage.Description}.");
        report.Note($"Machine: {Environment.ProcessorCount} cores, load average {loadAtStart} before the run, {BenchReport.LoadAverage()} after.");
        var answered = answers.Where(a => a.Error is null).ToList();
        var over = answered.Count(a => a.Milliseconds > 3000);
        report.Latency("/page answered", Distribution.Of(answered.Select(a => a.Milliseconds)), "Slack's 3 s deadline (the bot answers \"working on it\" when its own 2 s deadline passes)",
            $"; **{over:N0} over 3 s**" + BenchReport.Outcomes(answers, pagedLater));
        report.Latency("/healthz answered (every 200 ms)", Distribution.Of(healthLatencies), "nothing but the bot: it answers from cached results");
        report.Row("Slack calls carried out during the run", watch.Describe(), "429: refused by the stand-in's limits");
        report.Row("bot process", process.ToString());
        report.OtherAnswers(answers);
        report.Print(Console.Out);
        return 0;
    }

    private static async Task<List<double>> ProbeHealthAsync(BenchBot bot, CancellationToken stop)
    {
        var latencies = new List<double>();
        using var http = new HttpClient { BaseAddress = bot.Host.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        while (!stop.IsCancellationRequested)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                using var response = await http.GetAsync("healthz", CancellationToken.None);
                latencies.Add(clock.Elapsed.TotalMilliseconds);
            }
            catch (HttpRequestException)
            {
                latencies.Add(clock.Elapsed.TotalMilliseconds);
            }
            try
            {
                await Task.Delay(HealthEvery, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return latencies;
    }
}
