import Foundation

/// Headless Chromium (Debian's `chromium`, installed by scripts/setup) loading a page and
/// returning the DOM it rendered.
enum Chromium {
    static var executable: String {
        ProcessInfo.processInfo.environment["CHROMIUM"] ?? "/usr/bin/chromium"
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The rendered DOM of `url`, with a phone-sized window.
    static func dumpDOM(_ url: String, timeout: TimeInterval = 60) async throws -> String {
        try await run(["--window-size=390,844", "--dump-dom", url], timeout: timeout)
    }

    /// Saves a PNG of `url` rendered at `width`×`height` (for looking at the layout by eye).
    static func screenshot(_ url: String, to path: String, width: Int, height: Int) async throws {
        _ = try await run(["--window-size=\(width),\(height)", "--hide-scrollbars", "--screenshot=\(path)", url], timeout: 60)
    }

    private static func run(_ arguments: [String], timeout: TimeInterval) async throws -> String {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw Failure(description: "\(executable) is missing: run scripts/setup (it installs chromium)")
        }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--disable-extensions", "--disable-background-networking", "--user-data-dir=\(profile.path)",
        ] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let collected = OutputCollector()
        output.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty { handle.readabilityHandler = nil } else { collected.append(chunk) }
        }
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                throw Failure(description: "chromium did not finish \(arguments.last ?? "") within \(timeout) s")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        output.fileHandleForReading.readabilityHandler = nil
        collected.append(output.fileHandleForReading.readDataToEndOfFile())
        return collected.text
    }

    /// `data-metric` cells of a dumped page: metric → displayed text (and `data-value` if any).
    static func metrics(in dom: String) -> [String: (text: String, value: String?)] {
        var result: [String: (String, String?)] = [:]
        let pattern = #"<[a-z]+ [^>]*data-metric="([^"]*)"([^>]*)>([^<]*)<"#
        let regex = try! NSRegularExpression(pattern: pattern)
        for match in regex.matches(in: dom, range: NSRange(dom.startIndex..., in: dom)) {
            let metric = unescape(String(dom[Range(match.range(at: 1), in: dom)!]))
            let attributes = String(dom[Range(match.range(at: 2), in: dom)!])
            let text = unescape(String(dom[Range(match.range(at: 3), in: dom)!]))
            var value: String?
            if let range = attributes.range(of: #"data-value="([^"]*)""#, options: .regularExpression) {
                value = unescape(String(attributes[range].dropFirst(12).dropLast()))
            }
            result[metric] = (text, value)
        }
        return result
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}

/// Bytes several threads append to.
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func append(_ chunk: Data) {
        lock.lock()
        data.append(chunk)
        lock.unlock()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}
