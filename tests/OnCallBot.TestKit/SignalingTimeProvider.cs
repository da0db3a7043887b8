using System.Threading.Channels;

namespace OnCallBot.TestKit;

/// <summary>A FakeTimeProvider that also reports each one-shot timer created on it (e.g. a Task.Delay), so a test knows a wait began.</summary>
public sealed class SignalingTimeProvider(FakeTimeProvider inner) : TimeProvider
{
    public FakeTimeProvider Inner { get; } = inner;

    public Channel<TimeSpan> OneShotTimers { get; } = Channel.CreateUnbounded<TimeSpan>();

    public override DateTimeOffset GetUtcNow() => Inner.GetUtcNow();

    public override TimeZoneInfo LocalTimeZone => Inner.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Inner.CreateTimer(callback, state, dueTime, period);
        if (period == Timeout.InfiniteTimeSpan && dueTime != Timeout.InfiniteTimeSpan)
        {
            OneShotTimers.Writer.TryWrite(dueTime);
        }
        return timer;
    }

    public async Task<TimeSpan> NextTimerAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await OneShotTimers.Reader.ReadAsync(cts.Token);
    }
}
