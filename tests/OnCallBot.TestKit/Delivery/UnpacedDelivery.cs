using OnCallBot.Core.Delivery;

namespace OnCallBot.TestKit.Delivery;

/// <summary>A platform without rate limits, for the outbox in tests whose platform is a recording double.</summary>
public sealed class UnpacedDelivery(string platform) : IDeliveryPacing
{
    public string Platform { get; } = platform;

    public string BucketOf(OutboxEntry entry) => entry.Kind;

    public TimeSpan WaitFor(string bucket) => TimeSpan.Zero;
}
