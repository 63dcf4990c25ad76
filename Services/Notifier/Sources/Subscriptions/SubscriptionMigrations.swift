import LeadStorage

/// Tables of outbound subscriptions: the subscriptions, one delivery row per matching event and
/// subscription (unique), and the lead facts filters need (source) from events that carry them.
enum SubscriptionMigrations {
    static func all(schema s: String) -> [Migration] {
        [
            Migration(version: 2, name: "outbound event subscriptions", statements: [
                """
                CREATE TABLE \(s).subscriptions (
                    id uuid PRIMARY KEY,
                    name text,
                    url text NOT NULL,
                    secret text NOT NULL,
                    filter jsonb NOT NULL,
                    state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'paused')),
                    paused_reason text,
                    paused_at timestamptz,
                    consecutive_failures integer NOT NULL DEFAULT 0,
                    failing_since timestamptz,
                    last_delivered_at timestamptz,
                    last_error text,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    updated_by text NOT NULL
                )
                """,
                """
                CREATE TABLE \(s).subscription_deliveries (
                    id uuid PRIMARY KEY,
                    seq bigserial NOT NULL UNIQUE,
                    subscription_id uuid NOT NULL REFERENCES \(s).subscriptions (id) ON DELETE CASCADE,
                    event_id uuid NOT NULL,
                    event_type text NOT NULL,
                    lead_id uuid NOT NULL,
                    occurred_at timestamptz NOT NULL,
                    body bytea,
                    state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'delivered')),
                    attempts integer NOT NULL DEFAULT 0,
                    next_attempt_at timestamptz NOT NULL,
                    last_attempt_at timestamptz,
                    last_error text,
                    last_status_code integer,
                    last_duration_ms integer,
                    lease_owner text,
                    lease_token uuid,
                    lease_until timestamptz,
                    delivered_at timestamptz,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    UNIQUE (subscription_id, event_id)
                )
                """,
                """
                CREATE INDEX subscription_deliveries_open ON \(s).subscription_deliveries (subscription_id, lead_id, seq)
                WHERE state IN ('pending', 'sending')
                """,
                "CREATE INDEX subscription_deliveries_history ON \(s).subscription_deliveries (subscription_id, seq)",
                """
                CREATE TABLE \(s).subscription_lead_facts (
                    lead_id uuid PRIMARY KEY,
                    source_id text,
                    location_id text
                )
                """,
            ]),
        ]
    }
}
