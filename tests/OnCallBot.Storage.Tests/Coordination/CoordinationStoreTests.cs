using NodaTime;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Paging;
using OnCallBot.Storage.Coordination;
using OnCallBot.Storage.Incidents;
using OnCallBot.Storage.Tests.Infrastructure;

namespace OnCallBot.Storage.Tests.Coordination;

/// <summary>
/// The SQL room store on a real SQLite file and a real PostgreSQL schema, held to the port and to TestKit's
/// InMemoryCoordinationStore: one room per incident, optimistic versions, lists replaced on update, events on the
/// incident's own timeline, and nothing written by a refused or failed write.
/// </summary>
public sealed class CoordinationStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    // Sub-microsecond on purpose: the store keeps microseconds.
    private static readonly Instant PagedAt = Instant.FromUtc(2026, 3, 29, 1, 59, 58) + Duration.FromTicks(1_234_567);
    private static readonly Actor Olivia = new("slack", "UOLIVIA", "Olivia", "olivia");
    private static readonly Actor Alice = new("teams", "29:alice", "Alice", "alice");
    private static readonly Actor Stranger = new("slack", "USTRANGER", "Someone ☃ 'quoted'", null);

    // Shared instances, so rooms compared without their lists (which records compare by reference) are equal.
    private static readonly IReadOnlyList<IncidentChannel> NoChannels = [];
    private static readonly IReadOnlyList<Actor> NoResponders = [];
    private static readonly IReadOnlyList<long> NoLinks = [];

    private static Instant Micro(Instant instant) => Instant.FromUnixTimeTicks(instant.ToUnixTimeTicks() / 10 * 10);

    private static Incident NewIncident() =>
        new(0, "Checkout returns 500s", "checkout", null, IncidentStatus.Triggered, PagedAt, Olivia,
            null, null, null, null, EscalationState.Start(PagedAt), Guid.NewGuid().ToString(), Version: 1);

    private static IncidentRoom NewRoom(long number) =>
        new(number, 3, IncidentPhase.Investigating, null, null, null, NoChannels, [Olivia], NoLinks, null, null, null,
            Micro(PagedAt + Duration.FromHours(4)), Version: 1);

    private static IncidentEvent Event(long number, IncidentEventKind kind, string text, int seconds = 0) =>
        new(number, PagedAt + Duration.FromSeconds(seconds), kind, "OnCallBot", text, ["alice"]);

    private static (long, Instant, IncidentEventKind, string, string, string) Shape(IncidentEvent e) =>
        (e.IncidentNumber, e.At, e.Kind, e.ActorName, e.Text, string.Join("|", e.UserIds));

    private static void AssertSameRoom(IncidentRoom expected, IncidentRoom? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(
            expected with { Channels = NoChannels, Responders = NoResponders, LinkedIncidents = NoLinks },
            actual with { Channels = NoChannels, Responders = NoResponders, LinkedIncidents = NoLinks });
        Assert.Equal(expected.Channels, actual.Channels);
        Assert.Equal(expected.Responders, actual.Responders);
        Assert.Equal(expected.LinkedIncidents, actual.LinkedIncidents);
    }

    private sealed class Fixture : IAsyncDisposable
    {
        private Fixture(MigratedStore store)
        {
            Store = store;
            Incidents = new SqlIncidentStore(store.Factory);
            Rooms = new SqlCoordinationStore(store.Factory);
        }

        public MigratedStore Store { get; }

        public SqlIncidentStore Incidents { get; }

        public SqlCoordinationStore Rooms { get; }

        public static async Task<Fixture> CreateAsync(StorageProvider provider) => new(await MigratedStore.CreateAsync(provider));

        public async Task<long> NewIncidentAsync() =>
            (await Incidents.CreateAsync(NewIncident(), [new IncidentEvent(0, PagedAt, IncidentEventKind.Created, "Olivia", "Olivia paged Checkout", [])], None))
            .Incident.Number;

        public Task<long> CountAsync(string table) => Store.Database.CountAsync($"SELECT COUNT(*) FROM {table}");

        public ValueTask DisposeAsync() => Store.DisposeAsync();
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task TryCreateAsync_EveryFieldSet_GetAsyncReturnsTheSameRoom(StorageProvider provider)
    {
        await using var f = await Fixture.CreateAsync(provider);
        var number = await f.NewIncidentAsync();
        var child = await f.NewIncidentAsync();
        var full = new IncidentRoom(
            number, 1, IncidentPhase.Monitoring,
            new RoleHolder(Olivia, PagedAt + Duration.FromMinutes(1)),
            new RoleHolder(Stranger, PagedAt + Duration.FromMinutes(2)),
            new RoleHolder(Alice, PagedAt + Duration.FromMinutes(3)),
            [new IncidentChannel("teams", "19:abc@thread.tacv2", "inc-1-checkout", null), new IncidentChannel("slack", "C0001", "inc-1-checkout", "1712.0001")],
            [Olivia, Alice, Stranger],
            [child],
            PagedAt + Duration.FromMinutes(4), PagedAt + Duration.FromMinutes(5), PagedAt + Duration.FromMinutes(6), PagedAt + Duration.FromMinutes(36),
            Version: 7);

        var created = await f.Rooms.TryCreateAsync(full, [], None);
        var read = await f.Rooms.GetAsync(number, None);

        Assert.True(created);
        AssertSameRoom(full with
        {
            Commander = full.Commander! with { Since = Micro(full.Commander.Since) },
            Scribe = full.Scribe! with { Since = Micro(full.Scribe.Since) },
            Comms = full.Comms! with { Since = Micro(full.Comms.Since) },
            ImpactStartedAt = Micro(full.ImpactStartedAt!.Value),
            ImpactEndedAt = Micro(full.ImpactEndedAt!.Value),
            LastStatusUpdateAt = Micro(full.LastStatusUpdateAt!.Value),
            NextStatusUpdateDueAt = Micro(full.NextStatusUpdateDueAt!.Value),
        }, read);
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task TryCreateAsync_OptionalFieldsEmpty_GetAsyncReturnsThemEmptyAndOtherIncidentsHaveNoRoom(StorageProvider provider)
    {
        await using var f = await Fixture.CreateAsync(provider);
        var number = await f.NewIncidentAsync();
        var bare = NewRoom(number) with { Responders = NoResponders, NextStatusUpdateDueAt = null, Severity = 4 };

        Assert.True(await f.Rooms.TryCreateAsync(bare, [], None));

        AssertSameRoom(bare, await f.Rooms.GetAsync(number, None));
        Assert.Null(await f.Rooms.GetAsync(number + 1, None));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task TryCreateAsync_RoomExists_ReturnsFalseAndWritesNothing(StorageProvider provider)
    {
        await using var f = await Fixture.CreateAsync(provider);
        var number = await f.NewIncidentAsync();
        var first = NewRoom(number);
        Assert.True(await f.Rooms.TryCreateAsync(first, [Event(number, IncidentEventKind.ResponderAdded, "first")], None));

        var second = NewRoom(number) with
        {
            Severity = 1,
            Channels = [new IncidentChannel("slack", "C0009", "inc-9", null)],
            Responders = [Alice],
        };
        var created = await f.Rooms.TryCreateAsync(second, [Event(number, IncidentEventKind.Note, "second")], None);

        Assert.False(created);
        AssertSameRoom(first, await f.Rooms.GetAsync(number, None));
        Assert.Null(await f.Rooms.FindByChannelAsync("slack", "C0009", None));
        Assert.DoesNotContain(await f.Incidents.GetEventsAsync(number, None), e => e.Text == "second");
        Assert.Equal(0, await f.CountAsync("incident_channels"));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task TryCreateAsync_NoSuchIncident_ThrowsNamingItAndWritesNothing(StorageProvider provider)
    {
        await using var f = await Fixture.CreateAsync(provider);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => f.Rooms.TryCreateAsync(NewRoom(41), [], None));

        Assert.Contains("INC-41 does not exist", error.Message);
        Assert.Equal(0, await f.CountAsync("incident_rooms"));
        Assert.Equal(0, await f.CountAsync("incident_responders"));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task TryUpdateAsync_NextVersion_SavesTheRoomReplacesItsListsAndAppendsTheEvents(StorageProvider provider)
    {
        await using var f = await Fixture.CreateAsync(provider);
        var number = await f.NewIncidentAsync();
        var child = await f.NewIncidentAsync();
        var otherChild = await f.NewIncidentAsync();
        var room = NewRoom(number) with
        {
            Channels = [new IncidentChannel("slack", "C0001", "inc-1", null), new IncidentChannel("teams", "19:x", "inc-1", null)],
            Responders = [Olivia, Stranger],
            LinkedIncidents = [child],
        };
        await f.Rooms.TryCreateAsync(room, [], None);

        var updated = room with
        {
            Severity = 2,
            Phase = IncidentPhase.Identified,
            Commander = new RoleHolder(Alice, Micro(PagedAt)),
            Channels = [new IncidentChannel("slack", "C0001", "inc-1", "1712.0001")],
            Responders = [Alice, Olivia],
            LinkedIncidents = [otherChild, child],
            LastStatusUpdateAt = Micro(PagedAt),
            NextStatusUpdateDueAt = null,
            Version = 2,
        };
        var saved = await f.Rooms.TryUpdateAsync(updated,
            [Event(number, IncidentEventKind.SeverityChanged, "Severity: SEV3 → SEV2", 1), Event(number, IncidentEventKind.RoleAssigned, "Alice is now commander", 2)], None);

        Assert.True(saved);
        AssertSameRoom(updated, await f.Rooms.GetAsync(number, None));
        Assert.Null(await f.Rooms.FindByChannelAsync("teams", "19:x", None));
        Assert.Equal(
            ["Olivia paged Checkout", "Severity: SEV3 → SEV2", "Alice is now commander"],
            (await f.Incidents.GetEventsAsync(number, None)).Select(e => e.Text));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task TryUpdateAsync_StaleVersion_ReturnsFalseAndWritesNothing(StorageProvider provider)
    {
        await using var f = await Fixture.CreateAsync(provider);
        var number = await f.NewIncidentAsync();
        var room = NewRoom(number);
        await f.Rooms.TryCreateAsync(room, [], None);
        var winner = room with { Severity = 2, Version = 2 };
        Assert.True(await f.Rooms.TryUpdateAsync(winner, [Event(number, IncidentEventKind.SeverityChanged, "winner")], None));

        // Someone else's change, made from the version both read.
        var loser = room with { Severity = 1, Channels = [new IncidentChannel("slack", "C0001", "inc-1", null)], Responders = [Alice], Version = 2 };
        var saved = await f.Rooms.TryUpdateAsync(loser, [Event(number, IncidentEventKind.SeverityChanged, "loser")], None);
        var skipped = await f.Rooms.TryUpdateAsync(room with { Version = 4 }, [Event(number, IncidentEventKind.Note, "skipped a version")], None);

        Assert.False(saved);
        Assert.False(skipped);
        AssertSameRoom(winner, await f.Rooms.GetAsync(number, None));
        Assert.Null(await f.Rooms.FindByChannelAsync("slack", "C0001", None));
        Assert.Equal(["Olivia paged Checkout", "winner"], (await f.Incidents.GetEventsAsync(number, None)).Select(e => e.Text));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task TryUpdateAsync_NoRoomYet_ReturnsFalseAndWritesNothing(StorageProvider provider)
    {
        await using var f = await Fixture.CreateAsync(provider);
        var number = await f.NewIncidentAsync();

        var saved = await f.Rooms.TryUpdateAsync(NewRoom(number) with { Version = 2 }, [Event(number, IncidentEventKind.Note, "nowhere")], None);

        Assert.False(saved);
        Assert.Null(await f.Rooms.GetAsync(number, None));
        Assert.Single(await f.Incidents.GetEventsAsync(number, None));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task FindByChannelAsync_ChannelOfARoom_ReturnsThatRoomOnlyForItsPlatform(StorageProvider provider)
    {
        await using var f = await Fixture.CreateAsync(provider);
        var first = await f.NewIncidentAsync();
        var second = await f.NewIncidentAsync();
        var firstRoom = NewRoom(first) with { Channels = [new IncidentChannel("slack", "C0001", "inc-1", null)] };
        var secondRoom = NewRoom(second) with { Channels = [new IncidentChannel("slack", "C0002", "inc-2", null), new IncidentChannel("teams", "C0001", "inc-2", null)] };
        await f.Rooms.TryCreateAsync(firstRoom, [], None);
        await f.Rooms.TryCreateAsync(secondRoom, [], None);

        AssertSameRoom(firstRoom, await f.Rooms.FindByChannelAsync("slack", "C0001", None));
        AssertSameRoom(secondRoom, await f.Rooms.FindByChannelAsync("teams", "C0001", None));
        AssertSameRoom(secondRoom, await f.Rooms.FindByChannelAsync("slack", "C0002", None));
        Assert.Null(await f.Rooms.FindByChannelAsync("teams", "C0002", None));
        Assert.Null(await f.Rooms.FindByChannelAsync("slack", "c0001", None));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task FindByLinkedIncidentAsync_PulledInIncident_ReturnsTheRoomItWasPagedInto(StorageProvider provider)
    {
        await using var f = await Fixture.CreateAsync(provider);
        var parent = await f.NewIncidentAsync();
        var child = await f.NewIncidentAsync();
        var loner = await f.NewIncidentAsync();
        var room = NewRoom(parent) with { LinkedIncidents = [child] };
        await f.Rooms.TryCreateAsync(room, [], None);
        await f.Rooms.TryCreateAsync(NewRoom(loner), [], None);

        AssertSameRoom(room, await f.Rooms.FindByLinkedIncidentAsync(child, None));
        Assert.Null(await f.Rooms.FindByLinkedIncidentAsync(parent, None));
        Assert.Null(await f.Rooms.FindByLinkedIncidentAsync(loner, None));
        Assert.Null(await f.Rooms.FindByLinkedIncidentAsync(999, None));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task Events_OfCreateAndUpdates_LandOnTheIncidentsTimelineInOrderAfterThePagingEvents(StorageProvider provider)
    {
        await using var f = await Fixture.CreateAsync(provider);
        var number = await f.NewIncidentAsync();
        var other = await f.NewIncidentAsync();
        var room = NewRoom(number);
        await f.Rooms.TryCreateAsync(room, [Event(number, IncidentEventKind.ResponderAdded, "Olivia joined", 1)], None);
        await f.Incidents.AppendEventsAsync([Event(number, IncidentEventKind.Notified, "Paged Alice", 2)], None);
        await f.Rooms.TryUpdateAsync(room with { Phase = IncidentPhase.Identified, Version = 2 },
            [Event(number, IncidentEventKind.PhaseChanged, "Phase: investigating → identified", 3), Event(number, IncidentEventKind.Note, "Rolled back", 3)], None);
        await f.Rooms.TryCreateAsync(NewRoom(other), [Event(other, IncidentEventKind.Note, "elsewhere", 4)], None);

        var timeline = await f.Incidents.GetEventsAsync(number, None);

        Assert.Equal(
            [
                (number, Micro(PagedAt), IncidentEventKind.Created, "Olivia", "Olivia paged Checkout", ""),
                Stored(Event(number, IncidentEventKind.ResponderAdded, "Olivia joined", 1)),
                Stored(Event(number, IncidentEventKind.Notified, "Paged Alice", 2)),
                Stored(Event(number, IncidentEventKind.PhaseChanged, "Phase: investigating → identified", 3)),
                Stored(Event(number, IncidentEventKind.Note, "Rolled back", 3)),
            ],
            timeline.Select(Shape));
        Assert.Equal(["Olivia paged Checkout", "elsewhere"], (await f.Incidents.GetEventsAsync(other, None)).Select(e => e.Text));

        static (long, Instant, IncidentEventKind, string, string, string) Stored(IncidentEvent e) => Shape(e with { At = Micro(e.At) });
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task TryUpdateAsync_ChannelOfAnotherRoom_ThrowsAndWritesNothing(StorageProvider provider)
    {
        await using var f = await Fixture.CreateAsync(provider);
        var first = await f.NewIncidentAsync();
        var second = await f.NewIncidentAsync();
        await f.Rooms.TryCreateAsync(NewRoom(first) with { Channels = [new IncidentChannel("slack", "C0001", "inc-1", null)] }, [], None);
        var secondRoom = NewRoom(second);
        await f.Rooms.TryCreateAsync(secondRoom, [], None);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => f.Rooms.TryUpdateAsync(
            secondRoom with { Channels = [new IncidentChannel("slack", "C0001", "inc-2", null)], Severity = 1, Version = 2 },
            [Event(second, IncidentEventKind.ChannelOpened, "Opened #inc-2")], None));

        Assert.Contains("C0001 on slack already belongs to another incident", error.Message);
        AssertSameRoom(secondRoom, await f.Rooms.GetAsync(second, None));
        Assert.Single(await f.Incidents.GetEventsAsync(second, None));
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task TryUpdateAsync_IncidentLinkedIntoAnotherRoom_ThrowsAndWritesNothing(StorageProvider provider)
    {
        await using var f = await Fixture.CreateAsync(provider);
        var first = await f.NewIncidentAsync();
        var second = await f.NewIncidentAsync();
        var child = await f.NewIncidentAsync();
        await f.Rooms.TryCreateAsync(NewRoom(first) with { LinkedIncidents = [child] }, [], None);
        var secondRoom = NewRoom(second);
        await f.Rooms.TryCreateAsync(secondRoom, [], None);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => f.Rooms.TryUpdateAsync(
            secondRoom with { LinkedIncidents = [child], Version = 2 }, [], None));

        Assert.Contains($"INC-{child} is already linked into another incident", error.Message);
        AssertSameRoom(secondRoom, await f.Rooms.GetAsync(second, None));
        Assert.Equal(first, (await f.Rooms.FindByLinkedIncidentAsync(child, None))!.IncidentNumber);
    }

    [Theory]
    [SqliteCase]
    [PostgresCase]
    public async Task TryUpdateAsync_BadRoomOrEvents_ThrowsAndWritesNothing(StorageProvider provider)
    {
        await using var f = await Fixture.CreateAsync(provider);
        var number = await f.NewIncidentAsync();
        var other = await f.NewIncidentAsync();
        var room = NewRoom(number);
        await f.Rooms.TryCreateAsync(room, [], None);
        var next = room with { Version = 2 };

        var twoSlackChannels = await Assert.ThrowsAsync<ArgumentException>(() => f.Rooms.TryUpdateAsync(
            next with { Channels = [new IncidentChannel("slack", "C1", "a", null), new IncidentChannel("slack", "C2", "b", null)] }, [], None));
        var badSeverity = await Assert.ThrowsAsync<ArgumentException>(() => f.Rooms.TryUpdateAsync(next with { Severity = 5 }, [], None));
        var linkedToItself = await Assert.ThrowsAsync<ArgumentException>(() => f.Rooms.TryUpdateAsync(next with { LinkedIncidents = [number] }, [], None));
        var versionOne = await Assert.ThrowsAsync<ArgumentException>(() => f.Rooms.TryUpdateAsync(room, [], None));
        var strayEvent = await Assert.ThrowsAsync<InvalidOperationException>(() => f.Rooms.TryUpdateAsync(
            next, [Event(number, IncidentEventKind.Note, "mine"), Event(other, IncidentEventKind.Note, "theirs")], None));

        Assert.Contains("two channels on slack", twoSlackChannels.Message);
        Assert.Contains("severity is 1 to 4; got 5", badSeverity.Message);
        Assert.Contains($"INC-{number} is not", linkedToItself.Message);
        Assert.Contains("2 or more", versionOne.Message);
        Assert.Contains($"An event of INC-{other}", strayEvent.Message);
        AssertSameRoom(room, await f.Rooms.GetAsync(number, None));
        Assert.Single(await f.Incidents.GetEventsAsync(number, None));
        Assert.Single(await f.Incidents.GetEventsAsync(other, None));
    }
}
