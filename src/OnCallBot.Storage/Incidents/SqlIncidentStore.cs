using System.Data.Common;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NodaTime;
using Npgsql;
using OnCallBot.Core.Paging;
using OnCallBot.Core.Ports;

namespace OnCallBot.Storage.Incidents;

/// <summary>
/// Incidents in <c>incidents</c>, their audit trail in <c>incident_events</c>, their page messages in
/// <c>incident_notifications</c> and the leases on their escalation steps in <c>escalation_step_leases</c>, on SQLite or
/// PostgreSQL. Instants are kept to the microsecond (see
/// <see cref="SqlDialect"/>): what comes back from a write is what a later read returns.
/// </summary>
/// <remarks>
/// Each write is one transaction. On SQLite a transaction takes the write lock when it begins (BEGIN IMMEDIATE), so
/// the idempotency check and the insert cannot interleave with another writer; on PostgreSQL the insert resolves a
/// concurrent duplicate through <c>ON CONFLICT DO NOTHING</c>, which waits for the other transaction and then yields
/// to it.
/// </remarks>
internal sealed class SqlIncidentStore(IDbConnectionFactory connections) : IIncidentStore
{
    private const string IncidentColumns = "number, " + InsertedColumns;

    // Every column but number, which the store assigns.
    private const string InsertedColumns =
        "summary, service_id, direct_user_id, status, created_at, " +
        "created_by_platform, created_by_platform_user_id, created_by_display_name, created_by_user_id, " +
        "acknowledged_at, acknowledged_by_platform, acknowledged_by_platform_user_id, acknowledged_by_display_name, acknowledged_by_user_id, " +
        "resolved_at, resolved_by_platform, resolved_by_platform_user_id, resolved_by_display_name, resolved_by_user_id, " +
        "step, level, cycle, next_step_due_at, exhausted, manual_pending, idempotency_key, version";

    // InsertedColumns as parameters of the same names.
    private const string IncidentValues =
        "@summary, @service_id, @direct_user_id, @status, @created_at, " +
        "@created_by_platform, @created_by_platform_user_id, @created_by_display_name, @created_by_user_id, " +
        "@acknowledged_at, @acknowledged_by_platform, @acknowledged_by_platform_user_id, @acknowledged_by_display_name, @acknowledged_by_user_id, " +
        "@resolved_at, @resolved_by_platform, @resolved_by_platform_user_id, @resolved_by_display_name, @resolved_by_user_id, " +
        "@step, @level, @cycle, @next_step_due_at, @exhausted, @manual_pending, @idempotency_key, @version";

    private const string NotificationColumns = "incident_number, step, level, user_id, platform, at, conversation_id, message_id, delivered_at, failure";

    private readonly SqlDialect _dialect = SqlDialect.For(connections.Provider);

    // user_ids is jsonb on PostgreSQL, which does not take a text parameter without a cast.
    private readonly string _userIdsParameter = connections.Provider == StorageProvider.Postgres ? "CAST(@user_ids AS jsonb)" : "@user_ids";

    public async Task<(Incident Incident, bool Created)> CreateAsync(Incident incident, IReadOnlyList<IncidentEvent> events, CancellationToken cancellationToken)
    {
        ValidateIncident(incident, nameof(incident));
        ValidateEvents(events, nameof(events));

        await using var write = await connections.BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);

        // Most duplicates are a chat platform's retry well after the first delivery: answer without using up a number.
        if (await FindByIdempotencyKeyAsync(connection, transaction, incident.IdempotencyKey, cancellationToken) is { } existing)
        {
            await transaction.RollbackAsync(cancellationToken);
            return (existing, false);
        }

        long number;
        await using (var insert = connection.CreateCommand(
            $"INSERT INTO incidents ({InsertedColumns}) VALUES ({IncidentValues}) " +
            "ON CONFLICT (idempotency_key) DO NOTHING RETURNING number", transaction))
        {
            AddIncidentParameters(insert, incident);
            var inserted = await insert.ExecuteScalarAsync(cancellationToken);
            if (inserted is null or DBNull)
            {
                // A concurrent delivery of the same request committed first (PostgreSQL; on SQLite the write lock
                // taken at BEGIN rules this out): its incident is the one.
                var winner = await FindByIdempotencyKeyAsync(connection, transaction, incident.IdempotencyKey, cancellationToken)
                    ?? throw new InvalidOperationException(
                        $"An incident with idempotency key '{incident.IdempotencyKey}' conflicted on insert but cannot be read back.");
                await transaction.RollbackAsync(cancellationToken);
                return (winner, false);
            }
            number = Convert.ToInt64(inserted, System.Globalization.CultureInfo.InvariantCulture);
        }

        // The caller cannot know the number yet: the store stamps it on the first events.
        await InsertEventsAsync(connection, transaction, events.Select(e => e with { IncidentNumber = number }), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (AsStored(incident with { Number = number }), true);
    }

    public async Task<Incident?> GetAsync(long number, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand($"SELECT {IncidentColumns} FROM incidents WHERE number = @number")
            .WithParameter("@number", number);
        return (await ReadIncidentsAsync(command, cancellationToken)).SingleOrDefault();
    }

    public async Task<bool> TryUpdateAsync(Incident updated, IReadOnlyList<IncidentEvent> events, CancellationToken cancellationToken)
    {
        ValidateIncident(updated, nameof(updated));
        ValidateEvents(events, nameof(events));
        if (events.FirstOrDefault(e => e.IncidentNumber != updated.Number) is { } stray)
        {
            throw new InvalidOperationException(
                $"An event of {IncidentReference.Format(stray.IncidentNumber)} was written with an update of {updated.Reference}; nothing was saved.");
        }
        if (updated.Version < 2)
        {
            throw new ArgumentException(
                $"An update of {updated.Reference} must carry the stored version plus one (2 or more); got {updated.Version}.", nameof(updated));
        }

        await using var write = await connections.BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        int changed;
        await using (var update = connection.CreateCommand(
            """
            UPDATE incidents SET
                summary = @summary, service_id = @service_id, direct_user_id = @direct_user_id, status = @status, created_at = @created_at,
                created_by_platform = @created_by_platform, created_by_platform_user_id = @created_by_platform_user_id,
                created_by_display_name = @created_by_display_name, created_by_user_id = @created_by_user_id,
                acknowledged_at = @acknowledged_at, acknowledged_by_platform = @acknowledged_by_platform,
                acknowledged_by_platform_user_id = @acknowledged_by_platform_user_id,
                acknowledged_by_display_name = @acknowledged_by_display_name, acknowledged_by_user_id = @acknowledged_by_user_id,
                resolved_at = @resolved_at, resolved_by_platform = @resolved_by_platform,
                resolved_by_platform_user_id = @resolved_by_platform_user_id,
                resolved_by_display_name = @resolved_by_display_name, resolved_by_user_id = @resolved_by_user_id,
                step = @step, level = @level, cycle = @cycle, next_step_due_at = @next_step_due_at,
                exhausted = @exhausted, manual_pending = @manual_pending, version = @version
            WHERE number = @number AND version = @expected_version AND idempotency_key = @idempotency_key
            """, transaction))
        {
            AddIncidentParameters(update, updated);
            update.WithParameter("@number", updated.Number).WithParameter("@expected_version", updated.Version - 1);
            changed = await update.ExecuteNonQueryAsync(cancellationToken);
        }
        if (changed == 0)
        {
            await using var check = connection.CreateCommand(
                "SELECT idempotency_key FROM incidents WHERE number = @number AND version = @expected_version", transaction)
                .WithParameter("@number", updated.Number)
                .WithParameter("@expected_version", updated.Version - 1);
            var storedKey = await check.ExecuteScalarAsync(cancellationToken) as string;
            await transaction.RollbackAsync(cancellationToken);
            if (storedKey is not null)
            {
                throw new InvalidOperationException(
                    $"{updated.Reference}: the idempotency key of an incident never changes (stored '{storedKey}', got '{updated.IdempotencyKey}'); nothing was saved.");
            }
            return false;
        }
        await InsertEventsAsync(connection, transaction, events, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task AppendEventsAsync(IReadOnlyList<IncidentEvent> events, CancellationToken cancellationToken)
    {
        ValidateEvents(events, nameof(events));
        if (events.Count == 0)
        {
            return;
        }
        await using var write = await connections.BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        await InsertEventsAsync(connection, transaction, events, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<IncidentEvent>> GetEventsAsync(long number, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT incident_number, at, kind, actor_name, text, user_ids, level, platform FROM incident_events " +
            "WHERE incident_number = @number ORDER BY seq")
            .WithParameter("@number", number);
        var result = new List<IncidentEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(new IncidentEvent(
                reader.GetInt64(0),
                _dialect.ReadInstant(reader, 1),
                IncidentCodes.KindOf(reader.GetString(2)),
                reader.GetString(3),
                reader.GetString(4),
                JsonSerializer.Deserialize<string[]>(reader.GetString(5))
                    ?? throw new InvalidOperationException($"An event of {IncidentReference.Format(number)} has null user ids in the store."),
                reader.IsDBNull(6) ? null : reader.GetInt32(6),
                reader.IsDBNull(7) ? null : reader.GetString(7)));
        }
        return result;
    }

    public async Task<bool> TryClaimNotificationAsync(Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ValidateNotificationKey(notification.Step, notification.UserId, notification.Platform, nameof(notification));
        ArgumentOutOfRangeException.ThrowIfNegative(notification.Level, nameof(notification));
        if (notification.Message is { } message)
        {
            ValidateMessage(message, notification.Platform, nameof(notification));
        }

        await using var write = await connections.BeginWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var insert = connection.CreateCommand(
            $"INSERT INTO incident_notifications ({NotificationColumns}) " +
            "VALUES (@incident_number, @step, @level, @user_id, @platform, @at, @conversation_id, @message_id, @delivered_at, @failure) " +
            "ON CONFLICT (incident_number, step, user_id, platform) DO NOTHING", write.Transaction);
        insert.WithParameter("@incident_number", notification.IncidentNumber)
            .WithParameter("@step", notification.Step)
            .WithParameter("@level", notification.Level)
            .WithParameter("@user_id", notification.UserId)
            .WithParameter("@platform", notification.Platform)
            .WithParameter("@at", _dialect.ToDb(notification.At))
            .WithParameter("@conversation_id", notification.Message?.ConversationId)
            .WithParameter("@message_id", notification.Message?.MessageId)
            .WithParameter("@delivered_at", ToDb(notification.DeliveredAt))
            .WithParameter("@failure", notification.Failure);
        try
        {
            var claimed = await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
            await write.CommitAsync(cancellationToken);
            return claimed;
        }
        catch (DbException ex) when (IsForeignKeyViolation(ex))
        {
            throw MissingIncident(notification.IncidentNumber, ex);
        }
    }

    public async Task SetNotificationMessageAsync(long incidentNumber, int step, string userId, string platform, DeliveredMessage message, Instant deliveredAt, CancellationToken cancellationToken)
    {
        ValidateNotificationKey(step, userId, platform, nameof(userId));
        ArgumentNullException.ThrowIfNull(message);
        ValidateMessage(message, platform, nameof(message));

        await using var write = await connections.BeginWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var update = connection.CreateCommand(
            "UPDATE incident_notifications SET conversation_id = @conversation_id, message_id = @message_id, delivered_at = @delivered_at, failure = NULL " +
            "WHERE incident_number = @incident_number AND step = @step AND user_id = @user_id AND platform = @platform", write.Transaction);
        update.WithParameter("@conversation_id", message.ConversationId)
            .WithParameter("@message_id", message.MessageId)
            .WithParameter("@delivered_at", _dialect.ToDb(deliveredAt));
        AddNotificationKey(update, incidentNumber, step, userId, platform);
        if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw NotClaimed(incidentNumber, step, userId, platform);
        }
        await write.CommitAsync(cancellationToken);
    }

    public async Task SetNotificationFailedAsync(long incidentNumber, int step, string userId, string platform, string failure, CancellationToken cancellationToken)
    {
        ValidateNotificationKey(step, userId, platform, nameof(userId));
        ArgumentException.ThrowIfNullOrWhiteSpace(failure);

        // The write ends before the read that explains a miss, so the writer gate is not held for it.
        await using (var write = await connections.BeginWriteAsync(cancellationToken))
        {
            await using var update = write.Connection.CreateCommand(
                "UPDATE incident_notifications SET failure = @failure " +
                "WHERE incident_number = @incident_number AND step = @step AND user_id = @user_id AND platform = @platform AND message_id IS NULL",
                write.Transaction);
            update.WithParameter("@failure", failure);
            AddNotificationKey(update, incidentNumber, step, userId, platform);
            var marked = await update.ExecuteNonQueryAsync(cancellationToken) == 1;
            await write.CommitAsync(cancellationToken);
            if (marked)
            {
                return;
            }
        }
        var delivered = (await GetNotificationsAsync(incidentNumber, cancellationToken))
            .Any(n => n.Step == step && n.UserId == userId && n.Platform == platform);
        throw delivered
            ? new InvalidOperationException(
                $"{IncidentReference.Format(incidentNumber)}: the notification of {userId} on {platform} for step {step} was delivered; it cannot have failed.")
            : NotClaimed(incidentNumber, step, userId, platform);
    }

    private static void AddNotificationKey(DbCommand command, long incidentNumber, int step, string userId, string platform) =>
        command.WithParameter("@incident_number", incidentNumber)
            .WithParameter("@step", step)
            .WithParameter("@user_id", userId)
            .WithParameter("@platform", platform);

    private static InvalidOperationException NotClaimed(long incidentNumber, int step, string userId, string platform) =>
        new($"{IncidentReference.Format(incidentNumber)}: no claimed notification of {userId} on {platform} for step {step}; claim before sending.");

    public async Task<IReadOnlyList<Notification>> GetNotificationsAsync(long incidentNumber, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            $"SELECT {NotificationColumns} FROM incident_notifications WHERE incident_number = @incident_number ORDER BY id")
            .WithParameter("@incident_number", incidentNumber);
        var result = new List<Notification>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var platform = reader.GetString(4);
            result.Add(new Notification(
                reader.GetInt64(0),
                reader.GetInt32(1),
                reader.GetInt32(2),
                reader.GetString(3),
                platform,
                _dialect.ReadInstant(reader, 5),
                reader.IsDBNull(6) ? null : new DeliveredMessage(platform, reader.GetString(6), reader.GetString(7)),
                NullableInstant(reader, 8),
                NullableString(reader, 9)));
        }
        return result;
    }

    /// <summary>Any claim counts as "notified": the store cannot tell a send that failed from one lost in a crash.</summary>
    public async Task<IReadOnlyList<Incident>> GetTriggeredIncidentsNotifyingAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userId);
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            $"SELECT {IncidentColumns} FROM incidents i WHERE status = @status AND EXISTS (" +
            "SELECT 1 FROM incident_notifications n WHERE n.incident_number = i.number AND n.user_id = @user_id) " +
            "ORDER BY number DESC")
            .WithParameter("@status", IncidentCodes.Triggered)
            .WithParameter("@user_id", userId);
        return await ReadIncidentsAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<Incident>> GetPendingEscalationsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            $"SELECT {IncidentColumns} FROM incidents WHERE status = @status AND next_step_due_at IS NOT NULL " +
            "ORDER BY next_step_due_at, number")
            .WithParameter("@status", IncidentCodes.Triggered);
        return await ReadIncidentsAsync(command, cancellationToken);
    }

    /// <remarks>
    /// One transaction: read the step's lease row (locked with FOR UPDATE on PostgreSQL; SQLite's transaction holds the
    /// write lock from its start), then insert it or take it over only if it was given back or has run out. Two hosts
    /// inserting the first lease at once: ON CONFLICT DO NOTHING makes the later one wait for the other and yield.
    /// </remarks>
    public async Task<StepLease> TryTakeStepLeaseAsync(long incidentNumber, int step, string holder, Instant now, Duration length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        if (length <= Duration.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "A lease must last a positive time.");
        }
        var until = SqlDialect.Truncate(now + length);

        await using var write = await connections.BeginWriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        var earlier = await ReadLeaseAsync(connection, transaction, incidentNumber, step, lockRow: true, cancellationToken);
        if (earlier is null)
        {
            await using var insert = connection.CreateCommand(
                "INSERT INTO escalation_step_leases (incident_number, step, holder, taken_at, lease_until, released) " +
                "VALUES (@incident_number, @step, @holder, @now, @until, @released) ON CONFLICT (incident_number, step) DO NOTHING", transaction);
            AddLeaseParameters(insert, incidentNumber, step, holder, now, until);
            int inserted;
            try
            {
                inserted = await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (DbException ex) when (IsForeignKeyViolation(ex))
            {
                throw MissingIncident(incidentNumber, ex);
            }
            if (inserted == 1)
            {
                await transaction.CommitAsync(cancellationToken);
                return new StepLease(true, until, EarlierStepRun.None, null);
            }
            // Another host inserted it first (PostgreSQL): it holds the lease now.
            var winner = await ReadLeaseAsync(connection, transaction, incidentNumber, step, lockRow: false, cancellationToken)
                ?? throw new InvalidOperationException($"{IncidentReference.Format(incidentNumber)}: the lease on step {step} conflicted on insert but cannot be read back.");
            await transaction.RollbackAsync(cancellationToken);
            return new StepLease(false, winner.Until, EarlierStepRun.None, null);
        }
        if (!earlier.Value.Released && earlier.Value.Until > now)
        {
            await transaction.RollbackAsync(cancellationToken);
            return new StepLease(false, earlier.Value.Until, EarlierStepRun.None, null);
        }
        await using (var takeOver = connection.CreateCommand(
            "UPDATE escalation_step_leases SET holder = @holder, taken_at = @now, lease_until = @until, released = @released " +
            "WHERE incident_number = @incident_number AND step = @step", transaction))
        {
            AddLeaseParameters(takeOver, incidentNumber, step, holder, now, until);
            await takeOver.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return new StepLease(true, until, earlier.Value.Released ? EarlierStepRun.Released : EarlierStepRun.Expired, earlier.Value.Until);
    }

    public async Task<bool> RenewStepLeaseAsync(long incidentNumber, int step, string holder, Instant until, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        await using var write = await connections.BeginWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var update = connection.CreateCommand(
            "UPDATE escalation_step_leases SET lease_until = @until " +
            "WHERE incident_number = @incident_number AND step = @step AND holder = @holder AND released = @released", write.Transaction);
        update.WithParameter("@until", _dialect.ToDb(until))
            .WithParameter("@incident_number", incidentNumber)
            .WithParameter("@step", step)
            .WithParameter("@holder", holder)
            .WithParameter("@released", false);
        var renewed = await update.ExecuteNonQueryAsync(cancellationToken) == 1;
        await write.CommitAsync(cancellationToken);
        return renewed;
    }

    public async Task ReleaseStepLeaseAsync(long incidentNumber, int step, string holder, Instant now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        await using var write = await connections.BeginWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var update = connection.CreateCommand(
            "UPDATE escalation_step_leases SET lease_until = @now, released = @released_now " +
            "WHERE incident_number = @incident_number AND step = @step AND holder = @holder AND released = @released", write.Transaction);
        update.WithParameter("@now", _dialect.ToDb(now))
            .WithParameter("@released_now", true)
            .WithParameter("@incident_number", incidentNumber)
            .WithParameter("@step", step)
            .WithParameter("@holder", holder)
            .WithParameter("@released", false);
        await update.ExecuteNonQueryAsync(cancellationToken);
        await write.CommitAsync(cancellationToken);
    }

    private async Task<(Instant Until, bool Released)?> ReadLeaseAsync(
        DbConnection connection, DbTransaction transaction, long incidentNumber, int step, bool lockRow, CancellationToken cancellationToken)
    {
        var forUpdate = lockRow && connections.Provider == StorageProvider.Postgres ? " FOR UPDATE" : "";
        await using var read = connection.CreateCommand(
            "SELECT lease_until, released FROM escalation_step_leases WHERE incident_number = @incident_number AND step = @step" + forUpdate, transaction)
            .WithParameter("@incident_number", incidentNumber)
            .WithParameter("@step", step);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (_dialect.ReadInstant(reader, 0), reader.GetBoolean(1)) : null;
    }

    private void AddLeaseParameters(DbCommand command, long incidentNumber, int step, string holder, Instant now, Instant until) =>
        command.WithParameter("@incident_number", incidentNumber)
            .WithParameter("@step", step)
            .WithParameter("@holder", holder)
            .WithParameter("@now", _dialect.ToDb(now))
            .WithParameter("@until", _dialect.ToDb(until))
            .WithParameter("@released", false);

    private async Task<Incident?> FindByIdempotencyKeyAsync(DbConnection connection, DbTransaction transaction, string key, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand($"SELECT {IncidentColumns} FROM incidents WHERE idempotency_key = @key", transaction)
            .WithParameter("@key", key);
        return (await ReadIncidentsAsync(command, cancellationToken)).SingleOrDefault();
    }

    /// <summary>Appends events inside the caller's transaction: the one way rows get into <c>incident_events</c> (the room store writes through it too).</summary>
    internal async Task InsertEventsAsync(DbConnection connection, DbTransaction transaction, IEnumerable<IncidentEvent> events, CancellationToken cancellationToken)
    {
        await using var insert = connection.CreateCommand(
            "INSERT INTO incident_events (incident_number, at, kind, actor_name, text, user_ids, level, platform) " +
            $"VALUES (@incident_number, @at, @kind, @actor_name, @text, {_userIdsParameter}, @level, @platform)", transaction);
        foreach (var e in events)
        {
            insert.Parameters.Clear();
            insert.WithParameter("@incident_number", e.IncidentNumber)
                .WithParameter("@at", _dialect.ToDb(e.At))
                .WithParameter("@kind", IncidentCodes.Of(e.Kind))
                .WithParameter("@actor_name", e.ActorName)
                .WithParameter("@text", e.Text)
                .WithParameter("@user_ids", JsonSerializer.Serialize(e.UserIds))
                .WithParameter("@level", e.Level)
                .WithParameter("@platform", e.Platform);
            try
            {
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (DbException ex) when (IsForeignKeyViolation(ex))
            {
                throw MissingIncident(e.IncidentNumber, ex);
            }
        }
    }

    private void AddIncidentParameters(DbCommand command, Incident incident)
    {
        command.WithParameter("@summary", incident.Summary)
            .WithParameter("@service_id", incident.ServiceId)
            .WithParameter("@direct_user_id", incident.DirectUserId)
            .WithParameter("@status", IncidentCodes.Of(incident.Status))
            .WithParameter("@created_at", _dialect.ToDb(incident.CreatedAt))
            .WithParameter("@acknowledged_at", ToDb(incident.AcknowledgedAt))
            .WithParameter("@resolved_at", ToDb(incident.ResolvedAt))
            .WithParameter("@step", incident.Escalation.Step)
            .WithParameter("@level", incident.Escalation.Level)
            .WithParameter("@cycle", incident.Escalation.Cycle)
            .WithParameter("@next_step_due_at", ToDb(incident.Escalation.NextStepDueAt))
            .WithParameter("@exhausted", incident.Escalation.Exhausted)
            .WithParameter("@manual_pending", incident.Escalation.ManualPending)
            .WithParameter("@idempotency_key", incident.IdempotencyKey)
            .WithParameter("@version", incident.Version);
        AddActorParameters(command, "created_by", incident.CreatedBy);
        AddActorParameters(command, "acknowledged_by", incident.AcknowledgedBy);
        AddActorParameters(command, "resolved_by", incident.ResolvedBy);
    }

    private static void AddActorParameters(DbCommand command, string prefix, Actor? actor) =>
        command.WithParameter($"@{prefix}_platform", actor?.Platform)
            .WithParameter($"@{prefix}_platform_user_id", actor?.PlatformUserId)
            .WithParameter($"@{prefix}_display_name", actor?.DisplayName)
            .WithParameter($"@{prefix}_user_id", actor?.UserId);

    private object? ToDb(Instant? instant) => instant is { } value ? _dialect.ToDb(value) : null;

    private async Task<IReadOnlyList<Incident>> ReadIncidentsAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var result = new List<Incident>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(new Incident(
                Number: reader.GetInt64(0),
                Summary: reader.GetString(1),
                ServiceId: NullableString(reader, 2),
                DirectUserId: NullableString(reader, 3),
                Status: IncidentCodes.StatusOf(reader.GetString(4)),
                CreatedAt: _dialect.ReadInstant(reader, 5),
                CreatedBy: ReadActor(reader, 6) ?? throw new InvalidOperationException(
                    $"{IncidentReference.Format(reader.GetInt64(0))} has no creator in the store."),
                AcknowledgedAt: NullableInstant(reader, 10),
                AcknowledgedBy: ReadActor(reader, 11),
                ResolvedAt: NullableInstant(reader, 15),
                ResolvedBy: ReadActor(reader, 16),
                Escalation: new EscalationState(
                    Step: reader.GetInt32(20),
                    Level: reader.GetInt32(21),
                    Cycle: reader.GetInt32(22),
                    NextStepDueAt: NullableInstant(reader, 23),
                    Exhausted: reader.GetBoolean(24),
                    ManualPending: reader.GetBoolean(25)),
                IdempotencyKey: reader.GetString(26),
                Version: reader.GetInt64(27)));
        }
        return result;
    }

    /// <summary>Platform, platform user id, display name and config user id, from <paramref name="ordinal"/> on; null when the platform is.</summary>
    private static Actor? ReadActor(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal)
            ? null
            : new Actor(reader.GetString(ordinal), reader.GetString(ordinal + 1), reader.GetString(ordinal + 2), NullableString(reader, ordinal + 3));

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private Instant? NullableInstant(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : _dialect.ReadInstant(reader, ordinal);

    /// <summary>The incident as a read will return it: instants to the microsecond.</summary>
    private static Incident AsStored(Incident incident) => incident with
    {
        CreatedAt = SqlDialect.Truncate(incident.CreatedAt),
        AcknowledgedAt = incident.AcknowledgedAt is { } acknowledgedAt ? SqlDialect.Truncate(acknowledgedAt) : null,
        ResolvedAt = incident.ResolvedAt is { } resolvedAt ? SqlDialect.Truncate(resolvedAt) : null,
        Escalation = incident.Escalation with
        {
            NextStepDueAt = incident.Escalation.NextStepDueAt is { } due ? SqlDialect.Truncate(due) : null,
        },
    };

    private static void ValidateIncident(Incident incident, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(incident, parameterName);
        ArgumentException.ThrowIfNullOrWhiteSpace(incident.IdempotencyKey, parameterName);
        ArgumentNullException.ThrowIfNull(incident.Summary, parameterName);
        ArgumentNullException.ThrowIfNull(incident.CreatedBy, parameterName);
        ArgumentNullException.ThrowIfNull(incident.Escalation, parameterName);
        if (incident.Version < 1)
        {
            throw new ArgumentException($"An incident's version starts at 1; got {incident.Version}.", parameterName);
        }
        var state = incident.Escalation;
        if (state.Step < 0 || state.Level < 0 || state.Cycle < 0)
        {
            throw new ArgumentException(
                $"Escalation step, level and cycle cannot be negative; got step {state.Step}, level {state.Level}, cycle {state.Cycle}.", parameterName);
        }
    }

    internal static void ValidateEvents(IReadOnlyList<IncidentEvent> events, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(events, parameterName);
        foreach (var e in events)
        {
            if (e is null || e.ActorName is null || e.Text is null || e.UserIds is null)
            {
                throw new ArgumentException("Every event needs an actor name, a text and a (possibly empty) list of user ids.", parameterName);
            }
        }
    }

    private static void ValidateNotificationKey(int step, string userId, string platform, string parameterName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step, parameterName);
        ArgumentException.ThrowIfNullOrWhiteSpace(userId, parameterName);
        ArgumentException.ThrowIfNullOrWhiteSpace(platform, parameterName);
    }

    private static void ValidateMessage(DeliveredMessage message, string platform, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(message.ConversationId, parameterName);
        ArgumentException.ThrowIfNullOrWhiteSpace(message.MessageId, parameterName);
        if (!string.Equals(message.Platform, platform, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"A message delivered on {message.Platform} cannot be recorded for a notification on {platform}.", parameterName);
        }
    }

    internal static bool IsForeignKeyViolation(DbException exception) => exception switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.Message.Contains("FOREIGN KEY", StringComparison.OrdinalIgnoreCase),
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.ForeignKeyViolation,
        _ => false,
    };

    internal static InvalidOperationException MissingIncident(long number, Exception inner) =>
        new($"{IncidentReference.Format(number)} does not exist in the store; nothing was written.", inner);
}
