import LeadModel
import LeadStorage

/// The notifier's schema: templates, recipients directory, tracked leads, scheduled jobs,
/// deliveries and default tasks, with the default templates and tasks seeded.
public enum NotifierMigrations {
    /// Every migration, in order.
    public static func all(schema s: String) -> [Migration] {
        [
            Migration(version: 1, name: "templates, recipients, leads, jobs, deliveries, default tasks", statements: [
                """
                CREATE TABLE \(s).templates (
                    kind text NOT NULL,
                    channel text NOT NULL,
                    subject text,
                    body_text text NOT NULL,
                    body_html text,
                    version integer NOT NULL DEFAULT 1,
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    updated_by text NOT NULL DEFAULT 'system:notifier',
                    PRIMARY KEY (kind, channel)
                )
                """,
                """
                CREATE TABLE \(s).recipients (
                    id text PRIMARY KEY,
                    kind text NOT NULL CHECK (kind IN ('member', 'location_contact', 'webhook')),
                    name text,
                    email text,
                    phone text,
                    webhook_url text,
                    webhook_secret text,
                    channels text[] NOT NULL DEFAULT '{}',
                    time_zone text NOT NULL DEFAULT 'UTC',
                    quiet_start integer,
                    quiet_end integer,
                    include_collaborators boolean NOT NULL DEFAULT false,
                    location_id text,
                    team_id text,
                    purposes text[] NOT NULL DEFAULT '{}',
                    active boolean NOT NULL DEFAULT true,
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    updated_by text NOT NULL
                )
                """,
                "CREATE INDEX recipients_by_location ON \(s).recipients (location_id, kind)",
                """
                CREATE TABLE \(s).leads (
                    lead_id uuid PRIMARY KEY,
                    snapshot jsonb,
                    owner_id text,
                    location_id text,
                    team_id text,
                    collaborators text[] NOT NULL DEFAULT '{}',
                    location_response text,
                    location_response_at timestamptz,
                    pipeline_id text NOT NULL DEFAULT 'default',
                    pipeline_status text,
                    follow_up_delay jsonb,
                    alerted_owner_id text,
                    alerted_location_id text,
                    erased boolean NOT NULL DEFAULT false,
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE \(s).jobs (
                    id uuid PRIMARY KEY,
                    job_key text NOT NULL UNIQUE,
                    lead_id uuid NOT NULL REFERENCES \(s).leads (lead_id) ON DELETE CASCADE,
                    kind text NOT NULL,
                    subject text,
                    payload jsonb NOT NULL,
                    due_at timestamptz NOT NULL,
                    occurrence integer NOT NULL DEFAULT 0,
                    state text NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'done', 'cancelled')),
                    created_by text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    fired_by text,
                    last_fired_at timestamptz
                )
                """,
                "CREATE INDEX jobs_due ON \(s).jobs (due_at) WHERE state = 'scheduled'",
                "CREATE INDEX jobs_by_lead ON \(s).jobs (lead_id, kind) WHERE state = 'scheduled'",
                """
                CREATE TABLE \(s).deliveries (
                    id uuid PRIMARY KEY,
                    notification_key text NOT NULL UNIQUE,
                    lead_id uuid NOT NULL,
                    kind text NOT NULL,
                    purpose text NOT NULL,
                    channel text NOT NULL,
                    recipient_id text NOT NULL,
                    recipient_kind text NOT NULL,
                    recipient_name text,
                    address text,
                    address_hash text,
                    masked_address text,
                    subject text,
                    body_text text,
                    body_html text,
                    payload bytea,
                    cause_event_id uuid,
                    state text NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'suppressed', 'cancelled')),
                    due_at timestamptz NOT NULL,
                    attempts integer NOT NULL DEFAULT 0,
                    last_error text,
                    lease_owner text,
                    lease_token uuid,
                    lease_until timestamptz,
                    sent_by text,
                    sent_at timestamptz,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                "CREATE INDEX deliveries_due ON \(s).deliveries (due_at) WHERE state IN ('pending', 'sending')",
                "CREATE INDEX deliveries_by_lead ON \(s).deliveries (lead_id, created_at)",
                "CREATE INDEX deliveries_by_state ON \(s).deliveries (state, updated_at)",
                """
                CREATE TABLE \(s).default_tasks (
                    category text NOT NULL,
                    position integer NOT NULL,
                    title text NOT NULL,
                    due_after_seconds integer NOT NULL,
                    PRIMARY KEY (category, position)
                )
                """,
                seedTemplates(schema: s),
                seedDefaultTasks(schema: s),
            ]),
        ] + SubscriptionMigrations.all(schema: s) + [
            Migration(version: 3, name: "jobs carried over to a merge survivor remember their lead", statements: [
                "ALTER TABLE \(s).jobs ADD COLUMN moved_from_lead uuid",
                "CREATE INDEX jobs_moved_from ON \(s).jobs (moved_from_lead) WHERE moved_from_lead IS NOT NULL AND state = 'scheduled'",
            ]),
        ]
    }

    private static func literal(_ text: String?) -> String {
        guard let text else { return "NULL" }
        return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    private static func seedTemplates(schema s: String) -> String {
        let rows = DefaultTemplates.all.map { key, content in
            "(\(literal(key.kind.rawValue)), \(literal(key.channel.rawValue)), \(literal(content.subject)), \(literal(content.text)), \(literal(content.html)))"
        }
        return "INSERT INTO \(s).templates (kind, channel, subject, body_text, body_html) VALUES\n"
            + rows.joined(separator: ",\n") + "\nON CONFLICT DO NOTHING"
    }

    private static func seedDefaultTasks(schema s: String) -> String {
        let rows = LeadCategory.allCases.flatMap { category in
            (DefaultTask.seed[category] ?? []).enumerated().map { index, task in
                "(\(literal(category.rawValue)), \(index), \(literal(task.title)), \(task.dueAfterSeconds))"
            }
        }
        return "INSERT INTO \(s).default_tasks (category, position, title, due_after_seconds) VALUES\n"
            + rows.joined(separator: ",\n") + "\nON CONFLICT DO NOTHING"
    }
}
