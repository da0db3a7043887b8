namespace OnCallBot.Storage.Migrations;

/// <summary>The last good on-call config, and the schedule overrides added from chat.</summary>
internal static class M0001Initial
{
    public static Migration Migration { get; } = new(
        1,
        "config snapshots and schedule overrides",
        Sqlite: """
            CREATE TABLE config_snapshots (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                source_path TEXT NOT NULL,
                content TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                loaded_at TEXT NOT NULL
            );

            CREATE TABLE schedule_overrides (
                id TEXT PRIMARY KEY,
                schedule_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                starts_at TEXT NOT NULL,
                ends_at TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at TEXT NOT NULL,
                reason TEXT NULL,
                CHECK (ends_at > starts_at)
            );

            CREATE INDEX ix_schedule_overrides_schedule_window ON schedule_overrides (schedule_id, starts_at, ends_at);
            """,
        Postgres: """
            CREATE TABLE config_snapshots (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                source_path TEXT NOT NULL,
                content TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                loaded_at TIMESTAMPTZ NOT NULL
            );

            CREATE TABLE schedule_overrides (
                id UUID PRIMARY KEY,
                schedule_id TEXT NOT NULL,
                user_id TEXT NOT NULL,
                starts_at TIMESTAMPTZ NOT NULL,
                ends_at TIMESTAMPTZ NOT NULL,
                created_by TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                reason TEXT NULL,
                CHECK (ends_at > starts_at)
            );

            CREATE INDEX ix_schedule_overrides_schedule_window ON schedule_overrides (schedule_id, starts_at, ends_at);
            """);
}
