import LeadStorage

/// The tables of one projection: the read models analytics builds from events, with their own
/// idempotency record. The live projection lives in schema `analytics_projection`; a rebuild
/// fills a fresh schema with the same tables and then swaps it in (see `ProjectionRebuilder`).
public enum ProjectionSchema {
    /// The schema the service reads and writes.
    public static let live = try! SQLIdentifier("analytics_projection")

    /// The tables every projection schema holds, in the order a live apply first touches them
    /// (a swap locks them in this order).
    public static let tables = ["processed_events", "leads", "lead_events", "lead_appointments", "lead_merges", "dead_letters", "outbox"]

    /// The statements creating a projection in `schema` (which must not exist yet or be empty).
    public static func createStatements(schema: SQLIdentifier) -> [String] {
        let s = schema.name
        return ["CREATE SCHEMA IF NOT EXISTS \(s)"]
            + MigrationSet.messagingTables(schema: schema).migrations.flatMap(\.statements)
            + [
                """
                CREATE TABLE IF NOT EXISTS \(s).leads (
                    lead_id uuid PRIMARY KEY,
                    known boolean NOT NULL DEFAULT false,
                    state jsonb NOT NULL DEFAULT '{}',
                    facts jsonb,
                    created_at timestamptz,
                    last_activity_at timestamptz,
                    source_id text,
                    channel text,
                    location_id text,
                    team_id text,
                    owner_id text,
                    collaborators text[] NOT NULL DEFAULT '{}',
                    lifecycle_stage text,
                    pipeline_status text,
                    priority text,
                    score integer,
                    is_test boolean NOT NULL DEFAULT false,
                    has_vehicle boolean NOT NULL DEFAULT false,
                    vehicle_type text,
                    next_due_at timestamptz,
                    outcome text,
                    closed_at timestamptz,
                    first_response_at timestamptz,
                    full_name text,
                    primary_email text,
                    primary_phone text,
                    search tsvector NOT NULL DEFAULT ''::tsvector,
                    event_count integer NOT NULL DEFAULT 0,
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                "CREATE INDEX IF NOT EXISTS leads_created ON \(s).leads (created_at DESC, lead_id DESC) WHERE known",
                "CREATE INDEX IF NOT EXISTS leads_owner ON \(s).leads (owner_id) WHERE known",
                "CREATE INDEX IF NOT EXISTS leads_location ON \(s).leads (location_id) WHERE known",
                "CREATE INDEX IF NOT EXISTS leads_team ON \(s).leads (team_id) WHERE known",
                "CREATE INDEX IF NOT EXISTS leads_collaborators ON \(s).leads USING gin (collaborators)",
                "CREATE INDEX IF NOT EXISTS leads_search ON \(s).leads USING gin (search)",
                "CREATE INDEX IF NOT EXISTS leads_next_due ON \(s).leads (next_due_at) WHERE next_due_at IS NOT NULL",
                """
                CREATE TABLE IF NOT EXISTS \(s).lead_events (
                    sequence bigserial PRIMARY KEY,
                    event_id uuid NOT NULL UNIQUE,
                    lead_id uuid NOT NULL,
                    topic text NOT NULL,
                    event_type text NOT NULL,
                    kind text NOT NULL,
                    occurred_at timestamptz NOT NULL,
                    actor_id text NOT NULL,
                    actor_role text NOT NULL,
                    summary text NOT NULL,
                    payload jsonb NOT NULL
                )
                """,
                "CREATE INDEX IF NOT EXISTS lead_events_lead ON \(s).lead_events (lead_id, occurred_at, sequence)",
                "CREATE INDEX IF NOT EXISTS lead_events_time ON \(s).lead_events (occurred_at)",
                """
                CREATE TABLE IF NOT EXISTS \(s).lead_appointments (
                    lead_id uuid NOT NULL,
                    appointment_id text NOT NULL,
                    at timestamptz NOT NULL,
                    kind text NOT NULL,
                    kept boolean,
                    PRIMARY KEY (lead_id, appointment_id)
                )
                """,
                "CREATE INDEX IF NOT EXISTS lead_appointments_at ON \(s).lead_appointments (at)",
                """
                CREATE TABLE IF NOT EXISTS \(s).lead_merges (
                    merged_lead_id uuid PRIMARY KEY,
                    survivor_id uuid NOT NULL
                )
                """,
                "CREATE INDEX IF NOT EXISTS lead_merges_survivor ON \(s).lead_merges (survivor_id)",
                """
                CREATE TABLE IF NOT EXISTS \(s).dead_letters (
                    event_id uuid PRIMARY KEY,
                    lead_id uuid,
                    stage text NOT NULL,
                    error_code text NOT NULL,
                    original_topic text NOT NULL,
                    failed_at timestamptz NOT NULL
                )
                """,
            ]
    }

    /// The service's own tables (not rebuilt from events): configuration and dashboard logins.
    public static let serviceStatements: [String] = [
        """
        CREATE TABLE IF NOT EXISTS analytics.source_costs (
            source_id text PRIMARY KEY,
            cost_per_lead numeric NOT NULL CHECK (cost_per_lead >= 0),
            currency text NOT NULL,
            updated_by text NOT NULL,
            updated_at timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS analytics.dashboard_login_codes (
            code_hash text PRIMARY KEY,
            session text NOT NULL,
            expires_at timestamptz NOT NULL,
            used_at timestamptz
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS analytics.metrics_windows (
            window_start timestamptz PRIMARY KEY,
            fingerprint text NOT NULL,
            revision integer NOT NULL,
            published_at timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS analytics.metrics_state (
            id integer PRIMARY KEY CHECK (id = 1),
            next_window timestamptz NOT NULL
        )
        """,
    ]

    /// The service's migrations: its own tables and the live projection.
    public static var migrations: [Migration] {
        [
            Migration(version: 1, name: "service tables", statements: serviceStatements),
            Migration(version: 2, name: "live projection", statements: createStatements(schema: live)),
        ]
    }
}
