using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using NodaTime;
using OnCallBot.Core.Coordination;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;
using OnCallBot.Storage.Incidents;

namespace OnCallBot.Storage.Coordination;

/// <summary>
/// Incident rooms in <c>incident_rooms</c>, with their channels (<c>incident_channels</c>), responders
/// (<c>incident_responders</c>) and pulled-in incidents (<c>incident_links</c>), on SQLite or PostgreSQL. Events go to
/// the incident's audit trail (<c>incident_events</c>) through <see cref="SqlIncidentStore"/>'s own writer, in the
/// same transaction as the room, so the coordination lines and the paging lines are one timeline.
/// </summary>
/// <remarks>
/// A write is one transaction: the room row is inserted (or updated on its version), its child rows are replaced
/// wholesale, then the events are appended; anything refused rolls all of it back. Reads run in one snapshot
/// (a deferred transaction on SQLite, repeatable read on PostgreSQL), so a room is never read half-updated.
/// Instants are kept to the microsecond, as on incidents.
/// </remarks>
internal sealed class SqlCoordinationStore(IDbConnectionFactory connections) : ICoordinationStore
{
    private const string RoomColumns =
        "incident_number, severity, phase, " +
        "commander_platform, commander_platform_user_id, commander_display_name, commander_user_id, commander_since, " +
        "scribe_platform, scribe_platform_user_id, scribe_display_name, scribe_user_id, scribe_since, " +
        "comms_platform, comms_platform_user_id, comms_display_name, comms_user_id, comms_since, " +
        "impact_started_at, impact_ended_at, last_status_update_at, next_status_update_due_at, version";

    private const string RoomValues =
        "@incident_number, @severity, @phase, " +
        "@commander_platform, @commander_platform_user_id, @commander_display_name, @commander_user_id, @commander_since, " +
        "@scribe_platform, @scribe_platform_user_id, @scribe_display_name, @scribe_user_id, @scribe_since, " +
        "@comms_platform, @comms_platform_user_id, @comms_display_name, @comms_user_id, @comms_since, " +
        "@impact_started_at, @impact_ended_at, @last_status_update_at, @next_status_update_due_at, @version";

    private readonly SqlDialect _dialect = SqlDialect.For(connections.Provider);

    // The audit trail has one writer; this instance lends its event insert to the room's transactions.
    private readonly SqlIncidentStore _events = new(connections);

    public async Task<bool> TryCreateAsync(IncidentRoom room, IReadOnlyList<IncidentEvent> events, CancellationToken cancellationToken)
    {
        ValidateRoom(room, nameof(room));
        ValidateEvents(room, events, nameof(events));
        if (room.Version < 1)
        {
            throw new ArgumentException($"A room's version starts at 1; got {room.Version} for {room.Reference}.", nameof(room));
        }

        await using var write = await connections.BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        int inserted;
        await using (var insert = connection.CreateCommand(
            $"INSERT INTO incident_rooms ({RoomColumns}) VALUES ({RoomValues}) ON CONFLICT (incident_number) DO NOTHING", transaction))
        {
            AddRoomParameters(insert, room);
            try
            {
                inserted = await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (DbException ex) when (SqlIncidentStore.IsForeignKeyViolation(ex))
            {
                await transaction.RollbackAsync(CancellationToken.None);
                throw new InvalidOperationException($"{room.Reference} does not exist in the store; a room needs its incident. Nothing was written.", ex);
            }
        }
        if (inserted == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }
        await WriteChildrenAsync(connection, transaction, room, cancellationToken);
        await _events.InsertEventsAsync(connection, transaction, events, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<IncidentRoom?> GetAsync(long incidentNumber, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await BeginReadAsync(connection, cancellationToken);
        var room = await ReadRoomAsync(connection, transaction, incidentNumber, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return room;
    }

    public async Task<IncidentRoom?> FindByChannelAsync(string platform, string channelId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(channelId);
        return await FindAsync(
            "SELECT incident_number FROM incident_channels WHERE platform = @platform AND channel_id = @channel_id",
            command => command.WithParameter("@platform", platform).WithParameter("@channel_id", channelId),
            cancellationToken);
    }

    public Task<IncidentRoom?> FindByLinkedIncidentAsync(long linkedIncidentNumber, CancellationToken cancellationToken) =>
        FindAsync(
            "SELECT parent_number FROM incident_links WHERE child_number = @child_number",
            command => command.WithParameter("@child_number", linkedIncidentNumber),
            cancellationToken);

    public async Task<bool> TryUpdateAsync(IncidentRoom updated, IReadOnlyList<IncidentEvent> events, CancellationToken cancellationToken)
    {
        ValidateRoom(updated, nameof(updated));
        ValidateEvents(updated, events, nameof(events));
        if (updated.Version < 2)
        {
            throw new ArgumentException(
                $"An update of {updated.Reference}'s room must carry the stored version plus one (2 or more); got {updated.Version}.", nameof(updated));
        }

        await using var write = await connections.BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        int changed;
        await using (var update = connection.CreateCommand(
            """
            UPDATE incident_rooms SET
                severity = @severity, phase = @phase,
                commander_platform = @commander_platform, commander_platform_user_id = @commander_platform_user_id,
                commander_display_name = @commander_display_name, commander_user_id = @commander_user_id, commander_since = @commander_since,
                scribe_platform = @scribe_platform, scribe_platform_user_id = @scribe_platform_user_id,
                scribe_display_name = @scribe_display_name, scribe_user_id = @scribe_user_id, scribe_since = @scribe_since,
                comms_platform = @comms_platform, comms_platform_user_id = @comms_platform_user_id,
                comms_display_name = @comms_display_name, comms_user_id = @comms_user_id, comms_since = @comms_since,
                impact_started_at = @impact_started_at, impact_ended_at = @impact_ended_at,
                last_status_update_at = @last_status_update_at, next_status_update_due_at = @next_status_update_due_at,
                version = @version
            WHERE incident_number = @incident_number AND version = @expected_version
            """, transaction))
        {
            AddRoomParameters(update, updated);
            update.WithParameter("@expected_version", updated.Version - 1);
            changed = await update.ExecuteNonQueryAsync(cancellationToken);
        }
        if (changed == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }
        foreach (var table in new[] { "incident_channels", "incident_responders" })
        {
            await using var delete = connection.CreateCommand($"DELETE FROM {table} WHERE incident_number = @incident_number", transaction)
                .WithParameter("@incident_number", updated.IncidentNumber);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var deleteLinks = connection.CreateCommand("DELETE FROM incident_links WHERE parent_number = @incident_number", transaction)
            .WithParameter("@incident_number", updated.IncidentNumber))
        {
            await deleteLinks.ExecuteNonQueryAsync(cancellationToken);
        }
        await WriteChildrenAsync(connection, transaction, updated, cancellationToken);
        await _events.InsertEventsAsync(connection, transaction, events, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private async Task<IncidentRoom?> FindAsync(string lookupSql, Action<DbCommand> parameters, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await BeginReadAsync(connection, cancellationToken);
        long number;
        await using (var lookup = connection.CreateCommand(lookupSql, transaction))
        {
            parameters(lookup);
            var found = await lookup.ExecuteScalarAsync(cancellationToken);
            if (found is null or DBNull)
            {
                await transaction.CommitAsync(cancellationToken);
                return null;
            }
            number = Convert.ToInt64(found, System.Globalization.CultureInfo.InvariantCulture);
        }
        var room = await ReadRoomAsync(connection, transaction, number, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return room;
    }

    /// <summary>A read-only snapshot: deferred on SQLite, so reading never takes the write lock the scheduler also wants.</summary>
    private static async Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken) =>
        connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: true)
            : await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);

    private async Task WriteChildrenAsync(DbConnection connection, DbTransaction transaction, IncidentRoom room, CancellationToken cancellationToken)
    {
        await using (var insert = connection.CreateCommand(
            "INSERT INTO incident_channels (incident_number, position, platform, channel_id, name, card_message_id) " +
            "VALUES (@incident_number, @position, @platform, @channel_id, @name, @card_message_id)", transaction))
        {
            for (var i = 0; i < room.Channels.Count; i++)
            {
                var channel = room.Channels[i];
                insert.Parameters.Clear();
                insert.WithParameter("@incident_number", room.IncidentNumber)
                    .WithParameter("@position", i)
                    .WithParameter("@platform", channel.Platform)
                    .WithParameter("@channel_id", channel.ChannelId)
                    .WithParameter("@name", channel.Name)
                    .WithParameter("@card_message_id", channel.CardMessageId);
                try
                {
                    await insert.ExecuteNonQueryAsync(cancellationToken);
                }
                catch (DbException ex) when (_dialect.IsUniqueViolation(ex))
                {
                    await transaction.RollbackAsync(CancellationToken.None);
                    throw new InvalidOperationException(
                        $"Channel {channel.ChannelId} on {channel.Platform} already belongs to another incident's room; {room.Reference}'s room was not saved.", ex);
                }
            }
        }

        await using (var insert = connection.CreateCommand(
            "INSERT INTO incident_responders (incident_number, position, platform, platform_user_id, display_name, user_id) " +
            "VALUES (@incident_number, @position, @platform, @platform_user_id, @display_name, @user_id)", transaction))
        {
            for (var i = 0; i < room.Responders.Count; i++)
            {
                var person = room.Responders[i];
                insert.Parameters.Clear();
                insert.WithParameter("@incident_number", room.IncidentNumber)
                    .WithParameter("@position", i)
                    .WithParameter("@platform", person.Platform)
                    .WithParameter("@platform_user_id", person.PlatformUserId)
                    .WithParameter("@display_name", person.DisplayName)
                    .WithParameter("@user_id", person.UserId);
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await using (var insert = connection.CreateCommand(
            "INSERT INTO incident_links (parent_number, position, child_number) VALUES (@parent_number, @position, @child_number)", transaction))
        {
            for (var i = 0; i < room.LinkedIncidents.Count; i++)
            {
                var child = room.LinkedIncidents[i];
                insert.Parameters.Clear();
                insert.WithParameter("@parent_number", room.IncidentNumber)
                    .WithParameter("@position", i)
                    .WithParameter("@child_number", child);
                try
                {
                    await insert.ExecuteNonQueryAsync(cancellationToken);
                }
                catch (DbException ex) when (_dialect.IsUniqueViolation(ex))
                {
                    await transaction.RollbackAsync(CancellationToken.None);
                    throw new InvalidOperationException(
                        $"{IncidentReference.Format(child)} is already linked into another incident; {room.Reference}'s room was not saved.", ex);
                }
                catch (DbException ex) when (SqlIncidentStore.IsForeignKeyViolation(ex))
                {
                    await transaction.RollbackAsync(CancellationToken.None);
                    throw new InvalidOperationException(
                        $"{IncidentReference.Format(child)}, linked into {room.Reference}, does not exist in the store; the room was not saved.", ex);
                }
            }
        }
    }

    private async Task<IncidentRoom?> ReadRoomAsync(DbConnection connection, DbTransaction transaction, long incidentNumber, CancellationToken cancellationToken)
    {
        IncidentRoom room;
        await using (var command = connection.CreateCommand($"SELECT {RoomColumns} FROM incident_rooms WHERE incident_number = @incident_number", transaction)
            .WithParameter("@incident_number", incidentNumber))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }
            room = new IncidentRoom(
                IncidentNumber: reader.GetInt64(0),
                Severity: reader.GetInt32(1),
                Phase: CoordinationCodes.PhaseOf(reader.GetString(2)),
                Commander: ReadHolder(reader, 3),
                Scribe: ReadHolder(reader, 8),
                Comms: ReadHolder(reader, 13),
                Channels: [],
                Responders: [],
                LinkedIncidents: [],
                ImpactStartedAt: NullableInstant(reader, 18),
                ImpactEndedAt: NullableInstant(reader, 19),
                LastStatusUpdateAt: NullableInstant(reader, 20),
                NextStatusUpdateDueAt: NullableInstant(reader, 21),
                Version: reader.GetInt64(22));
        }

        var channels = new List<IncidentChannel>();
        await using (var command = connection.CreateCommand(
            "SELECT platform, channel_id, name, card_message_id FROM incident_channels WHERE incident_number = @incident_number ORDER BY position", transaction)
            .WithParameter("@incident_number", incidentNumber))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                channels.Add(new IncidentChannel(reader.GetString(0), reader.GetString(1), reader.GetString(2), NullableString(reader, 3)));
            }
        }

        var responders = new List<Actor>();
        await using (var command = connection.CreateCommand(
            "SELECT platform, platform_user_id, display_name, user_id FROM incident_responders WHERE incident_number = @incident_number ORDER BY position", transaction)
            .WithParameter("@incident_number", incidentNumber))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                responders.Add(new Actor(reader.GetString(0), reader.GetString(1), reader.GetString(2), NullableString(reader, 3)));
            }
        }

        var links = new List<long>();
        await using (var command = connection.CreateCommand(
            "SELECT child_number FROM incident_links WHERE parent_number = @incident_number ORDER BY position", transaction)
            .WithParameter("@incident_number", incidentNumber))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                links.Add(reader.GetInt64(0));
            }
        }

        return room with { Channels = channels, Responders = responders, LinkedIncidents = links };
    }

    private void AddRoomParameters(DbCommand command, IncidentRoom room)
    {
        command.WithParameter("@incident_number", room.IncidentNumber)
            .WithParameter("@severity", room.Severity)
            .WithParameter("@phase", CoordinationCodes.Of(room.Phase))
            .WithParameter("@impact_started_at", ToDb(room.ImpactStartedAt))
            .WithParameter("@impact_ended_at", ToDb(room.ImpactEndedAt))
            .WithParameter("@last_status_update_at", ToDb(room.LastStatusUpdateAt))
            .WithParameter("@next_status_update_due_at", ToDb(room.NextStatusUpdateDueAt))
            .WithParameter("@version", room.Version);
        foreach (var role in Enum.GetValues<IncidentRole>())
        {
            var prefix = CoordinationCodes.ColumnPrefixOf(role);
            var holder = room.Holder(role);
            command.WithParameter($"@{prefix}_platform", holder?.Person.Platform)
                .WithParameter($"@{prefix}_platform_user_id", holder?.Person.PlatformUserId)
                .WithParameter($"@{prefix}_display_name", holder?.Person.DisplayName)
                .WithParameter($"@{prefix}_user_id", holder?.Person.UserId)
                .WithParameter($"@{prefix}_since", ToDb(holder?.Since));
        }
    }

    private object? ToDb(Instant? instant) => instant is { } value ? _dialect.ToDb(value) : null;

    /// <summary>Platform, platform user id, display name, config user id and since, from <paramref name="ordinal"/> on; null when the platform is.</summary>
    private RoleHolder? ReadHolder(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal)
            ? null
            : new RoleHolder(
                new Actor(reader.GetString(ordinal), reader.GetString(ordinal + 1), reader.GetString(ordinal + 2), NullableString(reader, ordinal + 3)),
                _dialect.ReadInstant(reader, ordinal + 4));

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private Instant? NullableInstant(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : _dialect.ReadInstant(reader, ordinal);

    private static void ValidateRoom(IncidentRoom room, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(room, parameterName);
        if (room.IncidentNumber <= 0)
        {
            throw new ArgumentException($"A room belongs to an incident numbered 1 or more; got {room.IncidentNumber}.", parameterName);
        }
        if (room.Severity is < IncidentRoom.HighestSeverity or > IncidentRoom.LowestSeverity)
        {
            throw new ArgumentException(
                $"{room.Reference}: severity is {IncidentRoom.HighestSeverity} to {IncidentRoom.LowestSeverity}; got {room.Severity}.", parameterName);
        }
        _ = CoordinationCodes.Of(room.Phase);
        foreach (var role in Enum.GetValues<IncidentRole>())
        {
            if (room.Holder(role) is { } holder)
            {
                ValidateActor(holder.Person, $"{room.Reference}'s {role.ToString().ToLowerInvariant()}", parameterName);
            }
        }
        if (room.Channels is null || room.Responders is null || room.LinkedIncidents is null)
        {
            throw new ArgumentException($"{room.Reference}: channels, responders and linked incidents are lists (possibly empty), never null.", parameterName);
        }
        var platforms = new HashSet<string>(StringComparer.Ordinal);
        foreach (var channel in room.Channels)
        {
            if (channel is null || string.IsNullOrWhiteSpace(channel.Platform) || string.IsNullOrWhiteSpace(channel.ChannelId) || channel.Name is null)
            {
                throw new ArgumentException($"{room.Reference}: every channel needs a platform, a channel id and a name.", parameterName);
            }
            if (!platforms.Add(channel.Platform))
            {
                throw new ArgumentException($"{room.Reference} has two channels on {channel.Platform}; an incident has one channel per platform.", parameterName);
            }
        }
        foreach (var person in room.Responders)
        {
            ValidateActor(person, $"a responder of {room.Reference}", parameterName);
        }
        var linked = new HashSet<long>();
        foreach (var child in room.LinkedIncidents)
        {
            if (child <= 0 || child == room.IncidentNumber || !linked.Add(child))
            {
                throw new ArgumentException(
                    $"{room.Reference}: linked incidents are other incidents, each listed once; {IncidentReference.Format(child)} is not.", parameterName);
            }
        }
    }

    private static void ValidateActor(Actor? person, string who, string parameterName)
    {
        if (person is null || person.Platform is null || person.PlatformUserId is null || person.DisplayName is null)
        {
            throw new ArgumentException($"{who} needs a platform, a platform user id and a display name.", parameterName);
        }
    }

    private static void ValidateEvents(IncidentRoom room, IReadOnlyList<IncidentEvent> events, string parameterName)
    {
        SqlIncidentStore.ValidateEvents(events, parameterName);
        if (events.FirstOrDefault(e => e.IncidentNumber != room.IncidentNumber) is { } stray)
        {
            throw new InvalidOperationException(
                $"An event of {IncidentReference.Format(stray.IncidentNumber)} was written with the room of {room.Reference}; nothing was saved.");
        }
    }
}
