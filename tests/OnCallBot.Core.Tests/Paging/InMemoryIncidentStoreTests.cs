using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.TestKit.Paging;

namespace OnCallBot.Core.Tests.Paging;

/// <summary>The store contract against the in-memory reference, plus the refusals a database would make.</summary>
public sealed class InMemoryIncidentStoreTests : IncidentStoreContractTests
{
    protected override Task<IIncidentStore> CreateStoreAsync() => Task.FromResult<IIncidentStore>(new InMemoryIncidentStore());

    [Fact]
    public async Task SetNotificationMessageAsync_NothingClaimed_Throws()
    {
        var store = new InMemoryIncidentStore();
        await store.CreateAsync(Draft("a"), [], CancellationToken.None);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            store.SetNotificationMessageAsync(1, 0, "alice", "slack", new DeliveredMessage("slack", "D1", "1"), T0, CancellationToken.None));

        Assert.Equal("INC-1: no claimed notification of alice on slack for step 0; claim before sending.", error.Message);
    }

    [Fact]
    public async Task AppendEventsAsync_UnknownIncident_ThrowsAndWritesNothing()
    {
        var store = new InMemoryIncidentStore();
        await store.CreateAsync(Draft("a"), [], CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            store.AppendEventsAsync([Line(1, IncidentEventKind.Notified, "ok"), Line(7, IncidentEventKind.Notified, "stray")], CancellationToken.None));

        Assert.Empty(await store.GetEventsAsync(1, CancellationToken.None));
    }

    [Fact]
    public async Task TryUpdateAsync_EventOfAnotherIncident_Throws()
    {
        var store = new InMemoryIncidentStore();
        var (incident, _) = await store.CreateAsync(Draft("a"), [], CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            store.TryUpdateAsync(incident with { Version = 2 }, [Line(2, IncidentEventKind.Resolved, "wrong incident")], CancellationToken.None));

        Assert.Equal(incident, await store.GetAsync(1, CancellationToken.None));
    }
}
