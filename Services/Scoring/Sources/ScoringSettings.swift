import Foundation
import LeadServiceKit

/// The scoring service's own settings, from `LEADFLOW_SCORING_*` variables.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `LEADFLOW_SCORING_RECENCY_SWEEP_SECONDS` | `3600` | how often every open lead is rescored so recency decay lowers silent leads (`0`: never) |
/// | `LEADFLOW_SCORING_RESCORE_BATCH` | `200` | leads per rescore transaction |
/// | `LEADFLOW_SCORING_RESCORE_POLL_MS` | `1000` | how often an idle instance looks for rescore work |
struct ScoringSettings: Sendable {
    /// The service's schema name.
    var schema: String
    /// How often the recency sweep runs; `nil`: never.
    var recencySweepInterval: Duration?
    /// Leads per rescore batch.
    var rescoreBatchSize: Int
    /// Idle poll interval of the rescore worker.
    var rescorePollInterval: Duration

    init(schema: String, environment: [String: String]) throws {
        let env = EnvironmentReader(environment)
        self.schema = schema
        let sweep = try env.int("LEADFLOW_SCORING_RECENCY_SWEEP_SECONDS", default: 3600, in: 0...31_536_000)
        recencySweepInterval = sweep == 0 ? nil : .seconds(sweep)
        rescoreBatchSize = try env.int("LEADFLOW_SCORING_RESCORE_BATCH", default: 200, in: 1...10_000)
        rescorePollInterval = .milliseconds(try env.int("LEADFLOW_SCORING_RESCORE_POLL_MS", default: 1000, in: 10...600_000))
    }
}
