using BenchmarkDotNet.Attributes;
using NodaTime;
using OnCallBot.Configuration;
using OnCallBot.Core.Model;
using OnCallBot.Core.OnCall;
using OnCallBot.TestKit;

namespace OnCallBot.Bench;

/// <summary>
/// "Who is on call for checkout" with the example config (two layers, restrictions, a 12-hour rotation in
/// another zone behind a dependency): what every page, card and /who pays before anything else.
/// </summary>
[MemoryDiagnoser]
public class ResolverBenchmarks
{
    private OnCallModel _model = null!;
    private OnCallResolver _resolver = null!;
    private Service _checkout = null!;
    private Instant[] _instants = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var loaded = OnCallConfigLoader.Load(Path.Combine(SharedFixtures.RepositoryRoot, "manifests", "oncall.example.yaml"));
        _model = loaded.Model ?? throw new InvalidOperationException(loaded.FormatErrors());
        _resolver = new OnCallResolver(new InMemoryOverrides());
        _checkout = _model.FindService("checkout")!;
        var random = new Random(42);
        var start = Instant.FromUtc(2026, 1, 5, 0, 0);
        _instants = Enumerable.Range(0, 1024).Select(_ => start + Duration.FromMinutes(random.Next(0, 60 * 24 * 365))).ToArray();
    }

    [Benchmark]
    public async Task<ServiceOnCall> WhoIsOnCallForService() =>
        await _resolver.ForServiceAsync(_model, _checkout, _instants[_next++ & 1023], CancellationToken.None);

    [Benchmark]
    public async Task<ScheduleOnCall> WhoIsOnCallForSchedule() =>
        await _resolver.ForScheduleAsync(_model, _model.Schedules["payments-primary"], _instants[_next++ & 1023], CancellationToken.None);
}
