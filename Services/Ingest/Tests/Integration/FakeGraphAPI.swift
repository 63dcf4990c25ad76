import Foundation
import Hummingbird
import LeadIntegrationSupport
import LeadTestSupport
import Logging
import ServiceLifecycle
import Synchronization

/// A stand-in for Meta's Graph API the tests start: `GET /{version}/{leadgen-id}` answers the
/// lead registered for the id, or fails as told. It records every request it got.
final class FakeGraphAPI: Sendable {
    enum Answer: Sendable {
        case lead(String)
        case status(Int)
        /// Fail `times` times with HTTP 500, then answer the lead.
        case flaky(times: Int, lead: String)
    }

    let port: Int
    private let answers = Mutex<[String: Answer]>([:])
    private let requests = Mutex<[(id: String, authorization: String?)]>([])
    private let task: Task<Void, any Error>

    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, task: Task<Void, any Error>) {
        self.port = port
        self.task = task
    }

    /// Starts the server on a free port and waits until it answers.
    static func start() async throws -> FakeGraphAPI {
        let port = try ServiceProcess.freePort()
        let holder = Holder()
        let router = Router()
        router.get("/:version/:id") { request, context -> Response in
            let id = try context.parameters.require("id")
            guard let api = holder.api.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
            return api.answer(id: id, authorization: request.headers[.authorization])
        }
        var logger = Logger(label: "fake-graph")
        logger.logLevel = .warning
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        let api = FakeGraphAPI(port: port, task: task)
        holder.api.withLock { $0 = api }
        _ = await eventually(timeout: .seconds(20)) {
            (try? await TestHTTP.get(api.baseURL + "/v0/ping").status) != nil
        }
        return api
    }

    final class Holder: Sendable {
        let api = Mutex<FakeGraphAPI?>(nil)
    }

    func register(_ id: String, _ answer: Answer) {
        answers.withLock { $0[id] = answer }
    }

    /// How many times the id was fetched.
    func fetches(of id: String) -> Int {
        requests.withLock { $0.filter { $0.id == id }.count }
    }

    /// The Authorization headers received.
    var authorizations: [String?] { requests.withLock { $0.map(\.authorization) } }

    private func answer(id: String, authorization: String?) -> Response {
        requests.withLock { $0.append((id, authorization)) }
        let answer = answers.withLock { table -> Answer? in
            guard let answer = table[id] else { return nil }
            if case .flaky(let times, let lead) = answer {
                table[id] = times <= 1 ? .lead(lead) : .flaky(times: times - 1, lead: lead)
            }
            return answer
        }
        switch answer {
        case .lead(let json)?:
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        case .status(let code)?:
            return Response(status: .init(code: code))
        case .flaky?:
            return Response(status: .internalServerError)
        case nil:
            return Response(status: .notFound, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: #"{"error":{"message":"Unsupported get request","code":100}}"#)))
        }
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}
