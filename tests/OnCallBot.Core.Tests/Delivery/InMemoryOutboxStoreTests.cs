using OnCallBot.Core.Ports;
using OnCallBot.TestKit.Delivery;

namespace OnCallBot.Core.Tests.Delivery;

/// <summary>TestKit's in-memory outbox, the reference the SQL store is held to, against the same contract.</summary>
public sealed class InMemoryOutboxStoreTests : OutboxStoreContractTests
{
    protected override Task<IOutboxStore> CreateStoreAsync() => Task.FromResult<IOutboxStore>(new InMemoryOutboxStore());
}
