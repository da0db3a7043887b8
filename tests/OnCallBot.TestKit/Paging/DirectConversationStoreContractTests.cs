using OnCallBot.Core.Ports;

namespace OnCallBot.TestKit.Paging;

/// <summary>What every <see cref="IDirectConversationStore"/> must do: derive per store and return a new, empty one.</summary>
public abstract class DirectConversationStoreContractTests
{
    protected abstract Task<IDirectConversationStore> CreateStoreAsync();

    [Fact]
    public async Task FindAsync_NeverRemembered_IsNull()
    {
        var store = await CreateStoreAsync();

        Assert.Null(await store.FindAsync("slack", "U0ALICE", CancellationToken.None));
    }

    [Fact]
    public async Task RememberAsync_ThenAgain_KeepsTheLatestPerPlatformAndPerson()
    {
        var store = await CreateStoreAsync();

        await store.RememberAsync("slack", "U0ALICE", "D0OLD", CancellationToken.None);
        await store.RememberAsync("slack", "U0ALICE", "D0NEW", CancellationToken.None);
        await store.RememberAsync("slack", "U0BOB", "D0BOB", CancellationToken.None);
        await store.RememberAsync("teams", "U0ALICE", "a:teams-conversation", CancellationToken.None);

        Assert.Equal("D0NEW", await store.FindAsync("slack", "U0ALICE", CancellationToken.None));
        Assert.Equal("D0BOB", await store.FindAsync("slack", "U0BOB", CancellationToken.None));
        Assert.Equal("a:teams-conversation", await store.FindAsync("teams", "U0ALICE", CancellationToken.None));
    }

    [Fact]
    public async Task ForgetAsync_OnlyTheConversationNamed_IsForgotten()
    {
        var store = await CreateStoreAsync();
        await store.RememberAsync("slack", "U0ALICE", "D0FRESH", CancellationToken.None);
        await store.RememberAsync("slack", "U0BOB", "D0BOB", CancellationToken.None);

        // A send that found an older channel gone must not drop the fresh one another send just remembered.
        await store.ForgetAsync("slack", "U0ALICE", "D0STALE", CancellationToken.None);
        Assert.Equal("D0FRESH", await store.FindAsync("slack", "U0ALICE", CancellationToken.None));

        await store.ForgetAsync("slack", "U0ALICE", "D0FRESH", CancellationToken.None);
        Assert.Null(await store.FindAsync("slack", "U0ALICE", CancellationToken.None));
        Assert.Equal("D0BOB", await store.FindAsync("slack", "U0BOB", CancellationToken.None));
    }

    [Theory]
    [InlineData("", "U0ALICE", "D1")]
    [InlineData("slack", " ", "D1")]
    [InlineData("slack", "U0ALICE", "")]
    public async Task RememberAsync_BlankPart_ThrowsAndRemembersNothing(string platform, string userId, string conversationId)
    {
        var store = await CreateStoreAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.RememberAsync(platform, userId, conversationId, CancellationToken.None));

        Assert.Null(await store.FindAsync("slack", "U0ALICE", CancellationToken.None));
    }
}
