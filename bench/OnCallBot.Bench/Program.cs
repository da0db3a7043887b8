using BenchmarkDotNet.Running;
using OnCallBot.Bench;
using OnCallBot.Bench.Load;

const string Usage = """
    usage: OnCallBot.Bench <scenario> [arguments]
      resolver                     who is on call (BenchmarkDotNet)
      paging [N]                   the bot process, one page at a time: /page answer and page-to-DM latency (default 50)
    Load scenarios: the bot process against a Slack stand-in applying Slack's published rate limits.
      storm [N]                    N pages at once, channels on: page to level-1 DM, /page answer, channel work (default 20)
            [--channels on|off] [--dm warm|cold] [--dm-wait S] [--channel-wait S] [--postgres]
      rate [R] [S]                 open-loop /page at R a second for S seconds, 500 users, 100 services (default 50 10)
            [--channels on|off] [--dm warm|cold] [--postgres]
      pending [N]                  N incidents whose level-1 timeouts run out together: escalation lateness, lost,
                                   doubled, peak memory (default 10000)
            [--services P] [--timeout S] [--concurrency C] [--grace S] [--channels on|off] [--postgres]
    --postgres runs on the PostgreSQL server in ONCALLBOT_TEST_POSTGRES (bash .ci/postgres.sh start; source .ci/out/postgres.env).
    """;

try
{
    var rest = new BenchArguments(args.Skip(1));
    switch (args.FirstOrDefault())
    {
        case "resolver":
            BenchmarkRunner.Run<ResolverBenchmarks>(args: args[1..]);
            return 0;
        case "paging":
            return await PagingLatency.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50);
        case "storm":
            return await StormScenario.RunAsync(rest);
        case "rate":
            return await RateScenario.RunAsync(rest);
        case "pending":
            return await PendingScenario.RunAsync(rest);
        default:
            Console.Error.WriteLine(Usage);
            return 2;
    }
}
catch (BenchUsageException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(Usage);
    return 2;
}
