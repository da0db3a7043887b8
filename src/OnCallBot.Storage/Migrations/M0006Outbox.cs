namespace OnCallBot.Storage.Migrations;

/// <summary>
/// The outbox (<see cref="Core.Ports.IOutboxStore"/>): work for the chat platforms, written before it is attempted.
/// Ids only grow (SQLite's AUTOINCREMENT, PostgreSQL's identity), since they are the order work goes out in. The
/// first index finds each incident's oldest item per lane; the second finds a waiting item to coalesce into.
/// </summary>
internal static class M0006Outbox
{
    public static Migration Migration { get; } = new(
        6,
        "outbox of work for the chat platforms",
        Sqlite: """
            CREATE TABLE outbox (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                platform TEXT NOT NULL,
                lane INTEGER NOT NULL CHECK (lane BETWEEN 0 AND 2),
                incident_number INTEGER NOT NULL,
                kind TEXT NOT NULL,
                conversation TEXT NULL,
                coalesce_key TEXT NULL,
                payload TEXT NOT NULL,
                enqueued_at TEXT NOT NULL,
                not_before TEXT NOT NULL,
                claimed_until TEXT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                last_error TEXT NULL
            );

            CREATE INDEX ix_outbox_incident_order ON outbox (platform, lane, incident_number, id);
            CREATE INDEX ix_outbox_coalesce ON outbox (platform, coalesce_key) WHERE coalesce_key IS NOT NULL;
            """,
        Postgres: """
            CREATE TABLE outbox (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                platform TEXT NOT NULL,
                lane INTEGER NOT NULL CHECK (lane BETWEEN 0 AND 2),
                incident_number BIGINT NOT NULL,
                kind TEXT NOT NULL,
                conversation TEXT NULL,
                coalesce_key TEXT NULL,
                payload TEXT NOT NULL,
                enqueued_at TIMESTAMPTZ NOT NULL,
                not_before TIMESTAMPTZ NOT NULL,
                claimed_until TIMESTAMPTZ NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                last_error TEXT NULL
            );

            CREATE INDEX ix_outbox_incident_order ON outbox (platform, lane, incident_number, id);
            CREATE INDEX ix_outbox_coalesce ON outbox (platform, coalesce_key) WHERE coalesce_key IS NOT NULL;
            """);
}
