import LeadStorage

/// The `ingest` schema: leads with their access facts, de-duplication keys, source-native ids,
/// sources and their API keys, tasks and appointments (for validating commands), used
/// action-link nonces, CSV import jobs, and the Meta lead fetch queue.
enum IngestMigrations {
    static let all: [Migration] = [
        Migration(version: 1, name: "leads, dedup keys, sources and API keys, commands, imports, meta fetches", statements: [
            """
            CREATE TABLE ingest.leads (
                id uuid PRIMARY KEY,
                source_id text NOT NULL,
                snapshot jsonb NOT NULL,
                location_id text,
                team_id text,
                owner_id text,
                collaborators text[] NOT NULL DEFAULT '{}',
                is_test boolean NOT NULL DEFAULT false,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                erased_at timestamptz
            )
            """,
            "CREATE INDEX leads_location ON ingest.leads (location_id)",
            "CREATE INDEX leads_owner ON ingest.leads (owner_id)",
            """
            CREATE TABLE ingest.dedup_keys (
                key text PRIMARY KEY,
                lead_id uuid NOT NULL REFERENCES ingest.leads (id) ON DELETE CASCADE,
                last_seen_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX dedup_keys_lead ON ingest.dedup_keys (lead_id)",
            """
            CREATE TABLE ingest.source_lead_ids (
                source_id text NOT NULL,
                source_lead_id text NOT NULL,
                lead_id uuid NOT NULL REFERENCES ingest.leads (id) ON DELETE CASCADE,
                received_at timestamptz NOT NULL,
                PRIMARY KEY (source_id, source_lead_id)
            )
            """,
            """
            CREATE TABLE ingest.sources (
                id text PRIMARY KEY,
                name text NOT NULL,
                channel text NOT NULL,
                partner text,
                rate_limit_per_minute integer,
                created_at timestamptz NOT NULL DEFAULT now(),
                disabled_at timestamptz
            )
            """,
            """
            CREATE TABLE ingest.api_keys (
                key_id text PRIMARY KEY,
                source_id text NOT NULL REFERENCES ingest.sources (id),
                secret_hash bytea NOT NULL,
                label text,
                created_at timestamptz NOT NULL,
                expires_at timestamptz,
                revoked_at timestamptz
            )
            """,
            "CREATE INDEX api_keys_source ON ingest.api_keys (source_id)",
            """
            CREATE TABLE ingest.lead_tasks (
                lead_id uuid NOT NULL REFERENCES ingest.leads (id) ON DELETE CASCADE,
                task_id text NOT NULL,
                due_at timestamptz NOT NULL,
                completed_at timestamptz,
                PRIMARY KEY (lead_id, task_id)
            )
            """,
            """
            CREATE TABLE ingest.lead_appointments (
                lead_id uuid NOT NULL REFERENCES ingest.leads (id) ON DELETE CASCADE,
                appointment_id text NOT NULL,
                at timestamptz NOT NULL,
                kept boolean,
                PRIMARY KEY (lead_id, appointment_id)
            )
            """,
            """
            CREATE TABLE ingest.action_nonces (
                nonce text PRIMARY KEY,
                lead_id uuid NOT NULL,
                action text NOT NULL,
                used_at timestamptz NOT NULL
            )
            """,
            """
            CREATE TABLE ingest.imports (
                id uuid PRIMARY KEY,
                source_id text NOT NULL,
                created_by text NOT NULL,
                status text NOT NULL,
                bytes_read bigint NOT NULL DEFAULT 0,
                rows_read integer NOT NULL DEFAULT 0,
                accepted integer NOT NULL DEFAULT 0,
                merged integer NOT NULL DEFAULT 0,
                redelivered integer NOT NULL DEFAULT 0,
                rejected integer NOT NULL DEFAULT 0,
                failure text,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                finished_at timestamptz
            )
            """,
            """
            CREATE TABLE ingest.import_errors (
                import_id uuid NOT NULL REFERENCES ingest.imports (id) ON DELETE CASCADE,
                row_number integer NOT NULL,
                line integer NOT NULL,
                code text NOT NULL,
                field text,
                rule text,
                detail text NOT NULL,
                PRIMARY KEY (import_id, row_number)
            )
            """,
            """
            CREATE TABLE ingest.meta_fetches (
                leadgen_id text PRIMARY KEY,
                source_id text NOT NULL,
                notice jsonb NOT NULL,
                status text NOT NULL,
                attempts integer NOT NULL DEFAULT 0,
                next_attempt_at timestamptz NOT NULL,
                last_error text,
                lead_id uuid,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX meta_fetches_due ON ingest.meta_fetches (next_attempt_at) WHERE status = 'pending'",
            """
            CREATE TABLE ingest.command_keys (
                principal text NOT NULL,
                idempotency_key text NOT NULL,
                lead_id uuid NOT NULL,
                response jsonb NOT NULL,
                created_at timestamptz NOT NULL,
                PRIMARY KEY (principal, idempotency_key)
            )
            """,
        ]),
        Migration(version: 2, name: "lead merges (snapshots for unmerge)", statements: [
            """
            CREATE TABLE ingest.lead_merges (
                merged_lead_id uuid PRIMARY KEY REFERENCES ingest.leads (id) ON DELETE CASCADE,
                survivor_id uuid NOT NULL REFERENCES ingest.leads (id) ON DELETE CASCADE,
                merge_event_id uuid NOT NULL,
                position integer NOT NULL,
                merged_at timestamptz NOT NULL,
                merged_by text NOT NULL,
                snapshot jsonb NOT NULL,
                survivor_before jsonb NOT NULL,
                survivor_after jsonb NOT NULL,
                dedup_keys text[] NOT NULL DEFAULT '{}',
                task_ids text[] NOT NULL DEFAULT '{}',
                appointment_ids text[] NOT NULL DEFAULT '{}'
            )
            """,
            "CREATE INDEX lead_merges_survivor ON ingest.lead_merges (survivor_id)",
        ]),
    ]
}
