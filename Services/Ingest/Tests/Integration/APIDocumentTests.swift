import Foundation
import LeadIntegrationSupport
import LeadTestSupport
import Testing
@testable import LeadIngest

/// The OpenAPI document served at `GET /v1/openapi.json` is valid OpenAPI 3.1 (checked by
/// `openapi-spec-validator`), equals the checked-in Schemas/openapi.json, embeds the lead JSON
/// Schema, which accepts what ingest accepts (checked by `jsonschema`).
@Suite("API documents: OpenAPI and the lead JSON Schema")
struct APIDocumentTests {
    static let schemas = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Schemas")

    static func python() throws -> URL {
        let run = ProcessInfo.processInfo.environment["LEADFLOW_RUN_DIR"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".run")
        let python = run.appendingPathComponent("tools/venv/bin/python")
        try #require(FileManager.default.isExecutableFile(atPath: python.path), "\(python.path) is missing: run scripts/setup")
        return python
    }

    /// Runs `script` with the venv's Python; returns its exit status and output.
    static func runPython(_ script: String, arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = try python()
        process.arguments = ["-c", script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test("the served document is valid OpenAPI 3.1 and equals Schemas/openapi.json")
    func openAPI() async throws {
        let ingest = try await SharedIngest.get()
        let served = try await ingest.get("/v1/openapi.json", headers: ingest.admin)
        #expect(served.status == 200)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-openapi-\(UUID()).json")
        try Data(served.body).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = """
            import json, sys
            from openapi_spec_validator import validate
            served = json.load(open(sys.argv[1]))
            validate(served)
            checked_in = json.load(open(sys.argv[2]))
            assert served == checked_in, "the served document differs from Schemas/openapi.json: run Schemas/generate.py"
            schema = json.load(open(sys.argv[3]))
            embedded = dict(served["components"]["schemas"]["LeadSubmission"])
            assert embedded == {k: v for k, v in schema.items() if k != "$schema"}, "LeadSubmission differs from lead-submission.schema.json"
            paths = set(served["paths"])
            for required in sys.argv[4:]:
                assert required in paths, f"{required} is not documented"
            print("ok")
            """
        let routes = ["/v1/leads", "/v1/leads/adf", "/v1/leads/import", "/v1/imports/{importId}", "/v1/webhooks/meta", "/v1/webhooks/google",
                      "/v1/sources", "/v1/sources/{sourceId}", "/v1/sources/{sourceId}/keys", "/v1/sources/{sourceId}/keys/rotate",
                      "/v1/sources/{sourceId}/keys/{keyId}", "/v1/actions/{token}", "/v1/openapi.json", "/v1/leads/{leadId}"]
            + CommandReader.Kind.allCases.map { "/v1/leads/{leadId}/\($0.rawValue)" }
            + ["/v1/leads/{leadId}/tasks/{taskId}/complete", "/v1/leads/{leadId}/appointments", "/v1/leads/{leadId}/appointments/{appointmentId}/outcome",
               "/v1/leads/{leadId}/merge", "/v1/leads/{leadId}/unmerge"]
        let (status, output) = try Self.runPython(script, arguments: [
            file.path, Self.schemas.appendingPathComponent("openapi.json").path,
            Self.schemas.appendingPathComponent("lead-submission.schema.json").path,
        ] + routes)
        #expect(status == 0, "\(output)")
    }

    @Test("the lead JSON Schema accepts the documents ingest accepts and refuses what it refuses")
    func leadSchema() throws {
        let valid = [
            #"{"email":"a@example.com"}"#,
            #"{"externalId":123456789012345678901,"name":{"first":"A","last":"B"},"emails":[{"address":"a@x.com","type":"work","preferred":true}],"phones":["614-555-0100"],"vehicles":[{"year":2024,"make":"Honda","price":{"amount":"31500","currency":"USD"}}],"budget":{"max":"$50,000"},"customFields":{"n":1,"l":["a",true]},"manual":{"kind":"walk_in"}}"#,
            Self.genericSample,
        ]
        let invalid = [
            #"{"email":"a@example.com","unknown":1}"#,
            #"{"emails":[{"type":"home"}]}"#,
            #"{"lifecycleStage":"won"}"#,
            #"{"vehicles":[{"interest":"steal"}]}"#,
        ]
        for document in valid {
            // Ingest itself accepts each valid document.
            let read = try GenericLeadDocument.read(try JSONReader().parse(Array(document.utf8)))
            _ = try LeadBuilder().build(read.submission, source: .init(id: "s", channel: .json), receivedAt: Date())
        }
        for document in invalid {
            #expect(throws: IntakeRejection.self) { _ = try GenericLeadDocument.read(try JSONReader().parse(Array(document.utf8))) }
        }
        let script = """
            import json, sys
            from jsonschema import Draft202012Validator
            schema = json.load(open(sys.argv[1]))
            Draft202012Validator.check_schema(schema)
            validator = Draft202012Validator(schema)
            valid, invalid = json.loads(sys.argv[2]), json.loads(sys.argv[3])
            for document in valid:
                errors = list(validator.iter_errors(json.loads(document)))
                assert not errors, f"{document}: {errors[0].message}"
            for document in invalid:
                assert list(validator.iter_errors(json.loads(document))), f"accepted {document}"
            print("ok")
            """
        let encode = { (list: [String]) in String(decoding: try JSONSerialization.data(withJSONObject: list), as: UTF8.self) }
        let (status, output) = try Self.runPython(script, arguments: [
            Self.schemas.appendingPathComponent("lead-submission.schema.json").path, try encode(valid), try encode(invalid),
        ])
        #expect(status == 0, "\(output)")
    }

    static let genericSample = """
        {"externalId":"web-2025-0001","submittedAt":"2025-03-22T14:05:33Z","name":"Beatriz Okonkwo-Lindgren",
         "email":"beatriz@example.com","phone":"+1 617 555 0126","address":{"lines":["1 Main St"],"city":"Boston","region":"MA","postalCode":"02134","country":"US"},
         "vehicles":[{"interest":"buy","status":"new","year":2025,"make":"Hyundai","model":"Tucson Hybrid","bodyStyle":"SUV","isPreferred":true}],
         "tradeIns":[{"year":2016,"make":"Mazda","model":"3","condition":"good","valuation":{"amount":9000,"currency":"USD"}}],
         "timeframe":{"description":"Within 1 month"},"lifecycleStage":"lead","comments":"Evenings only",
         "consent":{"email":true,"sms":false,"marketing":false},"attribution":{"partner":"Example Ads","campaignId":21987654321}}
        """
}
