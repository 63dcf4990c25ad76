import LeadStorage

/// The `scoring` schema: rules versions, learned models, one state row per lead, closed-lead
/// outcomes for training, the history of published scores, and rescore jobs.
///
/// A lead's record and an outcome's facts are JSON kept as `text`, not `jsonb`: they hold what
/// arrived on the topics, and `jsonb` refuses some valid JSON (a `\u0000` escape), which must
/// never stop the stream. Rules are validated before they are stored, so they are `jsonb`.
enum ScoringMigrations {
    static func all(schema s: String) -> [Migration] {
        [
            Migration(version: 1, name: "rules, models, leads, outcomes, score changes, rescore jobs", statements: [
                """
                CREATE TABLE \(s).rule_sets (
                    version integer PRIMARY KEY CHECK (version > 0),
                    rules jsonb NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    created_by text NOT NULL,
                    note text
                )
                """,
                """
                CREATE TABLE \(s).models (
                    version integer PRIMARY KEY CHECK (version > 0),
                    model jsonb NOT NULL,
                    report jsonb NOT NULL,
                    rules_version integer NOT NULL REFERENCES \(s).rule_sets (version),
                    trained_at timestamptz NOT NULL,
                    trained_by text NOT NULL,
                    active boolean NOT NULL DEFAULT false,
                    activated_at timestamptz,
                    activated_by text
                )
                """,
                "CREATE UNIQUE INDEX models_one_active ON \(s).models ((true)) WHERE active",
                """
                CREATE TABLE \(s).leads (
                    lead_id uuid PRIMARY KEY,
                    record text NOT NULL,
                    known boolean NOT NULL DEFAULT false,
                    closed boolean NOT NULL DEFAULT false,
                    score integer,
                    priority text,
                    scored_at timestamptz,
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                "CREATE INDEX leads_open ON \(s).leads (lead_id) WHERE known AND NOT closed",
                """
                CREATE TABLE \(s).outcomes (
                    lead_id uuid PRIMARY KEY,
                    won boolean NOT NULL,
                    is_test boolean NOT NULL,
                    facts text NOT NULL,
                    closed_at timestamptz NOT NULL,
                    recorded_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE \(s).score_changes (
                    id bigserial PRIMARY KEY,
                    lead_id uuid NOT NULL,
                    event_id uuid NOT NULL UNIQUE,
                    score integer NOT NULL,
                    priority text NOT NULL,
                    previous_score integer,
                    previous_priority text,
                    rules_version integer NOT NULL,
                    model_kind text NOT NULL,
                    model_version integer,
                    causation_event_id uuid NOT NULL,
                    scored_at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX score_changes_by_lead ON \(s).score_changes (lead_id, id)",
                """
                CREATE TABLE \(s).rescore_jobs (
                    id uuid PRIMARY KEY,
                    reason text NOT NULL CHECK (reason IN ('manual', 'recency')),
                    requested_by text NOT NULL,
                    requested_at timestamptz NOT NULL,
                    cursor uuid,
                    scanned integer NOT NULL DEFAULT 0,
                    republished integer NOT NULL DEFAULT 0,
                    started_at timestamptz,
                    finished_at timestamptz
                )
                """,
                "CREATE INDEX rescore_jobs_unfinished ON \(s).rescore_jobs (requested_at) WHERE finished_at IS NULL",
            ]),
            Migration(version: 2, name: "merged leads point at their survivor", statements: [
                "ALTER TABLE \(s).leads ADD COLUMN merged_into uuid",
                "CREATE INDEX leads_merged_into ON \(s).leads (merged_into) WHERE merged_into IS NOT NULL",
            ]),
        ]
    }
}
