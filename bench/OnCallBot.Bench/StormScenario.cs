using System.Globalization;
using OnCallBot.Bench.Load;

namespace OnCallBot.Bench;

/// <summary>
/// <c>storm N</c>: N signed <c>/page</c> commands sent at the same instant, one per service, each service with a
/// level-1 person of its own, incident channels on (the default), against a Slack stand-in applying Slack's published
/// rate limits. Long timeouts, so nothing escalates: what is measured is how fast the first DMs go out while N
/// channels are being opened behind them, how fast /page is answered, and when the channel work is done.
/// </summary>
internal static class StormScenario
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(30);

    public static async Task<int> RunAsync(BenchArguments args)
    {
        var pages = args.Positional(0, "N", 20);
        var channels = args.Choice("channels", "on", "on", "off") == "on";
        var warm = args.Choice("dm", "warm", "warm", "cold") == "warm";
        var dmWait = args.Seconds("dm-wait", TimeSpan.FromMinutes(5));
        var channelWait = args.Seconds("channel-wait", TimeSpan.FromMinutes(2));
        var postgres = args.Flag("postgres");
        args.EnsureAllUnderstood(1);

        // One service more than pages: the last one is paged once before the storm, so the figures are not the JIT's.
        var onCall = BenchOnCall.DistinctPeople(pages + 1, Timeout, Timeout);
        var loadAtStart = BenchReport.LoadAverage();
        await using var bot = await BenchBot.StartAsync(new BenchBotOptions(onCall) { OpenChannels = channels, WarmDirectChannels = warm, Postgres = postgres });
        var reporters = onCall.Reporters;
        await bot.WarmUpAsync(onCall.Services[pages], reporters[0]);
        if (channels)
        {
            await bot.Slack.WaitForCallAsync(c => c.Method == "pins.add" && !c.RateLimited, TimeSpan.FromMinutes(1));
        }
        // Every bucket full again before the storm, the stand-in's and the bot's own: Tier 2 refills 5 calls in 15 s.
        await Task.Delay(TimeSpan.FromSeconds(16));

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sends = Enumerable.Range(0, pages).Select(async i =>
        {
            await gate.Task;
            return await bot.PageAsync(i, onCall.Services[i].Id, "Storm page", reporters[i % reporters.Count]);
        }).ToList();
        var start = bot.Clock.GetUtcNow();
        var watch = new SlackCallWatch(bot.Slack, start);
        gate.SetResult();
        var answers = await Task.WhenAll(sends);

        // Every level-1 DM, then (channels on) every channel's work, each for as long as the run may take.
        DirectMessage?[] firstDms = new DirectMessage?[pages];
        while (true)
        {
            watch.Poll();
            for (var i = 0; i < pages; i++)
            {
                firstDms[i] ??= watch.DmsFor(i, onCall.Services[i].Level1SlackId) is [var first, ..] ? first : null;
            }
            if (firstDms.All(d => d is not null) || bot.Clock.GetUtcNow() - start > dmWait)
            {
                break;
            }
            await Task.Delay(250);
        }
        var channelsDone = !channels;
        while (channels)
        {
            watch.Poll();
            channelsDone = ChannelWorkDone(watch, pages);
            if (channelsDone || bot.Clock.GetUtcNow() - start > channelWait)
            {
                break;
            }
            await Task.Delay(500);
        }
        var process = bot.ReadProcess();
        var pagedLater = await bot.WaitForLateOutcomesAsync(answers, TimeSpan.FromMinutes(1));

        var limits = bot.Slack.RateLimits!;
        var report = new BenchReport(string.Create(CultureInfo.InvariantCulture, $"storm {pages}"));
        report.Note($"{pages} signed /page at once, one service each with its own level-1 person; channels {(channels ? "on" : "off")}; DM channels " +
            (warm ? "warm (each person's DM channel already in the store, as after a first page)" : "cold (none in the store: every DM starts with conversations.open)") +
            $"; {bot.Storage.Description}; level timeouts {Timeout.TotalMinutes:0} min (no escalation).");
        report.Note($"Slack stand-in: Tier 1 {limits.Tier1}, Tier 2 {limits.Tier2}, Tier 3 {limits.Tier3}, Tier 4 {limits.Tier4}, chat.postMessage {limits.PostMessagePerChannel} per channel" +
            (limits.PostMessagePerWorkspace is { } ws ? $", {ws} per workspace" : ", no workspace-wide message limit (unpublished)") + ".");
        report.Note($"Machine: {Environment.ProcessorCount} cores, load average {loadAtStart} before the run, {BenchReport.LoadAverage()} after.");

        var answered = answers.Where(a => a.Error is null).ToList();
        report.Latency("/page answered", Distribution.Of(answered.Select(a => a.Milliseconds)),
            "Slack's 3 s deadline; the bot answers \"working on it\" when its own 2 s deadline passes",
            BenchReport.Outcomes(answers, pagedLater));
        var delivered = Enumerable.Range(0, pages).Where(i => firstDms[i] is not null).ToList();
        var dmBound = warm
            ? "one DM per channel, so chat.postMessage's 1/s per channel does not bind; no conversations.open needed (warm)"
            : $"conversations.open Tier 3: {pages} opens take at least {BenchReport.Seconds(limits.Tier3.FloorSeconds(pages))}";
        report.Latency("page sent → level-1 DM at Slack", Distribution.Of(delivered.Select(i => (firstDms[i]!.At - answers[i].SentAt).TotalMilliseconds)), dmBound,
            delivered.Count < pages ? $"; **{pages - delivered.Count} of {pages} not delivered within {dmWait.TotalSeconds:0} s**" : null);
        report.Latency("page answered → level-1 DM at Slack", Distribution.Of(delivered.Select(i => (firstDms[i]!.At - answers[i].AnsweredAt).TotalMilliseconds)),
            "as above (negative: the DM left before the answer)");
        report.Row("conversations.open", Count(watch, "conversations.open"), $"Tier 3 ({limits.Tier3})");
        report.Row("conversations.create", Count(watch, "conversations.create"), $"Tier 2 ({limits.Tier2})");
        if (channels)
        {
            var tier2Floor = limits.Tier2.FloorSeconds(pages);
            var last = watch.LastChannelOperation is { } at ? (at - start).TotalSeconds : double.NaN;
            report.Row("last channel operation finished",
                channelsDone
                    ? $"{BenchReport.Seconds(last)} after the storm began"
                    : $"**not finished within {channelWait.TotalSeconds:0} s** ({watch.AcceptedCount("conversations.create")} of {pages} channels created; last operation at {BenchReport.Seconds(last)})",
                $"Tier 2 per method (create, setTopic, pins.add; {limits.Tier2}): {pages} of each take at least {BenchReport.Seconds(tier2Floor)}");
        }
        report.Row("calls carried out by the stand-in", watch.Describe(), "429: refused by the stand-in's limits");
        report.Row("bot process", process.ToString());
        report.OtherAnswers(answers);
        report.Print(Console.Out);
        return 0;
    }

    /// <summary>
    /// Every channel opened has its topic and its pinned card: the last Tier 2 steps of opening one (create, invite,
    /// topic, card, pin). Counted, since the stand-in does not tell its channel ids apart from others.
    /// </summary>
    private static bool ChannelWorkDone(SlackCallWatch watch, int pages) =>
        watch.AcceptedCount("conversations.create") >= pages
        && watch.AcceptedCount("conversations.setTopic") >= pages
        && watch.AcceptedCount("pins.add") >= pages;

    private static string Count(SlackCallWatch watch, string method) =>
        $"{watch.AcceptedCount(method):N0} calls" + (watch.Refused.GetValueOrDefault(method) is var r and > 0 ? $" (+{r:N0} answered 429)" : "");
}
