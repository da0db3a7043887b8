namespace OnCallBot.Storage.Migrations;

/// <summary>
/// What makes a page's record truthful and its delivery cheap: a lease per escalation step, so two runs of one step
/// never overlap (held by <c>holder</c> until <c>lease_until</c>, or given back: <c>released</c>); each notification's
/// outcome (<c>delivered_at</c>, when the platform accepted it, or <c>failure</c>, its refusal); and each person's
/// direct conversation with the bot per platform, so it is opened once and reused.
/// </summary>
internal static class M0004StepLeasesAndDirectConversations
{
    public static Migration Migration { get; } = new(
        4,
        "escalation step leases, notification outcomes and direct conversations",
        Sqlite: """
            CREATE TABLE escalation_step_leases (
                incident_number INTEGER NOT NULL REFERENCES incidents (number),
                step INTEGER NOT NULL CHECK (step >= 0),
                holder TEXT NOT NULL,
                taken_at TEXT NOT NULL,
                lease_until TEXT NOT NULL,
                released INTEGER NOT NULL CHECK (released IN (0, 1)),
                PRIMARY KEY (incident_number, step)
            );

            ALTER TABLE incident_notifications ADD COLUMN delivered_at TEXT NULL;
            ALTER TABLE incident_notifications ADD COLUMN failure TEXT NULL;

            CREATE TABLE direct_conversations (
                platform TEXT NOT NULL,
                platform_user_id TEXT NOT NULL,
                conversation_id TEXT NOT NULL,
                PRIMARY KEY (platform, platform_user_id)
            );
            """,
        Postgres: """
            CREATE TABLE escalation_step_leases (
                incident_number BIGINT NOT NULL REFERENCES incidents (number),
                step INTEGER NOT NULL CHECK (step >= 0),
                holder TEXT NOT NULL,
                taken_at TIMESTAMPTZ NOT NULL,
                lease_until TIMESTAMPTZ NOT NULL,
                released BOOLEAN NOT NULL,
                PRIMARY KEY (incident_number, step)
            );

            ALTER TABLE incident_notifications ADD COLUMN delivered_at TIMESTAMPTZ NULL;
            ALTER TABLE incident_notifications ADD COLUMN failure TEXT NULL;

            CREATE TABLE direct_conversations (
                platform TEXT NOT NULL,
                platform_user_id TEXT NOT NULL,
                conversation_id TEXT NOT NULL,
                PRIMARY KEY (platform, platform_user_id)
            );
            """);
}
