using BenchmarkDotNet.Running;
using OnCallBot.Bench;

// dotnet run -c Release --project bench/OnCallBot.Bench -- resolver     (BenchmarkDotNet: who is on call)
// dotnet run -c Release --project bench/OnCallBot.Bench -- paging [N]   (the bot process: /page answer and page-to-DM latency)
switch (args.FirstOrDefault())
{
    case "resolver":
        BenchmarkRunner.Run<ResolverBenchmarks>(args: args[1..]);
        return 0;
    case "paging":
        return await PagingLatency.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50);
    default:
        Console.Error.WriteLine("usage: OnCallBot.Bench resolver | paging [N]");
        return 2;
}
