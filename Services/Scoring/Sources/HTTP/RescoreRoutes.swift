import Foundation
import Hummingbird
import LeadModel
import LeadServiceKit

extension ScoringAPI {
    /// `POST /v1/scoring/rescore`: queues a job that rescores every open lead with the scoring in
    /// force and re-publishes those whose score or priority changed. 202 with the job and its
    /// `Location`.
    func startRescore(_ context: LeadflowRequestContext) async throws -> Response {
        let principal = try requireAdmin(context)
        let job = try await jobs.enqueue(.manual, by: principal.description, at: clock(), client: client)
        worker.wake()
        logger.info("rescore queued", metadata: ["job": "\(job.id)", "by": "\(principal)"])
        return try .json(job, status: .accepted, headers: [.location: "/v1/scoring/rescore/\(job.id.uuidString.lowercased())"])
    }

    /// `GET /v1/scoring/rescore/{jobId}`: a job's progress.
    func rescoreJob(_ context: LeadflowRequestContext) async throws -> Response {
        _ = try requireAdmin(context)
        guard let id = context.parameters.get("jobId").flatMap(UUID.init(uuidString:)),
              let job = try await jobs.job(id, client: client)
        else { throw Problem.notFound("no such rescore job") }
        return try .json(job)
    }
}
