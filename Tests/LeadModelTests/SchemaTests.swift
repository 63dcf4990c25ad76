import Foundation
import Testing
import LeadModel

@Suite("JSON Schemas")
struct SchemaTests {
    @Test("one schema per event type, with the event's $id")
    func schemaFiles() throws {
        for type in LeadflowEvents.allTypes {
            let url = SchemaValidator.schemaDirectory.appendingPathComponent("\(type.topic.rawValue).schema.json")
            let document = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any], "\(url.path)")
            #expect(document["$id"] as? String == type.dataSchema)
            #expect(document["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
            #expect((document["description"] as? String)?.contains(type.eventType) == true)
        }
    }

    @Test("every sample event validates")
    func samplesAreValid() throws {
        let samples = try EventSample.all()
        #expect(Set(samples.map(\.eventType)) == Set(LeadflowEvents.allTypes.map { $0.eventType }))
        let report = try SchemaValidator.validate(
            samples.map { SchemaValidator.Case(name: $0.name, schemaFile: $0.schemaFile, json: $0.json) })
        #expect(report.schemas.contains("common.schema.json"))
        #expect(report.results.count == samples.count)
        for sample in samples {
            let errors = try #require(report.results[sample.name])
            #expect(errors.isEmpty, "\(sample.name): \(errors.joined(separator: "\n"))")
        }
    }

    /// A broken copy of a sample that the schema must refuse.
    struct Breakage {
        let sample: String
        let path: [String]
        let replacement: Any?  // nil removes the field
        let why: String
    }

    static var breakages: [Breakage] { [
        Breakage(sample: "received", path: ["leadId"], replacement: nil, why: "required event field missing"),
        Breakage(sample: "received", path: ["lead", "source", "id"], replacement: nil, why: "required nested field missing"),
        Breakage(sample: "received", path: ["intake", "sourceLeadId"], replacement: NSDecimalNumber(string: "120208765432100011"), why: "external id as a number"),
        Breakage(sample: "received", path: ["lead", "source", "adId"], replacement: 120208765432100011 as Int64, why: "ad id as a number"),
        Breakage(sample: "received", path: ["occurredAt"], replacement: "yesterday", why: "not a date-time"),
        Breakage(sample: "received", path: ["leadId"], replacement: "lead-42", why: "lead id not a UUID"),
        Breakage(sample: "received", path: ["lead", "score"], replacement: 101, why: "score above 100"),
        Breakage(sample: "received", path: ["lead", "budget", "max", "amount"], replacement: 45000.5, why: "money amount as a float"),
        Breakage(sample: "received", path: ["lead", "contacts", "emails", "0", "type"], replacement: "pager", why: "unknown email type"),
        Breakage(sample: "received", path: ["lead", "customFields", "bad"], replacement: ["nested": "object"], why: "custom field is an object"),
        Breakage(sample: "received", path: ["unexpected"], replacement: true, why: "unknown top-level property"),
        Breakage(sample: "received", path: ["isTest"], replacement: "false", why: "boolean as a string"),
        Breakage(sample: "lifecycle.stage_changed", path: ["change", "to"], replacement: nil, why: "change field missing"),
        Breakage(sample: "lifecycle.stage_changed", path: ["change", "to"], replacement: "sold", why: "unknown stage"),
        Breakage(sample: "lifecycle.stage_changed", path: ["change", "kind"], replacement: "teleported", why: "unknown change kind"),
        Breakage(sample: "lifecycle.pipeline_status_changed", path: ["change", "lostReason"], replacement: "too_far", why: "unknown lost reason"),
        Breakage(sample: "lifecycle.location_response_changed", path: ["change", "followUpDelay", "seconds"], replacement: 0, why: "non-positive custom delay"),
        Breakage(sample: "lifecycle.erased", path: ["change", "email"], replacement: "x@example.com", why: "erasure carrying personal data"),
        Breakage(sample: "lifecycle.survey_answered", path: ["change", "survey", "rating"], replacement: 6, why: "rating above 5"),
        Breakage(sample: "lifecycle.converted", path: ["change", "conversion", "finalPrice", "amount"], replacement: "40,123.45", why: "malformed amount"),
        Breakage(sample: "lifecycle.merged", path: ["change", "mergedLeadIds", "0"], replacement: 42, why: "lead id as a number"),
        Breakage(sample: "lifecycle.merged", path: ["change", "merge", "fieldChoices", "name"], replacement: 42, why: "field choice not a lead id"),
        Breakage(sample: "lifecycle.unmerged", path: ["change", "unmerge", "restoredLeads"], replacement: nil, why: "unmerge details without the restored leads"),
        Breakage(sample: "lifecycle.activity_logged", path: ["change", "activity", "at"], replacement: nil, why: "activity without a time"),
        Breakage(sample: "lifecycle.duplicate_inquiry", path: ["change", "inquiry", "intake", "sourceLeadId"], replacement: 1.5, why: "external id as a number"),
        Breakage(sample: "lifecycle.appointment_outcome", path: ["change", "kept"], replacement: "no-show", why: "kept not a boolean"),
        Breakage(sample: "scored", path: ["score"], replacement: 101, why: "score above 100"),
        Breakage(sample: "scored", path: ["priority"], replacement: "lukewarm", why: "unknown priority"),
        Breakage(sample: "scored", path: ["factors", "0", "key"], replacement: nil, why: "factor without key"),
        Breakage(sample: "scored", path: ["causationEventId"], replacement: nil, why: "missing causation"),
        Breakage(sample: "assigned", path: ["strategy"], replacement: "random", why: "unknown strategy"),
        Breakage(sample: "assigned", path: ["actor"], replacement: nil, why: "missing actor"),
        Breakage(sample: "assigned", path: ["actor", "role"], replacement: "intern", why: "unknown role"),
        Breakage(sample: "notification", path: ["channel"], replacement: "pigeon", why: "unknown channel"),
        Breakage(sample: "notification", path: ["attempts"], replacement: "2", why: "attempts as a string"),
        Breakage(sample: "notification", path: ["recipient", "address"], replacement: "akira@example.com", why: "raw address leaked"),
        Breakage(sample: "metrics", path: ["windowEnd"], replacement: nil, why: "missing window end"),
        Breakage(sample: "metrics", path: ["perSource", "0", "received"], replacement: -1, why: "negative count"),
        Breakage(sample: "metrics", path: ["leadId"], replacement: Fixtures.leadId.description, why: "metrics are about no lead"),
        Breakage(sample: "deadletter", path: ["originalValueBase64"], replacement: nil, why: "original bytes missing"),
        Breakage(sample: "deadletter", path: ["errorCode"], replacement: "Bad Code!", why: "error code not machine-readable"),
        Breakage(sample: "deadletter", path: ["stage"], replacement: "billing", why: "unknown stage"),
    ] }

    @Test("broken samples are rejected (the schemas are not vacuous)")
    func brokenSamplesAreRejected() throws {
        let samples = Dictionary(uniqueKeysWithValues: try EventSample.all().map { ($0.name, $0) })
        var cases: [SchemaValidator.Case] = []
        for (index, breakage) in Self.breakages.enumerated() {
            let sample = try #require(samples[breakage.sample], "no sample \(breakage.sample)")
            let object = try JSONSerialization.jsonObject(with: Data(sample.json))
            let broken = try Self.replacing(breakage.path[...], in: object, with: breakage.replacement)
            cases.append(SchemaValidator.Case(
                name: "\(index): \(breakage.sample) \(breakage.path.joined(separator: "/")) – \(breakage.why)",
                schemaFile: sample.schemaFile,
                json: Array(try JSONSerialization.data(withJSONObject: broken))))
        }
        // Control: the same samples, re-serialized but unbroken, must still pass, so each
        // failure below is caused by its breakage and not by the re-serialization.
        var controls: [SchemaValidator.Case] = []
        for name in Set(Self.breakages.map(\.sample)).sorted() {
            let sample = try #require(samples[name])
            let object = try JSONSerialization.jsonObject(with: Data(sample.json))
            controls.append(SchemaValidator.Case(
                name: "control: \(name)", schemaFile: sample.schemaFile,
                json: Array(try JSONSerialization.data(withJSONObject: object))))
        }
        let report = try SchemaValidator.validate(cases + controls)
        for control in controls {
            let errors = try #require(report.results[control.name])
            #expect(errors.isEmpty, "\(control.name): \(errors.joined(separator: "\n"))")
        }
        for testCase in cases {
            let errors = try #require(report.results[testCase.name])
            #expect(!errors.isEmpty, "accepted but should fail: \(testCase.name)")
        }
    }

    struct PathError: Error, CustomStringConvertible {
        let description: String
    }

    /// Sets (or, with `nil`, removes) the value at `path`; the parent must exist.
    static func replacing(_ path: ArraySlice<String>, in value: Any, with replacement: Any?) throws -> Any {
        guard let key = path.first else { return replacement as Any }
        let rest = path.dropFirst()
        if var object = value as? [String: Any] {
            if rest.isEmpty {
                object[key] = replacement
            } else {
                guard let child = object[key] else { throw PathError(description: "no \(key)") }
                object[key] = try replacing(rest, in: child, with: replacement)
            }
            return object
        }
        if var array = value as? [Any], let index = Int(key), array.indices.contains(index) {
            if rest.isEmpty, replacement == nil {
                array.remove(at: index)
            } else {
                array[index] = try replacing(rest, in: array[index], with: replacement)
            }
            return array
        }
        throw PathError(description: "cannot follow \(key)")
    }
}
