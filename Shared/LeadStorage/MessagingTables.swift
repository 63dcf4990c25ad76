extension MigrationSet {
    /// The tables every service schema needs for exactly-once effects (DESIGN.md, "Delivery guarantees"):
    /// `processed_events` (the idempotency record: event id per consumer) and `outbox`
    /// (events written in the same transaction as the state change, published by ``OutboxRelay``).
    public static func messagingTables(schema: SQLIdentifier) -> MigrationSet {
        let s = schema.name
        return MigrationSet(
            name: "\(s).messaging",
            schema: schema,
            migrations: [
                Migration(
                    version: 1,
                    name: "processed events and outbox",
                    statements: [
                        """
                        CREATE TABLE IF NOT EXISTS \(s).processed_events (
                            consumer text NOT NULL,
                            event_id uuid NOT NULL,
                            processed_at timestamptz NOT NULL DEFAULT now(),
                            PRIMARY KEY (consumer, event_id)
                        )
                        """,
                        """
                        CREATE TABLE IF NOT EXISTS \(s).outbox (
                            id bigserial PRIMARY KEY,
                            topic text NOT NULL,
                            message_key text,
                            payload bytea NOT NULL,
                            headers jsonb NOT NULL DEFAULT '[]',
                            created_at timestamptz NOT NULL DEFAULT now(),
                            published_at timestamptz
                        )
                        """,
                        """
                        CREATE INDEX IF NOT EXISTS outbox_unpublished
                            ON \(s).outbox (id) WHERE published_at IS NULL
                        """,
                    ]
                ),
            ]
        )
    }
}
