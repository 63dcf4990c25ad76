import Foundation
import Testing

/// Validates JSON instances against the checked-in schemas with the reference Python
/// implementation (`jsonschema`, Draft 2020-12, format assertions on), run in the project's venv.
struct SchemaValidator {
    /// One instance to check.
    struct Case {
        let name: String
        let schemaFile: String
        let json: [UInt8]
    }

    struct Report: Decodable {
        let schemas: [String]
        let results: [String: [String]]
    }

    /// `Shared/LeadModel/Schemas`, found from this file's path.
    static let schemaDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // LeadModelTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository root
        .appendingPathComponent("Shared/LeadModel/Schemas")

    /// `<LEADFLOW_RUN_DIR or ./.run>/tools/venv/bin/python`; records a failure if it is missing.
    static func python() throws -> URL {
        let runDirectory = ProcessInfo.processInfo.environment["LEADFLOW_RUN_DIR"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".run")
        let python = runDirectory.appendingPathComponent("tools/venv/bin/python")
        try #require(
            FileManager.default.isExecutableFile(atPath: python.path),
            "The schema validator needs \(python.path) with the jsonschema package. Run scripts/setup (or set LEADFLOW_RUN_DIR to the run folder that holds tools/venv)."
        )
        return python
    }

    /// Validates every case in one Python run; returns each case's error messages (empty: valid).
    static func validate(_ cases: [Case]) throws -> Report {
        let python = try python()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("leadmodel-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        var manifest: [[String: String]] = []
        for (index, testCase) in cases.enumerated() {
            let file = work.appendingPathComponent("instance-\(index).json")
            try Data(testCase.json).write(to: file)
            manifest.append(["name": testCase.name, "schema": testCase.schemaFile, "instance": file.path])
        }
        let manifestFile = work.appendingPathComponent("manifest.json")
        try JSONSerialization.data(withJSONObject: manifest).write(to: manifestFile)
        let script = work.appendingPathComponent("validate.py")
        try Data(validatorScript.utf8).write(to: script)
        let reportFile = work.appendingPathComponent("report.json")
        let logFile = work.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)

        let process = Process()
        process.executableURL = python
        process.arguments = [script.path, schemaDirectory.path, manifestFile.path, reportFile.path]
        process.standardError = try FileHandle(forWritingTo: logFile)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        try #require(process.terminationStatus == 0, "schema validator failed (exit \(process.terminationStatus)):\n\(log)")
        return try JSONDecoder().decode(Report.self, from: Data(contentsOf: reportFile))
    }

    static let validatorScript = #"""
        import json, pathlib, sys

        try:
            from jsonschema import Draft202012Validator, FormatChecker
            from referencing import Registry, Resource
        except ImportError as error:
            sys.exit(f"{error}: install jsonschema into the venv (run scripts/setup)")

        schema_dir, manifest_path, report_path = map(pathlib.Path, sys.argv[1:4])
        checker = FormatChecker()
        missing = {"date-time", "uuid"} - set(checker.checkers)
        if missing:
            sys.exit(f"format checkers {sorted(missing)} unavailable: install rfc3339-validator (run scripts/setup)")

        schemas, resources = {}, []
        for path in sorted(schema_dir.glob("*.schema.json")):
            document = json.loads(path.read_text())
            Draft202012Validator.check_schema(document)
            schemas[path.name] = document
            resources.append((document["$id"], Resource.from_contents(document)))
        registry = Registry().with_resources(resources)

        results = {}
        for case in json.loads(manifest_path.read_text()):
            validator = Draft202012Validator(schemas[case["schema"]], registry=registry, format_checker=checker)
            instance = json.loads(pathlib.Path(case["instance"]).read_text())
            errors = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
            results[case["name"]] = ["/" + "/".join(map(str, e.absolute_path)) + ": " + e.message[:300] for e in errors]
        report_path.write_text(json.dumps({"schemas": sorted(schemas), "results": results}))
        """#
}
