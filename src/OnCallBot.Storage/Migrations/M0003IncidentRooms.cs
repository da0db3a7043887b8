namespace OnCallBot.Storage.Migrations;

/// <summary>
/// Incident rooms (the coordination side of an incident) and what hangs off them: one channel per platform, the
/// responders in the order they joined, and the incidents paged into them. A channel id belongs to one room and an
/// incident is linked into at most one room, both enforced by unique keys that also serve the lookups by channel and
/// by linked incident. Role holders are flattened into columns per role, like the actors on <c>incidents</c>.
/// </summary>
internal static class M0003IncidentRooms
{
    public static Migration Migration { get; } = new(
        3,
        "incident rooms, channels, responders and linked incidents",
        Sqlite: """
            CREATE TABLE incident_rooms (
                incident_number INTEGER PRIMARY KEY REFERENCES incidents (number),
                severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 4),
                phase TEXT NOT NULL CHECK (phase IN ('investigating', 'identified', 'monitoring', 'resolved')),
                commander_platform TEXT NULL,
                commander_platform_user_id TEXT NULL,
                commander_display_name TEXT NULL,
                commander_user_id TEXT NULL,
                commander_since TEXT NULL,
                scribe_platform TEXT NULL,
                scribe_platform_user_id TEXT NULL,
                scribe_display_name TEXT NULL,
                scribe_user_id TEXT NULL,
                scribe_since TEXT NULL,
                comms_platform TEXT NULL,
                comms_platform_user_id TEXT NULL,
                comms_display_name TEXT NULL,
                comms_user_id TEXT NULL,
                comms_since TEXT NULL,
                impact_started_at TEXT NULL,
                impact_ended_at TEXT NULL,
                last_status_update_at TEXT NULL,
                next_status_update_due_at TEXT NULL,
                version INTEGER NOT NULL CHECK (version >= 1),
                CHECK ((commander_platform IS NULL) = (commander_since IS NULL)),
                CHECK ((scribe_platform IS NULL) = (scribe_since IS NULL)),
                CHECK ((comms_platform IS NULL) = (comms_since IS NULL))
            );

            CREATE TABLE incident_channels (
                incident_number INTEGER NOT NULL REFERENCES incident_rooms (incident_number),
                position INTEGER NOT NULL CHECK (position >= 0),
                platform TEXT NOT NULL,
                channel_id TEXT NOT NULL,
                name TEXT NOT NULL,
                card_message_id TEXT NULL,
                PRIMARY KEY (incident_number, platform),
                UNIQUE (platform, channel_id)
            );

            CREATE TABLE incident_responders (
                incident_number INTEGER NOT NULL REFERENCES incident_rooms (incident_number),
                position INTEGER NOT NULL CHECK (position >= 0),
                platform TEXT NOT NULL,
                platform_user_id TEXT NOT NULL,
                display_name TEXT NOT NULL,
                user_id TEXT NULL,
                PRIMARY KEY (incident_number, position)
            );

            CREATE TABLE incident_links (
                parent_number INTEGER NOT NULL REFERENCES incident_rooms (incident_number),
                position INTEGER NOT NULL CHECK (position >= 0),
                child_number INTEGER NOT NULL UNIQUE REFERENCES incidents (number),
                PRIMARY KEY (parent_number, position),
                CHECK (child_number <> parent_number)
            );
            """,
        Postgres: """
            CREATE TABLE incident_rooms (
                incident_number BIGINT PRIMARY KEY REFERENCES incidents (number),
                severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 4),
                phase TEXT NOT NULL CHECK (phase IN ('investigating', 'identified', 'monitoring', 'resolved')),
                commander_platform TEXT NULL,
                commander_platform_user_id TEXT NULL,
                commander_display_name TEXT NULL,
                commander_user_id TEXT NULL,
                commander_since TIMESTAMPTZ NULL,
                scribe_platform TEXT NULL,
                scribe_platform_user_id TEXT NULL,
                scribe_display_name TEXT NULL,
                scribe_user_id TEXT NULL,
                scribe_since TIMESTAMPTZ NULL,
                comms_platform TEXT NULL,
                comms_platform_user_id TEXT NULL,
                comms_display_name TEXT NULL,
                comms_user_id TEXT NULL,
                comms_since TIMESTAMPTZ NULL,
                impact_started_at TIMESTAMPTZ NULL,
                impact_ended_at TIMESTAMPTZ NULL,
                last_status_update_at TIMESTAMPTZ NULL,
                next_status_update_due_at TIMESTAMPTZ NULL,
                version BIGINT NOT NULL CHECK (version >= 1),
                CHECK ((commander_platform IS NULL) = (commander_since IS NULL)),
                CHECK ((scribe_platform IS NULL) = (scribe_since IS NULL)),
                CHECK ((comms_platform IS NULL) = (comms_since IS NULL))
            );

            CREATE TABLE incident_channels (
                incident_number BIGINT NOT NULL REFERENCES incident_rooms (incident_number),
                position INTEGER NOT NULL CHECK (position >= 0),
                platform TEXT NOT NULL,
                channel_id TEXT NOT NULL,
                name TEXT NOT NULL,
                card_message_id TEXT NULL,
                PRIMARY KEY (incident_number, platform),
                UNIQUE (platform, channel_id)
            );

            CREATE TABLE incident_responders (
                incident_number BIGINT NOT NULL REFERENCES incident_rooms (incident_number),
                position INTEGER NOT NULL CHECK (position >= 0),
                platform TEXT NOT NULL,
                platform_user_id TEXT NOT NULL,
                display_name TEXT NOT NULL,
                user_id TEXT NULL,
                PRIMARY KEY (incident_number, position)
            );

            CREATE TABLE incident_links (
                parent_number BIGINT NOT NULL REFERENCES incident_rooms (incident_number),
                position INTEGER NOT NULL CHECK (position >= 0),
                child_number BIGINT NOT NULL UNIQUE REFERENCES incidents (number),
                PRIMARY KEY (parent_number, position),
                CHECK (child_number <> parent_number)
            );
            """);
}
