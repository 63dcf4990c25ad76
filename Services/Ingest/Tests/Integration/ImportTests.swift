import Foundation
import LeadIntegrationSupport
import LeadModel
import LeadTestSupport
import Testing
@testable import LeadIngest

/// CSV import: streamed, batched through the intake pipeline, progress and per-row errors.
@Suite("CSV import (real Tansu + PostgreSQL)")
struct ImportTests {
    @Test("rows are imported, merged and refused row by row; the job shows it all")
    func importFile() async throws {
        let ingest = try await SharedIngest.get()
        let (source, key) = try await ingest.createSource()
        let tag = UUID().uuidString.prefix(8).lowercased()
        var csv = "Lead ID,First Name,Last Name,Email,Phone,Zip,Vehicle Model,Notes\r\n"
        let exchange = "(\(Int.random(in: 201...989))) \(Int.random(in: 201...989))"  // no other test uses it
        for row in 1...250 { csv += "L\(tag)-\(row),Ann,Row\(row),ann.\(tag).\(row)@example.com,\(exchange)-\(String(format: "%04d", row)),43215,Civic,\"said \"\"hi\"\", twice\"\r\n" }
        csv += "L\(tag)-dup,Ann,Again,ANN.\(tag).1@EXAMPLE.COM,,,,\r\n"  // the same person as row 1
        csv += "L\(tag)-1,Ann,Row1,ann.\(tag).1@example.com,,,,\r\n"  // a re-delivery of row 1
        csv += "L\(tag)-bad,Bad,Email,not-an-email,,,,\r\n"
        csv += ",No,Contact,,,,,\r\n"
        let jobId = UUID()
        let response = try await ingest.post("/v1/leads/import?jobId=\(jobId)", csv, headers: ["x-api-key": key], contentType: "text/csv")
        #expect(response.status == 202, "\(response.text)")
        #expect(response.json["id"] as? String == jobId.uuidString.lowercased() || response.json["id"] as? String == jobId.uuidString)
        #expect(response.json["status"] as? String == "completed")
        #expect(response.json["rowsRead"] as? Int == 254)
        #expect(response.json["accepted"] as? Int == 250)
        #expect(response.json["merged"] as? Int == 1)
        #expect(response.json["redelivered"] as? Int == 1)
        #expect(response.json["rejected"] as? Int == 2)
        let job = try await ingest.get("/v1/imports/\(jobId)", headers: ["x-api-key": key])
        #expect(job.status == 200)
        let errors = try #require(job.json["errors"] as? [[String: Any]])
        #expect(errors.map { $0["row"] as? Int } == [253, 254])
        #expect(errors.map { $0["code"] as? String } == ["invalid_field", "contact_required"])
        #expect(errors.first?["field"] as? String == "/rows/253/Email")
        #expect(!job.text.contains("not-an-email"))
        #expect(job.json["bytesRead"] as? Int == csv.utf8.count)
        // Another source cannot see the job.
        let (_, otherKey) = try await ingest.createSource()
        #expect(try await ingest.get("/v1/imports/\(jobId)", headers: ["x-api-key": otherKey]).status == 404)
        // Every accepted row reached leads.received with the CSV channel.
        let events = await ingest.received.wait { $0.compactMap(\.received).filter { $0.intake.sourceId == source }.count >= 250 }
        let imported = events.compactMap(\.received).filter { $0.intake.sourceId == source }
        #expect(imported.count == 250)
        #expect(imported.allSatisfy { $0.intake.channel == .csv && $0.lead.comments == "said \"hi\", twice" })
        // The same job id again is refused.
        #expect(try await ingest.post("/v1/leads/import?jobId=\(jobId)", csv, headers: ["x-api-key": key], contentType: "text/csv").status == 409)
    }

    @Test("a file over the size cap is cut off with 413, rows before it kept; a bad header refuses the file")
    func limits() async throws {
        let ingest = try await SharedIngest.get()
        let tag = UUID().uuidString.prefix(8).lowercased()
        var csv = "email,name\n"
        for row in 1...20 { csv += "big.\(tag).\(row)@example.com,Row \(row)\n" }
        // Then rows refused at once (cheap), until the file is past the 4 MiB cap.
        let filler = String(repeating: "x", count: 4000)
        while csv.utf8.count < 5 << 20 { csv += "not-an-address,\(filler)\n" }
        let jobId = UUID()
        let response = try await ingest.post("/v1/leads/import?jobId=\(jobId)", csv, headers: ingest.admin, contentType: "text/csv")
        #expect(response.status == 413, "\(response.text.prefix(300))")
        #expect(response.json["code"] as? String == "body_too_large")
        let job = try await ingest.get("/v1/imports/\(jobId)", headers: ingest.admin)
        #expect(job.json["status"] as? String == "failed")
        #expect(job.json["accepted"] as? Int == 20)
        #expect((job.json["rejected"] as? Int ?? 0) > 0)
        #expect((job.json["bytesRead"] as? Int ?? 0) > 4 << 20)

        let header = try await ingest.post("/v1/leads/import", "name,city\nA,B\n", headers: ingest.admin, contentType: "text/csv")
        #expect(header.status == 422)
        #expect(header.json["code"] as? String == "csv_header_invalid")
        let quote = try await ingest.post("/v1/leads/import", "email\n\"open@example.com\n", headers: ingest.admin, contentType: "text/csv")
        #expect(quote.status == 422)
        #expect(quote.json["code"] as? String == "csv_unterminated_quote")
    }
}
