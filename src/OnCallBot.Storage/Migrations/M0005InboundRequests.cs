namespace OnCallBot.Storage.Migrations;

/// <summary>
/// The chat requests received lately (<see cref="Core.Ports.IInboundRequestStore"/>): one row per request key, so a
/// request delivered again is refused by the primary key, on every host. Rows are deleted once expired; the index on
/// <c>expires_at</c> keeps that cheap.
/// </summary>
internal static class M0005InboundRequests
{
    public static Migration Migration { get; } = new(
        5,
        "inbound requests received lately, for deduplication",
        Sqlite: """
            CREATE TABLE inbound_requests (
                request_key TEXT PRIMARY KEY,
                received_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                CHECK (expires_at > received_at)
            );

            CREATE INDEX ix_inbound_requests_expires ON inbound_requests (expires_at);
            """,
        Postgres: """
            CREATE TABLE inbound_requests (
                request_key TEXT PRIMARY KEY,
                received_at TIMESTAMPTZ NOT NULL,
                expires_at TIMESTAMPTZ NOT NULL,
                CHECK (expires_at > received_at)
            );

            CREATE INDEX ix_inbound_requests_expires ON inbound_requests (expires_at);
            """);
}
