using System.Globalization;
using OnCallBot.Bench.Load;

namespace OnCallBot.Bench;

/// <summary>
/// <c>pending N</c>: N incidents opened by real signed <c>/page</c> requests, as fast as the bot takes them, spread
/// over P services (each with a level-1 and a level-2 person of its own) whose level-1 timeout is long enough that
/// the N escalations all come due in one window after the paging is over. Measures how late each level-2 DM reaches
/// Slack against its due time (level-1 DM at Slack plus the timeout), how many never came or came twice, and the bot's
/// peak resident memory.
/// </summary>
internal static class PendingScenario
{
    private static readonly TimeSpan Level2Timeout = TimeSpan.FromHours(1);

    // Clock reads on both sides of loopback differ by a little; less than this before the due time is not "early".
    private static readonly TimeSpan EarlyTolerance = TimeSpan.FromMilliseconds(50);

    public static async Task<int> RunAsync(BenchArguments args)
    {
        var pages = args.Positional(0, "N", 10_000);
        var services = Math.Min(pages, args.Number("services", 1000));
        // Long enough that the paging is over before the first escalation is due: then all N are pending at once.
        var timeout = args.Seconds("timeout", TimeSpan.FromSeconds(240));
        var concurrency = args.Number("concurrency", 32);
        var grace = args.Seconds("grace", TimeSpan.FromSeconds(120));
        var channels = args.Choice("channels", "on", "on", "off") == "on";
        var postgres = args.Flag("postgres");
        args.EnsureAllUnderstood(1);

        // One service more: the last is paged once before the measured pages, so JIT is not in the figures.
        var onCall = BenchOnCall.DistinctPeople(services + 1, timeout, Level2Timeout);
        var loadAtStart = BenchReport.LoadAverage();
        await using var bot = await BenchBot.StartAsync(new BenchBotOptions(onCall) { OpenChannels = channels, Postgres = postgres });
        var reporters = onCall.Reporters;
        await bot.WarmUpAsync(onCall.Services[services], reporters[0]);

        // Paging: a closed loop of `concurrency` requests in flight, so the bot takes them as fast as it can.
        var start = bot.Clock.GetUtcNow();
        var watch = new SlackCallWatch(bot.Slack, start);
        var answers = new PageAnswer[pages];
        var next = -1;
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < pages; i = Interlocked.Increment(ref next))
            {
                answers[i] = await bot.PageAsync(i, ServiceOf(onCall, services, i).Id, "Pending page", reporters[i % reporters.Count]);
            }
        })).ToList();
        await Task.WhenAll(workers);
        var pagingEnded = bot.Clock.GetUtcNow();

        // Waiting: until every level-2 DM has come, or the last one due (if all level-1 DMs went out now) is `grace` late.
        var level1 = new DirectMessage?[pages];
        var level2 = new IReadOnlyList<DirectMessage>[pages];
        var deadline = pagingEnded + timeout + grace;
        var quietSince = (DateTimeOffset?)null;
        while (true)
        {
            watch.Poll();
            var now = bot.Clock.GetUtcNow();
            var missing = 0;
            for (var i = 0; i < pages; i++)
            {
                var service = ServiceOf(onCall, services, i);
                level1[i] ??= watch.DmsFor(i, service.Level1SlackId) is [var first, ..] ? first : null;
                level2[i] = watch.DmsFor(i, service.Level2SlackId!);
                missing += level2[i].Count == 0 ? 1 : 0;
            }
            if (level1.Where(d => d is not null).MaxBy(d => d!.At) is { } latest && latest.At + timeout + grace > deadline)
            {
                deadline = latest.At + timeout + grace;
            }
            // Once all have come, 15 s more: a second DM for the same step would show in that time.
            quietSince = missing == 0 ? quietSince ?? now : null;
            if ((quietSince is { } since && now - since > TimeSpan.FromSeconds(15)) || now > deadline)
            {
                break;
            }
            await Task.Delay(500);
        }
        var process = bot.ReadProcess();

        var pagedLater = await bot.WaitForLateOutcomesAsync(answers, TimeSpan.FromMinutes(1));
        var accepted = Enumerable.Range(0, pages).Where(i => answers[i].Paged || (answers[i].Deferred && pagedLater.Contains(i))).ToList();
        var lateness = new List<double>();
        var dueTimes = new List<DateTimeOffset>();
        var withoutLevel1 = 0;
        foreach (var i in accepted)
        {
            // The promise: the next level is paged the timeout after the level-1 page reached Slack.
            var due = (level1[i]?.At ?? answers[i].SentAt) + timeout;
            withoutLevel1 += level1[i] is null ? 1 : 0;
            dueTimes.Add(due);
            if (level2[i].Count > 0)
            {
                lateness.Add((level2[i][0].At - due).TotalMilliseconds);
            }
        }
        var lost = accepted.Count(i => level2[i].Count == 0);
        var doubled = accepted.Count(i => level2[i].Count > 1);
        var level1Doubled = accepted.Count(i => watch.DmsFor(i, ServiceOf(onCall, services, i).Level1SlackId).Count > 1);

        var limits = bot.Slack.RateLimits!;
        var perPerson = (double)pages / services;
        var window = dueTimes.Count > 0 ? (dueTimes.Max() - dueTimes.Min()).TotalSeconds : 0;
        var pagingSeconds = (pagingEnded - start).TotalSeconds;
        // Incidents waiting for their escalation at once: from the /page answer until the level-2 DM (or the end of the wait).
        var peakPending = accepted
            .SelectMany(i => new[] { (At: answers[i].AnsweredAt, Step: 1), (At: level2[i].Count > 0 ? level2[i][0].At : deadline, Step: -1) })
            .OrderBy(e => e.At).ThenBy(e => e.Step)
            .Aggregate((Now: 0, Peak: 0), (acc, e) => (acc.Now + e.Step, Math.Max(acc.Peak, acc.Now + e.Step))).Peak;
        string Spacing(double seconds) => perPerson <= 1
            ? $"chat.postMessage {limits.PostMessagePerChannel} per DM channel, one DM per person: does not bind"
            : $"chat.postMessage {limits.PostMessagePerChannel} per DM channel: {perPerson:0.#} DMs per person, about {BenchReport.Seconds(seconds / perPerson)} apart";
        var report = new BenchReport(string.Create(CultureInfo.InvariantCulture, $"pending {pages}"));
        report.Note($"{pages:N0} incidents opened by signed /page ({concurrency} in flight), over {services:N0} services with a level-1 and a level-2 person each " +
            $"({perPerson:0.#} page(s) per person); level-1 timeout {timeout.TotalSeconds:0} s, meant to outlast the paging so that all are pending at once; " +
            $"channels {(channels ? "on" : "off")}; DM channels warm; {bot.Storage.Description}.");
        report.Note($"Paging took {BenchReport.Seconds(pagingSeconds)} ({pages / Math.Max(0.001, pagingSeconds):N0}/s); " +
            $"the {dueTimes.Count:N0} escalations came due over {BenchReport.Seconds(window)}; at most {peakPending:N0} incidents were waiting for their escalation at once.");
        report.Note($"Machine: {Environment.ProcessorCount} cores, load average {loadAtStart} before the run, {BenchReport.LoadAverage()} after.");
        report.Latency("/page answered (while paging)", Distribution.Of(answers.Where(a => a.Error is null).Select(a => a.Milliseconds)),
            "Slack's 3 s deadline", BenchReport.Outcomes(answers, pagedLater));
        report.Latency("page sent → level-1 DM at Slack", Distribution.Of(accepted.Where(i => level1[i] is not null).Select(i => (level1[i]!.At - answers[i].SentAt).TotalMilliseconds)),
            Spacing(pagingSeconds),
            withoutLevel1 > 0 ? $"; **{withoutLevel1:N0} level-1 DMs never came**" : null);
        var early = lateness.Count(l => l < -EarlyTolerance.TotalMilliseconds);
        report.Latency("escalation lateness (level-2 DM at Slack − level-1 DM at Slack − timeout)", Distribution.Of(lateness),
            Spacing(window) + "; no workspace-wide message limit applied. Paging:MaxDeliveryDelay (30 s) lets the bot escalate up to that much " +
            "before this due time when the level-1 DM left more than 30 s after its step began",
            lateness.Count > 0 ? $"; min {BenchReport.Ms(lateness.Min())} ms; **{early:N0} early** (level 2 paged more than {EarlyTolerance.TotalMilliseconds:0} ms before level 1 had the full timeout)" : null);
        report.Row("lost (no level-2 DM)", $"{lost:N0} of {accepted.Count:N0}" + (lost > 0 ? $" (waited until {BenchReport.Seconds((deadline - start).TotalSeconds)} after paging began)" : ""), "none may be");
        report.Row("doubled (two or more level-2 DMs for one incident)", $"{doubled:N0}; level-1 doubled: {level1Doubled:N0}", "none may be");
        report.Row("calls carried out by the stand-in", watch.Describe(), "429: refused by the stand-in's limits");
        report.Row("bot process", process.ToString(), "goal: peak RSS ≤ 400 MB");
        report.OtherAnswers(answers);
        report.Print(Console.Out);
        return 0;
    }

    private static BenchService ServiceOf(BenchOnCall onCall, int services, int page) => onCall.Services[page % services];
}
