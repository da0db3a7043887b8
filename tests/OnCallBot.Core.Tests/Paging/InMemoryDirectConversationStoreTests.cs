using OnCallBot.Core.Ports;
using OnCallBot.TestKit.Paging;

namespace OnCallBot.Core.Tests.Paging;

/// <summary>The direct conversation store contract against the in-memory reference.</summary>
public sealed class InMemoryDirectConversationStoreTests : DirectConversationStoreContractTests
{
    protected override Task<IDirectConversationStore> CreateStoreAsync() => Task.FromResult<IDirectConversationStore>(new InMemoryDirectConversationStore());
}
