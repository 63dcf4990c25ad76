import LeadStorage

/// The `routing` schema: configuration (settings, locations, teams, members, postal points),
/// rotation state, responder statistics, the routing record of each lead with its SLA timer,
/// and the assignment history.
enum RoutingMigrations {
    /// The migrations of the schema named `schema` (the service's name, a plain identifier).
    static func all(schema s: String) -> [Migration] {
        return [
            Migration(version: 1, name: "routing configuration", statements: [
                """
                CREATE TABLE \(s).settings (
                    id integer PRIMARY KEY CHECK (id = 1),
                    body jsonb NOT NULL,
                    config_version bigint NOT NULL DEFAULT 1,
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                "INSERT INTO \(s).settings (id, body) VALUES (1, '{}') ON CONFLICT DO NOTHING",
                """
                CREATE TABLE \(s).locations (
                    id text PRIMARY KEY,
                    body jsonb NOT NULL,
                    version integer NOT NULL DEFAULT 1,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE \(s).teams (
                    id text PRIMARY KEY,
                    location_id text REFERENCES \(s).locations (id),
                    body jsonb NOT NULL,
                    version integer NOT NULL DEFAULT 1,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                "CREATE INDEX teams_location ON \(s).teams (location_id)",
                """
                CREATE TABLE \(s).members (
                    id text PRIMARY KEY,
                    team_id text NOT NULL REFERENCES \(s).teams (id),
                    body jsonb NOT NULL,
                    version integer NOT NULL DEFAULT 1,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                "CREATE INDEX members_team ON \(s).members (team_id)",
                """
                CREATE TABLE \(s).postal_points (
                    country text NOT NULL,
                    postal_code text NOT NULL,
                    latitude double precision NOT NULL,
                    longitude double precision NOT NULL,
                    PRIMARY KEY (country, postal_code)
                )
                """,
            ]),
            Migration(version: 2, name: "routing state", statements: [
                """
                CREATE TABLE \(s).team_rotation (
                    team_id text PRIMARY KEY,
                    last_member_id text,
                    turns bigint NOT NULL DEFAULT 0,
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE \(s).member_stats (
                    member_id text PRIMARY KEY,
                    acknowledged bigint NOT NULL DEFAULT 0,
                    response_seconds_total double precision NOT NULL DEFAULT 0
                )
                """,
                """
                CREATE TABLE \(s).leads (
                    lead_id uuid PRIMARY KEY,
                    lead jsonb,
                    owner_id text,
                    team_id text,
                    location_id text,
                    queue text,
                    is_open boolean NOT NULL DEFAULT true,
                    is_erased boolean NOT NULL DEFAULT false,
                    collaborators text[] NOT NULL DEFAULT '{}',
                    excluded_locations text[] NOT NULL DEFAULT '{}',
                    excluded_members text[] NOT NULL DEFAULT '{}',
                    assigned_at timestamptz,
                    response_due_at timestamptz,
                    response_party text,
                    last_assignment_event_id uuid,
                    reroutes integer NOT NULL DEFAULT 0,
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                "CREATE INDEX leads_open_owner ON \(s).leads (owner_id) WHERE is_open AND owner_id IS NOT NULL",
                "CREATE INDEX leads_response_due ON \(s).leads (response_due_at) WHERE response_due_at IS NOT NULL",
                "CREATE INDEX leads_queue ON \(s).leads (queue) WHERE queue IS NOT NULL",
                """
                CREATE TABLE \(s).assignments (
                    id bigserial PRIMARY KEY,
                    lead_id uuid NOT NULL,
                    event_id uuid NOT NULL,
                    causation_event_id uuid NOT NULL,
                    owner_id text,
                    team_id text,
                    location_id text,
                    queue text,
                    previous_owner_id text,
                    previous_location_id text,
                    strategy text NOT NULL,
                    is_fallback boolean NOT NULL,
                    reason text NOT NULL,
                    note text,
                    candidates jsonb NOT NULL,
                    actor_id text NOT NULL,
                    actor_role text NOT NULL,
                    response_due_at timestamptz,
                    occurred_at timestamptz NOT NULL,
                    routed_by text NOT NULL,
                    -- One input never assigns a lead twice; also the index of a lead's history.
                    UNIQUE (lead_id, causation_event_id)
                )
                """,
            ]),
        ]
    }
}
