using System.Collections.Concurrent;
using Quartz;

namespace OnCallBot.Scheduling.Tests;

/// <summary>A job that reports each firing to the test that scheduled it (by the "signal" key in its data).</summary>
public sealed class SignalJob : IJob
{
    private static readonly ConcurrentDictionary<string, Signal> Signals = new();

    public static Signal Register(out string key)
    {
        key = Guid.NewGuid().ToString("N");
        return Signals[key] = new Signal();
    }

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        if (Signals.TryGetValue(context.MergedJobDataMap.GetString("signal") ?? string.Empty, out var signal))
        {
            signal.Fired(context.ScheduledFireTimeUtc, context.FireTimeUtc);
        }
        return ValueTask.CompletedTask;
    }

    public sealed class Signal
    {
        private readonly TaskCompletionSource<(DateTimeOffset? Scheduled, DateTimeOffset Fired)> _first =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public Task<(DateTimeOffset? Scheduled, DateTimeOffset Fired)> FirstFiring => _first.Task;

        public void Fired(DateTimeOffset? scheduled, DateTimeOffset fired)
        {
            Interlocked.Increment(ref _count);
            _first.TrySetResult((scheduled, fired));
        }
    }
}
