import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

/// `leadctl import FILE`: uploads a CSV file to ingest (streamed from disk) and shows the job's
/// progress while it runs, then the counts and the refused rows.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import a CSV file of leads through ingest, with a progress bar.",
        discussion: """
            The header row names the columns (email, phone, first name, last name, zip, make, model, …; \
            unknown columns become custom fields). Rows are stored while the file uploads; refused rows \
            are listed at the end. Exits 1 when the import failed, 2 when some rows were refused.
            """)

    @Argument(help: "The CSV file.")
    var file: String

    @Option(help: "Ingest's base URL (default: LEADFLOW_PUBLIC_INGEST_URL or http://127.0.0.1:8081).")
    var url: String?

    @Option(help: "A source's API key (default: LEADFLOW_API_KEY).")
    var apiKey: String?

    @Option(help: "A bearer token of a platform admin (default: LEADFLOW_OPERATOR_TOKEN).")
    var token: String?

    @Option(help: "The source to import for (admins; integrations default to their own).")
    var sourceId: String?

    @Option(help: "Show at most this many refused rows.")
    var showErrors: Int = 20

    func run() async throws {
        let endpoint = try IngestEndpoint.resolve(url: url, apiKey: apiKey, token: token)
        guard let handle = FileHandle(forReadingAtPath: file) else { throw CLIError("cannot read \(file)") }
        let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0
        let jobId = UUID().uuidString.lowercased()
        var query = "?jobId=\(jobId)"
        if let sourceId { query += "&sourceId=\(sourceId.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? sourceId)" }
        var request = HTTPClientRequest(url: endpoint.baseURL + "/v1/leads/import" + query)
        request.method = .POST
        for (name, value) in endpoint.credentials { request.headers.add(name: name, value: value) }
        request.headers.add(name: "Content-Type", value: "text/csv")
        request.body = .stream(FileChunks(handle: handle), length: .known(size))

        let bar = ProgressBar(total: size)
        let upload = Task { () throws -> (Int, [UInt8]) in
            let response = try await HTTPClient.shared.execute(request, timeout: .hours(6))
            let body = try await response.body.collect(upTo: 64 << 20)
            return (Int(response.status.code), Array(body.readableBytesView))
        }
        let progress = Task {
            while !Task.isCancelled {
                if let (status, body) = try? await endpoint.send(.GET, "/v1/imports/\(jobId)"), status == 200 {
                    bar.show(body.jsonObject)
                }
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        let result = await upload.result
        progress.cancel()
        let (status, body) = try result.get()
        let job = body.jsonObject
        bar.show(job, final: true)
        guard status == 202 else {
            let problem = body.jsonObject
            print("import \(jobId) failed: HTTP \(status) \(problem["code"] as? String ?? "") — \(problem["detail"] as? String ?? body.text)")
            throw ExitCode(1)
        }
        print("""
            import \(jobId): \(job["rowsRead"] as? Int ?? 0) rows — \(job["accepted"] as? Int ?? 0) new, \
            \(job["merged"] as? Int ?? 0) merged into existing leads, \(job["redelivered"] as? Int ?? 0) already known, \
            \(job["rejected"] as? Int ?? 0) refused
            """)
        let errors = job["errors"] as? [[String: Any]] ?? []
        for error in errors.prefix(showErrors) {
            print("  row \(error["row"] as? Int ?? 0) (line \(error["line"] as? Int ?? 0)): \(error["code"] as? String ?? "") \(error["field"] as? String ?? "") — \(error["detail"] as? String ?? "")")
        }
        if errors.count > showErrors { print("  … and \(errors.count - showErrors) more (GET /v1/imports/\(jobId))") }
        if (job["rejected"] as? Int ?? 0) > 0 { throw ExitCode(2) }
    }
}

/// Reads a file in 64 KiB chunks as the upload body.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let handle: FileHandle

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle
        mutating func next() async throws -> ByteBuffer? {
            let data = try handle.read(upToCount: 64 << 10) ?? Data()
            return data.isEmpty ? nil : ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(handle: handle) }
}

/// A one-line progress bar on standard error (plain lines, only on change, when it is not a terminal).
final class ProgressBar: Sendable {
    let total: Int64
    let isTerminal = isatty(STDERR_FILENO) == 1
    private let lastLine = Mutex("")

    init(total: Int64) { self.total = total }

    func show(_ job: [String: Any], final: Bool = false) {
        let bytes = Int64(job["bytesRead"] as? Int ?? 0)
        let fraction = total > 0 ? min(1, Double(bytes) / Double(total)) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let line = "[\(String(repeating: "#", count: filled))\(String(repeating: "-", count: width - filled))] "
            + "\(Int(fraction * 100))%  rows \(job["rowsRead"] as? Int ?? 0)  new \(job["accepted"] as? Int ?? 0)  "
            + "merged \(job["merged"] as? Int ?? 0)  refused \(job["rejected"] as? Int ?? 0)"
        let changed = lastLine.withLock { last in
            defer { last = line }
            return last != line
        }
        guard isTerminal || changed else { return }
        FileHandle.standardError.write(Data((isTerminal ? "\r\u{1B}[K" + line + (final ? "\n" : "") : line + "\n").utf8))
    }
}
