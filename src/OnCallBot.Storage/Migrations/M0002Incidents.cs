namespace OnCallBot.Storage.Migrations;

/// <summary>
/// Incidents, their audit trail and their page messages. Incident numbers come from an AUTOINCREMENT key on SQLite
/// (never reused, even after a rollback) and from a sequence on PostgreSQL (unique across hosts; a rolled-back or
/// lost idempotency race leaves a gap, which is harmless). Events and notifications are ordered by an identity
/// column, which is the order they were written in.
/// </summary>
internal static class M0002Incidents
{
    public static Migration Migration { get; } = new(
        2,
        "incidents, incident events and page notifications",
        Sqlite: """
            CREATE TABLE incidents (
                number INTEGER PRIMARY KEY AUTOINCREMENT,
                summary TEXT NOT NULL,
                service_id TEXT NULL,
                direct_user_id TEXT NULL,
                status TEXT NOT NULL CHECK (status IN ('triggered', 'acknowledged', 'resolved')),
                created_at TEXT NOT NULL,
                created_by_platform TEXT NOT NULL,
                created_by_platform_user_id TEXT NOT NULL,
                created_by_display_name TEXT NOT NULL,
                created_by_user_id TEXT NULL,
                acknowledged_at TEXT NULL,
                acknowledged_by_platform TEXT NULL,
                acknowledged_by_platform_user_id TEXT NULL,
                acknowledged_by_display_name TEXT NULL,
                acknowledged_by_user_id TEXT NULL,
                resolved_at TEXT NULL,
                resolved_by_platform TEXT NULL,
                resolved_by_platform_user_id TEXT NULL,
                resolved_by_display_name TEXT NULL,
                resolved_by_user_id TEXT NULL,
                step INTEGER NOT NULL CHECK (step >= 0),
                level INTEGER NOT NULL CHECK (level >= 0),
                cycle INTEGER NOT NULL CHECK (cycle >= 0),
                next_step_due_at TEXT NULL,
                exhausted INTEGER NOT NULL CHECK (exhausted IN (0, 1)),
                manual_pending INTEGER NOT NULL CHECK (manual_pending IN (0, 1)),
                idempotency_key TEXT NOT NULL UNIQUE,
                version INTEGER NOT NULL CHECK (version >= 1)
            );

            CREATE INDEX ix_incidents_pending ON incidents (next_step_due_at, number)
                WHERE status = 'triggered' AND next_step_due_at IS NOT NULL;

            CREATE TABLE incident_events (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                incident_number INTEGER NOT NULL REFERENCES incidents (number),
                at TEXT NOT NULL,
                kind TEXT NOT NULL,
                actor_name TEXT NOT NULL,
                text TEXT NOT NULL,
                user_ids TEXT NOT NULL,
                level INTEGER NULL,
                platform TEXT NULL
            );

            CREATE INDEX ix_incident_events_incident ON incident_events (incident_number, seq);

            CREATE TABLE incident_notifications (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                incident_number INTEGER NOT NULL REFERENCES incidents (number),
                step INTEGER NOT NULL,
                level INTEGER NOT NULL,
                user_id TEXT NOT NULL,
                platform TEXT NOT NULL,
                at TEXT NOT NULL,
                conversation_id TEXT NULL,
                message_id TEXT NULL,
                UNIQUE (incident_number, step, user_id, platform),
                CHECK ((conversation_id IS NULL) = (message_id IS NULL))
            );

            CREATE INDEX ix_incident_notifications_user ON incident_notifications (user_id, incident_number);
            """,
        Postgres: """
            CREATE SEQUENCE incident_numbers AS BIGINT;

            CREATE TABLE incidents (
                number BIGINT PRIMARY KEY DEFAULT nextval('incident_numbers'),
                summary TEXT NOT NULL,
                service_id TEXT NULL,
                direct_user_id TEXT NULL,
                status TEXT NOT NULL CHECK (status IN ('triggered', 'acknowledged', 'resolved')),
                created_at TIMESTAMPTZ NOT NULL,
                created_by_platform TEXT NOT NULL,
                created_by_platform_user_id TEXT NOT NULL,
                created_by_display_name TEXT NOT NULL,
                created_by_user_id TEXT NULL,
                acknowledged_at TIMESTAMPTZ NULL,
                acknowledged_by_platform TEXT NULL,
                acknowledged_by_platform_user_id TEXT NULL,
                acknowledged_by_display_name TEXT NULL,
                acknowledged_by_user_id TEXT NULL,
                resolved_at TIMESTAMPTZ NULL,
                resolved_by_platform TEXT NULL,
                resolved_by_platform_user_id TEXT NULL,
                resolved_by_display_name TEXT NULL,
                resolved_by_user_id TEXT NULL,
                step INTEGER NOT NULL CHECK (step >= 0),
                level INTEGER NOT NULL CHECK (level >= 0),
                cycle INTEGER NOT NULL CHECK (cycle >= 0),
                next_step_due_at TIMESTAMPTZ NULL,
                exhausted BOOLEAN NOT NULL,
                manual_pending BOOLEAN NOT NULL,
                idempotency_key TEXT NOT NULL UNIQUE,
                version BIGINT NOT NULL CHECK (version >= 1)
            );

            ALTER SEQUENCE incident_numbers OWNED BY incidents.number;

            CREATE INDEX ix_incidents_pending ON incidents (next_step_due_at, number)
                WHERE status = 'triggered' AND next_step_due_at IS NOT NULL;

            CREATE TABLE incident_events (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                incident_number BIGINT NOT NULL REFERENCES incidents (number),
                at TIMESTAMPTZ NOT NULL,
                kind TEXT NOT NULL,
                actor_name TEXT NOT NULL,
                text TEXT NOT NULL,
                user_ids JSONB NOT NULL,
                level INTEGER NULL,
                platform TEXT NULL
            );

            CREATE INDEX ix_incident_events_incident ON incident_events (incident_number, seq);

            CREATE TABLE incident_notifications (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                incident_number BIGINT NOT NULL REFERENCES incidents (number),
                step INTEGER NOT NULL,
                level INTEGER NOT NULL,
                user_id TEXT NOT NULL,
                platform TEXT NOT NULL,
                at TIMESTAMPTZ NOT NULL,
                conversation_id TEXT NULL,
                message_id TEXT NULL,
                UNIQUE (incident_number, step, user_id, platform),
                CHECK ((conversation_id IS NULL) = (message_id IS NULL))
            );

            CREATE INDEX ix_incident_notifications_user ON incident_notifications (user_id, incident_number);
            """);
}
