import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A deliberately primitive HTTP/1.1 client over a blocking socket, so the hostile suite can send
/// what well-behaved clients refuse to: invalid UTF-8, broken framing, CR/LF in places they do
/// not belong, bodies larger than any limit. It can bind a chosen loopback source address, which
/// keeps the auth-failure limiter's per-address counting of hostile traffic away from the valid
/// traffic sent from 127.0.0.1.
struct RawHTTPResponse: Sendable {
    /// The status, or 0 when the server closed the connection without answering.
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as a JSON object, if it is one.
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
}

enum RawHTTP {
    /// A request as bytes: the request line, `Host`, `Connection: close`, the given headers, a
    /// `Content-Length` for the body (unless `framing` already carries one), and the body.
    static func request(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = [], contentLength: Bool = true
    ) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if contentLength && (!body.isEmpty || method == "POST" || method == "PUT") { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + body
    }

    /// Sends `bytes` to 127.0.0.1:`port` from `source` and reads the answer (blocking; run it off
    /// the cooperative pool, see ``send(_:port:source:timeout:)``).
    static func exchange(_ bytes: [UInt8], port: Int, source: String, timeout: Int) -> RawHTTPResponse {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return RawHTTPResponse(status: -1, headers: [], body: Array("socket() failed".utf8)) }
        defer { close(fd) }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, source, &local.sin_addr)
        _ = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr)
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return RawHTTPResponse(status: -1, headers: [], body: Array("connect failed: errno \(errno)".utf8)) }

        // Write everything (the server may answer and close early, e.g. 413: stop writing then).
        // A server that refuses a large body answers and stops reading: wait for writability or an
        // answer, and stop writing once the answer is there.
        var offset = 0
        let deadline = Date().addingTimeInterval(Double(timeout))
        bytes.withUnsafeBytes { buffer in
            while offset < buffer.count, Date() < deadline {
                var events = pollfd(fd: fd, events: Int16(POLLOUT | POLLIN), revents: 0)
                guard poll(&events, 1, 1_000) >= 0 else { break }
                if events.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { break }
                guard events.revents & Int16(POLLOUT) != 0 else { continue }
                let written = Glibc.send(fd, buffer.baseAddress! + offset, min(65_536, buffer.count - offset), Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { continue }
                if written <= 0 { break }
                offset += written
            }
        }
        // Read until the server closes (we asked for Connection: close) or the answer is complete.
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received.append(contentsOf: chunk[0..<count])
            if let parsed = parse(received), parsed.complete { return parsed.response }
            if received.count > 64 << 20 { break }
        }
        return parse(received)?.response ?? RawHTTPResponse(status: 0, headers: [], body: received)
    }

    /// Runs ``exchange(_:port:source:timeout:)`` on a dispatch queue.
    static func send(_ bytes: [UInt8], port: Int, source: String, timeout: Int = 30) async -> RawHTTPResponse {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: exchange(bytes, port: port, source: source, timeout: timeout))
            }
        }
    }

    /// Parses what arrived so far; `complete` once the body is whole.
    static func parse(_ data: [UInt8]) -> (response: RawHTTPResponse, complete: Bool)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = data.firstRange(of: separator) else { return nil }
        let head = String(decoding: data[..<end.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        let headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Array(data[end.upperBound...])
        var complete = false
        let lookup = { (name: String) in headers.first { $0.name.lowercased() == name }?.value }
        if let length = lookup("content-length").flatMap({ Int($0) }) {
            complete = body.count >= length
            body = Array(body.prefix(length))
        } else if lookup("transfer-encoding")?.lowercased() == "chunked" {
            if let decoded = dechunk(body) {
                body = decoded
                complete = true
            }
        }
        return (RawHTTPResponse(status: status, headers: headers, body: body), complete)
    }

    /// Decodes a complete chunked body, or nil while it is incomplete.
    static func dechunk(_ data: [UInt8]) -> [UInt8]? {
        var output: [UInt8] = []
        var index = 0
        let crlf: [UInt8] = [13, 10]
        while true {
            guard let lineEnd = data[index...].firstRange(of: crlf) else { return nil }
            let sizeText = String(decoding: data[index..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return nil }
            index = lineEnd.upperBound
            if size == 0 { return output }
            guard data.count >= index + size + 2 else { return nil }
            output.append(contentsOf: data[index..<(index + size)])
            index += size + 2
        }
    }
}
