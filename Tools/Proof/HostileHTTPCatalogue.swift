import Crypto
import Foundation

/// The HTTP half of the hostile catalogue: malformed, oversized, malicious and unauthenticated
/// requests to every service. Every one must be refused with a 4xx problem (never a 5xx, never a
/// crash), except broken framing, which may also just close the connection.
struct HostileHTTPCatalogue {
    var http: HTTPBuilder
    /// A platform-admin token as issued, to tamper with.
    var adminToken: String
    /// Valid tokens of other roles.
    var salespersonToken: String
    var readerToken: String
    /// The HS256 secret and key id the services trust (the embedded default), to forge near-misses.
    var signingSecret: String
    var signingKid: String
    var googleKey: String
    var metaSecret: String
    /// The body limit the hostile run configures for ingest.
    var maxBodyBytes: Int
    var round: Int

    func all() -> [HostileCase] {
        ingestJSON() + ingestADF() + webhooks() + csv() + authentication() + lifecycle() + otherServices() + framing()
    }

    // MARK: Building blocks

    private func problem(_ channel: String, _ name: String, _ input: HostileCase.Input, _ statuses: Set<Int> = [], code: String? = nil) -> HostileCase {
        HostileCase(channel: channel, name: name, input: input, expect: .problem(statuses: statuses, code: code))
    }

    /// A valid generic lead with one field replaced (as raw JSON text).
    private func lead(_ overrides: [String: String] = [:], drop: Set<String> = []) -> String {
        var fields: [String: String] = [
            "externalId": "\"hostile-\(round)-\(UUID().uuidString.prefix(8))\"",
            "name": "\"Hostile Tester\"",
            "email": "\"hostile.\(UUID().uuidString.prefix(8).lowercased())@example.com\"",
            "phone": "\"+16145550199\"",
        ]
        for (key, value) in overrides { fields[key] = value }
        for key in drop { fields[key] = nil }
        return "{" + fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
    }

    private static func quoted(_ text: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }

    static let injections = [
        "' OR '1'='1", "'; DROP TABLE ingest.leads; --", "\" OR 1=1 --", "1; SELECT pg_sleep(10)",
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "${jndi:ldap://127.0.0.1/a}", "{{7*7}}",
        "../../../../etc/passwd", "%00", "\r\nBcc: victim@example.com", "a@example.com\r\nSubject: spoofed",
    ]

    // MARK: ingest: generic JSON

    private func ingestJSON() -> [HostileCase] {
        let c = "ingest JSON"
        var cases: [HostileCase] = []
        let syntax = ["{", "{\"name\":}", "[1,2", "nul", "{\"name\":\"x\",}", "{'name':'x'}", "{\"name\": NaN}",
                      "{\"email\":\"a@b.co\"}{\"x\":1}", "", "   ", "\u{feff}{}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\x41\"}", "123", "\"just a string\"",
                      "{\"email\":\"a@example.com\",\"phone\":+1}"]
        for (i, body) in syntax.enumerated() {
            cases.append(problem(c, "broken JSON #\(i + 1)", http.json("ingest", "POST", "/v1/leads", body), [400, 422]))
        }
        let badUTF8: [[UInt8]] = [[0xC3, 0x28], [0xFF, 0xFE], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]]
        for (i, bytes) in badUTF8.enumerated() {
            let body = Array("{\"name\":\"x".utf8) + bytes + Array("\",\"email\":\"u\(i)@example.com\"}".utf8)
            cases.append(problem(c, "invalid UTF-8 #\(i + 1)", http.bytes("ingest", "POST", "/v1/leads", body), [400], code: "invalid_utf8"))
        }
        for depth in [40, 1_000, 100_000] {
            cases.append(problem(c, "array nesting \(depth)", http.json("ingest", "POST", "/v1/leads", String(repeating: "[", count: depth) + String(repeating: "]", count: depth)), [400, 413]))
            cases.append(problem(c, "object nesting \(depth)", http.json("ingest", "POST", "/v1/leads", lead(["customFields": String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth)])), [400, 413, 422]))
        }
        cases.append(problem(c, "duplicate key", http.json("ingest", "POST", "/v1/leads", "{\"email\":\"a@example.com\",\"email\":\"b@example.com\"}"), [400], code: "duplicate_key"))
        let wrongTypes: [(String, String)] = [
            ("email", "123"), ("email", "{\"x\":1}"), ("phones", "\"+16145550199\""), ("vehicles", "{}"), ("isTest", "\"maybe\""),
            ("externalId", "true"), ("name", "{\"first\":[1]}"), ("customFields", "[1,2]"), ("budget", "{\"max\":{\"amount\":[]}}"),
            ("lifecycleStage", "7"), ("consent", "\"granted\""), ("address", "[\"Main St\"]"), ("timeframe", "{\"bucket\":{}}"),
            ("emails", "[null]"), ("vehicles", "[{\"year\":{\"$gt\":0}}]"),
        ]
        for (field, value) in wrongTypes {
            cases.append(problem(c, "wrong type \(field)=\(value.prefix(20))", http.json("ingest", "POST", "/v1/leads", lead([field: value])), [422]))
        }
        for field in ["admin", "__proto__", "constructor", "$where", "role"] {
            cases.append(problem(c, "unknown field \(field)", http.json("ingest", "POST", "/v1/leads", lead([field: "{\"isAdmin\":true}"])), [422], code: "invalid_field"))
        }
        let invalidValues: [(String, String)] = [
            ("email", "\"not-an-email\""), ("email", Self.quoted("a@example.com\r\nBcc: victim@example.com")),
            ("email", "\"<script>@example.com\""), ("email", Self.quoted("' OR '1'='1@example.com")),
            ("phone", "\"call me maybe\""), ("phone", "\"+1 (555) 0000000000000000000\""),
            ("lifecycleStage", "\"admin\""), ("address", "{\"postalCode\":\"'; DROP TABLE leads;--\",\"country\":\"US\"}"),
            ("address", "{\"country\":\"Narnia\"}"), ("vehicles", "[{\"vin\":\"12345\"}]"), ("vehicles", "[{\"year\":1800}]"),
            ("vehicles", "[{\"interest\":\"steal\"}]"), ("vehicles", "[{\"mileage\":-5}]"), ("timeframe", "{\"bucket\":\"now; rm -rf /\"}"),
            ("submittedAt", "\"yesterday-ish\""), ("budget", "{\"max\":\"lots\"}"), ("budget", "{\"max\":{\"amount\":\"10\",\"currency\":\"XXXX\"}}"),
            ("sourceId", Self.quoted("src-demo' OR '1'='1")), ("manual", "{\"kind\":\"phone\"}"), ("locationId", Self.quoted("loc-'; DROP TABLE x;--")),
        ]
        for (field, value) in invalidValues {
            cases.append(problem(c, "invalid \(field)=\(value.prefix(24))", http.json("ingest", "POST", "/v1/leads", lead([field: value])), [403, 422]))
        }
        cases.append(problem(c, "no contact", http.json("ingest", "POST", "/v1/leads", lead(drop: ["email", "phone"])), [422], code: "contact_required"))
        let controls = ["a\u{0000}b", "\u{001B}[31mred", "line\u{0008}back", "bell\u{0007}"]
        for (i, text) in controls.enumerated() {
            cases.append(problem(c, "control characters #\(i + 1)", http.json("ingest", "POST", "/v1/leads", lead(["name": Self.quoted(text)])), [400, 422]))
        }
        let long = String(repeating: "A", count: 300)
        cases.append(problem(c, "name 300 chars", http.json("ingest", "POST", "/v1/leads", lead(["name": "\"\(long)\""])), [422]))
        cases.append(problem(c, "comments 6000 chars", http.json("ingest", "POST", "/v1/leads", lead(["comments": "\"\(String(repeating: "B", count: 6_000))\""])), [422]))
        cases.append(problem(c, "21 e-mails", http.json("ingest", "POST", "/v1/leads", lead(["emails": "[" + (0..<21).map { "\"e\($0)@example.com\"" }.joined(separator: ",") + "]"])), [422]))
        cases.append(problem(c, "51 custom fields", http.json("ingest", "POST", "/v1/leads", lead(["customFields": "{" + (0..<51).map { "\"k\($0)\":\"v\"" }.joined(separator: ",") + "}"])), [422]))
        cases.append(problem(c, "custom field name 100 chars", http.json("ingest", "POST", "/v1/leads", lead(["customFields": "{\"\(String(repeating: "k", count: 100))\":1}"])), [422]))
        cases.append(problem(c, "body over the limit", http.json("ingest", "POST", "/v1/leads", lead(["comments": "\"\(String(repeating: "C", count: maxBodyBytes + 10))\""])), [413], code: "body_too_large"))
        cases.append(problem(c, "8 MiB body", http.bytes("ingest", "POST", "/v1/leads", [UInt8](repeating: UInt8(ascii: "{"), count: 8 << 20)), [413]))
        cases.append(problem(c, "XML to the JSON endpoint", http.json("ingest", "POST", "/v1/leads", "<lead/>", contentType: "application/xml"), [400, 415]))
        cases.append(problem(c, "form encoding", http.json("ingest", "POST", "/v1/leads", "name=x&email=a%40b.co", contentType: "application/x-www-form-urlencoded"), [400, 415]))
        cases.append(problem(c, "UTF-16 JSON with BOM", http.bytes("ingest", "POST", "/v1/leads", [0xFF, 0xFE] + Array(lead().utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })), [400, 415]))
        return cases
    }

    // MARK: ingest: ADF/XML

    private func ingestADF() -> [HostileCase] {
        let c = "ingest ADF/XML"
        func adf(_ customer: String = "<contact><name part=\"full\">Dana W</name><email>dana.\(UUID().uuidString.prefix(6))@example.com</email></contact>",
                 prolog: String = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", doctype: String = "") -> String {
            "\(prolog)\(doctype)<adf><prospect><requestdate>2025-03-14T09:12:44-05:00</requestdate><vehicle><make>Honda</make><model>CR-V</model></vehicle><customer>\(customer)</customer></prospect></adf>"
        }
        let laughs = """
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\
            <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">\
            <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">]>
            """
        var cases: [HostileCase] = [
            problem(c, "billion laughs", http.json("ingest", "POST", "/v1/leads/adf", adf("<contact><name part=\"full\">&lol9;</name><email>a@example.com</email></contact>", doctype: laughs), contentType: "application/xml"), [400], code: "xml_doctype_forbidden"),
            problem(c, "XXE file", http.json("ingest", "POST", "/v1/leads/adf", adf("<contact><name part=\"full\">&xxe;</name><email>a@example.com</email></contact>", doctype: "<!DOCTYPE adf [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"), contentType: "application/xml"), [400]),
            problem(c, "XXE http", http.json("ingest", "POST", "/v1/leads/adf", adf("<contact><name part=\"full\">&xxe;</name><email>a@example.com</email></contact>", doctype: "<!DOCTYPE adf [<!ENTITY xxe SYSTEM \"http://127.0.0.1:9/x\">]>"), contentType: "application/xml"), [400]),
            problem(c, "parameter entity", http.json("ingest", "POST", "/v1/leads/adf", adf(doctype: "<!DOCTYPE adf [<!ENTITY % p SYSTEM \"file:///etc/hostname\"> %p;]>"), contentType: "application/xml"), [400]),
            problem(c, "external DTD", http.json("ingest", "POST", "/v1/leads/adf", adf(doctype: "<!DOCTYPE adf SYSTEM \"http://127.0.0.1:9/adf.dtd\">"), contentType: "application/xml"), [400]),
            problem(c, "undeclared entity", http.json("ingest", "POST", "/v1/leads/adf", adf("<contact><name part=\"full\">&evil;</name><email>a@example.com</email></contact>"), contentType: "application/xml"), [400], code: "xml_entity_forbidden"),
            problem(c, "unclosed tags", http.json("ingest", "POST", "/v1/leads/adf", "<adf><prospect><customer><contact>", contentType: "application/xml"), [400, 422]),
            problem(c, "mismatched tags", http.json("ingest", "POST", "/v1/leads/adf", "<adf><prospect></customer></adf>", contentType: "application/xml"), [400, 422]),
            problem(c, "not ADF", http.json("ingest", "POST", "/v1/leads/adf", "<html><body>hi</body></html>", contentType: "application/xml"), [422]),
            problem(c, "no prospect", http.json("ingest", "POST", "/v1/leads/adf", "<adf></adf>", contentType: "application/xml"), [422]),
            problem(c, "no contact", http.json("ingest", "POST", "/v1/leads/adf", adf("<contact><name part=\"full\">Nobody</name></contact>"), contentType: "application/xml"), [422]),
            problem(c, "unknown encoding", http.json("ingest", "POST", "/v1/leads/adf", adf(prolog: "<?xml version=\"1.0\" encoding=\"EBCDIC-CP-US\"?>"), contentType: "application/xml"), [400, 415]),
            problem(c, "e-mail with CRLF header", http.json("ingest", "POST", "/v1/leads/adf", adf("<contact><name part=\"full\">Dana</name><email>a@example.com&#13;&#10;Bcc: victim@example.com</email></contact>"), contentType: "application/xml"), [422]),
            problem(c, "control character reference", http.json("ingest", "POST", "/v1/leads/adf", adf("<contact><name part=\"full\">a&#0;b</name><email>a@example.com</email></contact>"), contentType: "application/xml"), [400, 422]),
            problem(c, "processing instruction bomb", http.json("ingest", "POST", "/v1/leads/adf", String(repeating: "<?pi x?>", count: 50_000) + adf(prolog: ""), contentType: "application/xml"), [400, 413, 422]),
            problem(c, "deep nesting", http.json("ingest", "POST", "/v1/leads/adf", "<adf>" + String(repeating: "<a>", count: 50_000) + String(repeating: "</a>", count: 50_000) + "</adf>", contentType: "application/xml"), [400, 413, 422]),
            problem(c, "101 prospects", http.json("ingest", "POST", "/v1/leads/adf", "<adf>" + String(repeating: "<prospect><customer><contact><email>x@example.com</email></contact></customer></prospect>", count: 101) + "</adf>", contentType: "application/xml"), [413, 422]),
            problem(c, "JSON to the ADF endpoint", http.json("ingest", "POST", "/v1/leads/adf", lead(), contentType: "application/json"), [400, 415, 422]),
            problem(c, "UTF-16 without declaration", http.bytes("ingest", "POST", "/v1/leads/adf", [0xFF, 0xFE] + Array(adf().utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }), contentType: "application/xml"), [400, 415, 422]),
            problem(c, "body over the limit", http.json("ingest", "POST", "/v1/leads/adf", adf("<contact><name part=\"full\">\(String(repeating: "D", count: maxBodyBytes))</name></contact>"), contentType: "application/xml"), [413]),
        ]
        for (i, bytes) in [[UInt8]([0xC3, 0x28]), [0xFF], [0xED, 0xA0, 0x80]].enumerated() {
            let body = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?><adf><prospect><customer><contact><name part=\"full\">".utf8) + bytes
                + Array("</name><email>x@example.com</email></contact></customer></prospect></adf>".utf8)
            cases.append(problem(c, "invalid UTF-8 #\(i + 1)", http.bytes("ingest", "POST", "/v1/leads/adf", body, contentType: "application/xml"), [400]))
        }
        return cases
    }

    // MARK: ingest: webhooks

    private func webhooks() -> [HostileCase] {
        var cases: [HostileCase] = []
        let g = "webhook Google"
        func google(key: String, columns: String = "[{\"column_id\":\"EMAIL\",\"string_value\":\"g.\(UUID().uuidString.prefix(6))@example.com\"}]", leadId: String = "\"g-\(UUID().uuidString.prefix(8))\"") -> String {
            "{\"lead_id\":\(leadId),\"user_column_data\":\(columns),\"google_key\":\(key),\"form_id\":1}"
        }
        for (name, key) in [("wrong key", "\"wrong-key\""), ("empty key", "\"\""), ("key as number", "12345"), ("key as object", "{\"$ne\":null}"), ("key with injection", Self.quoted("x' OR '1'='1"))] {
            cases.append(problem(g, name, http.json("ingest", "POST", "/v1/webhooks/google", google(key: key), auth: .none), [401, 422, 429]))
        }
        cases.append(problem(g, "no key", http.json("ingest", "POST", "/v1/webhooks/google", "{\"lead_id\":\"x\",\"user_column_data\":[]}", auth: .none), [401, 422, 429]))
        let key = Self.quoted(googleKey)
        cases.append(problem(g, "columns not an array", http.json("ingest", "POST", "/v1/webhooks/google", google(key: key, columns: "\"EMAIL\""), auth: .inBody), [400, 422]))
        cases.append(problem(g, "no contact", http.json("ingest", "POST", "/v1/webhooks/google", google(key: key, columns: "[{\"column_id\":\"FULL_NAME\",\"string_value\":\"x\"}]"), auth: .inBody), [422]))
        cases.append(problem(g, "bad e-mail", http.json("ingest", "POST", "/v1/webhooks/google", google(key: key, columns: "[{\"column_id\":\"EMAIL\",\"string_value\":\"a@b\\r\\nBcc: c@d.com\"}]"), auth: .inBody), [422]))
        cases.append(problem(g, "lead_id as object", http.json("ingest", "POST", "/v1/webhooks/google", google(key: key, leadId: "{\"a\":1}"), auth: .inBody), [400, 422]))
        cases.append(problem(g, "broken JSON", http.json("ingest", "POST", "/v1/webhooks/google", "{\"google_key\":", auth: .none), [400, 401, 429]))
        cases.append(problem(g, "invalid UTF-8", http.bytes("ingest", "POST", "/v1/webhooks/google", Array("{\"google_key\":\"".utf8) + [0xFF, 0xFE] + Array("\"}".utf8), auth: .none), [400, 401, 429]))
        cases.append(problem(g, "body over the limit", http.json("ingest", "POST", "/v1/webhooks/google", google(key: key) + String(repeating: " ", count: maxBodyBytes), auth: .inBody), [413]))

        let m = "webhook Meta"
        let notification = #"{"object":"page","entry":[{"id":"1","time":1742389999,"changes":[{"value":{"leadgen_id":"9\#(round)1187654321","page_id":"1","form_id":"2"},"field":"leadgen"}]}]}"#
        let goodSignature = "sha256=" + hmacHex(key: metaSecret, Array(notification.utf8))
        let otherBodySignature = "sha256=" + hmacHex(key: metaSecret, Array("{}".utf8))
        let signatures: [(String, String?)] = [
            ("no signature", nil), ("wrong secret", "sha256=" + hmacHex(key: "not-the-secret", Array(notification.utf8))),
            ("another body's signature", otherBodySignature), ("sha1 prefix", "sha1=" + goodSignature.dropFirst(7)),
            ("not hex", "sha256=zzzz"), ("empty", ""), ("truncated", String(goodSignature.dropLast(2))),
            ("upper-cased prefix only", "SHA256=" + hmacHex(key: "x", Array(notification.utf8))),
        ]
        for (name, signature) in signatures {
            let auth: HTTPBuilder.Auth = signature.map { .header("X-Hub-Signature-256", $0) } ?? .none
            cases.append(problem(m, name, http.json("ingest", "POST", "/v1/webhooks/meta", notification, auth: auth), [401, 429]))
        }
        cases.append(problem(m, "handshake with wrong verify token", http.json("ingest", "GET", "/v1/webhooks/meta?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=123", "", contentType: nil, auth: .none), [401, 403, 429]))
        cases.append(problem(m, "handshake without mode", http.json("ingest", "GET", "/v1/webhooks/meta?hub.challenge=%3Cscript%3E", "", contentType: nil, auth: .none), [400, 401, 403, 422, 429]))
        return cases
    }

    private func hmacHex(key: String, _ body: [UInt8]) -> String {
        HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(key.utf8))).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: ingest: CSV import

    private func csv() -> [HostileCase] {
        let c = "ingest CSV import"
        func upload(_ name: String, _ body: [UInt8]) -> HostileCase {
            HostileCase(channel: c, name: name, input: http.bytes("ingest", "POST", "/v1/leads/import", body, contentType: "text/csv"), expect: .csvRowsRefused)
        }
        var random = SystemRandomNumberGenerator()
        return [
            upload("binary garbage", (0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) }),
            upload("unknown columns only", Array("foo,bar,baz\n1,2,3\n".utf8)),
            upload("unterminated quote", Array("First Name,Email\n\"Dana,dana@example.com\n".utf8)),
            upload("NUL bytes", Array("First Name,Email\nDa\u{0000}na,dana@example.com\n".utf8)),
            upload("invalid UTF-8 row", Array("First Name,Email\n".utf8) + [0xC3, 0x28] + Array(",x@example.com\n".utf8)),
            upload("rows without contact", Array("First Name,Last Name\nA,B\nC,D\n".utf8)),
            upload("bad e-mails", Array("Email\nnot-an-email\n\"a@b.co\r\nBcc: c@d.co\"\n' OR '1'='1\n".utf8)),
            upload("formula injection", Array("First Name,Email\n=cmd|' /C calc'!A0,not-an-email\n".utf8)),
            upload("1,000 columns", Array(((0..<1000).map { "c\($0)" }.joined(separator: ",") + "\n" + (0..<1000).map { "v\($0)" }.joined(separator: ",") + "\n").utf8)),
            upload("one 2 MiB row", Array("Email,Comments\nx@example.com,".utf8) + [UInt8](repeating: UInt8(ascii: "z"), count: 2 << 20)),
        ]
    }

    // MARK: Authentication

    private func authentication() -> [HostileCase] {
        let c = "auth (JWT, API keys)"
        let parts = adminToken.split(separator: ".").map(String.init)
        let payload = parts.count == 3 ? (try? JSONSerialization.jsonObject(with: base64URLDecode(parts[1]))) as? [String: Any] ?? [:] : [:]
        let now = Int(Date().timeIntervalSince1970)
        func claims(_ changes: [String: Any?]) -> [String: Any] {
            var copy = payload
            for (key, value) in changes { copy[key] = value }
            return copy
        }
        func token(header: [String: Any], claims: [String: Any], secret: String?) -> String {
            let head = base64URL(try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
            let body = base64URL(try! JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys]))
            guard let secret else { return "\(head).\(body)." }
            let mac = HMAC<SHA256>.authenticationCode(for: Array("\(head).\(body)".utf8), using: SymmetricKey(data: Array(secret.utf8)))
            return "\(head).\(body).\(base64URL(Data(mac)))"
        }
        let hs = ["alg": "HS256", "typ": "JWT", "kid": signingKid]
        let tokens: [(String, String)] = [
            ("alg none", token(header: ["alg": "none", "typ": "JWT", "kid": signingKid], claims: payload, secret: nil)),
            ("alg None, kid omitted", token(header: ["alg": "None"], claims: payload, secret: nil)),
            ("expired", token(header: hs, claims: claims(["exp": now - 3600, "iat": now - 7200]), secret: signingSecret)),
            ("not yet issued, exp as string", token(header: hs, claims: claims(["exp": "never"]), secret: signingSecret)),
            ("wrong kid", token(header: ["alg": "HS256", "typ": "JWT", "kid": "nope"], claims: payload, secret: signingSecret)),
            ("kid path traversal", token(header: ["alg": "HS256", "typ": "JWT", "kid": "../../../../dev/null"], claims: payload, secret: "")),
            ("wrong secret", token(header: hs, claims: payload, secret: "guessed-secret-guessed-secret-guessed")),
            ("wrong issuer", token(header: hs, claims: claims(["iss": "evil"]), secret: signingSecret)),
            ("wrong audience", token(header: hs, claims: claims(["aud": ["someone-else"]]), secret: signingSecret)),
            ("RS256 header, guessed HMAC secret", token(header: ["alg": "RS256", "typ": "JWT", "kid": signingKid], claims: payload, secret: "public-key-as-hmac-secret-attempt-0123456789")),
            ("tampered role", parts.count == 3 ? "\(parts[0]).\(base64URL(try! JSONSerialization.data(withJSONObject: claims(["role": "platform_admin", "sub": "mallory"]))))).\(parts[2])" : "x"),
            ("signature stripped", parts.count == 3 ? "\(parts[0]).\(parts[1])." : "x"),
            ("two dots only", ".."), ("not base64", "!!!.???.***"), ("10 KB garbage", String(repeating: "A", count: 10_000)),
            ("JSON instead of JWT", "{\"role\":\"platform_admin\"}"),
        ]
        var cases: [HostileCase] = []
        let targets: [(String, String, String)] = [("ingest", "POST", "/v1/leads"), ("analytics", "GET", "/v1/leads"),
                                                   ("routing", "GET", "/v1/routing/locations"), ("notifier", "GET", "/v1/templates"),
                                                   ("scoring", "GET", "/v1/scoring/rules")]
        for (index, (name, bad)) in tokens.enumerated() {
            let (service, method, path) = targets[index % targets.count]
            cases.append(problem(c, "\(name) → \(service)", http.json(service, method, path, method == "POST" ? lead() : "", contentType: method == "POST" ? "application/json" : nil, auth: .bearer(bad)), [401, 429]))
        }
        let keys: [(String, String)] = [
            ("garbage API key", "not-a-key"), ("forged key format", "lfk_deadbeef_0000000000000000"),
            ("key with injection", "lfk_' OR '1'='1_x"), ("real key truncated", String(http.apiKey.dropLast(4))),
            ("real key plus a byte", http.apiKey + "x"), ("empty key", ""),
        ]
        for (name, key) in keys {
            cases.append(problem(c, name, http.json("ingest", "POST", "/v1/leads", lead(), auth: .header("X-API-Key", key)), [401, 429]))
        }
        for (service, method, path) in targets {
            cases.append(problem(c, "no credentials → \(service)", http.json(service, method, path, method == "POST" ? lead() : "", contentType: method == "POST" ? "application/json" : nil, auth: .none), [401, 429]))
        }
        cases.append(problem(c, "Basic scheme", http.json("analytics", "GET", "/v1/leads", "", contentType: nil, auth: .header("Authorization", "Basic YWRtaW46YWRtaW4=")), [401, 429]))
        cases.append(problem(c, "Bearer with nothing", http.json("analytics", "GET", "/v1/leads", "", contentType: nil, auth: .header("Authorization", "Bearer ")), [401, 429]))
        // Brute force from one address: the first failures are 401, then the limiter answers 429.
        let bruteForce = "127.0.0.4"
        for attempt in 1...24 {
            let guess = token(header: hs, claims: payload, secret: "guess-\(attempt)-guess-guess-guess-guess-guess")
            let bytes = RawHTTP.request("GET", "/v1/leads", headers: [("Authorization", "Bearer \(guess)")])
            cases.append(HostileCase(channel: "auth brute force (one address)", name: "guess \(attempt)",
                                     input: .http(service: "analytics", bytes: bytes, source: bruteForce),
                                     expect: attempt > 20 ? .problem(statuses: [429], code: "too_many_authentication_failures") : .problem(statuses: [401, 429])))
        }
        // Valid tokens, wrong role: refused by permission, not by authentication.
        cases.append(problem(c, "salesperson → scoring rules", http.json("scoring", "PUT", "/v1/scoring/rules", "{\"rules\":[]}", auth: .valid(salespersonToken)), [403]))
        cases.append(problem(c, "reader → create lead", http.json("ingest", "POST", "/v1/leads", lead(), auth: .valid(readerToken)), [403]))
        cases.append(problem(c, "salesperson → sources", http.json("ingest", "GET", "/v1/sources", "", contentType: nil, auth: .valid(salespersonToken)), [403]))
        cases.append(problem(c, "reader → routing settings", http.json("routing", "PUT", "/v1/routing/settings", "{}", auth: .valid(readerToken)), [403]))
        cases.append(problem(c, "API key → admin endpoint", http.json("ingest", "POST", "/v1/sources", "{\"id\":\"evil\",\"name\":\"evil\"}"), [401, 403]))
        return cases
    }

    // MARK: ingest: lifecycle commands and action links

    private func lifecycle() -> [HostileCase] {
        let c = "ingest lifecycle commands"
        let missing = UUID().uuidString.lowercased()
        var cases: [HostileCase] = [
            problem(c, "status of an unknown lead", http.json("ingest", "POST", "/v1/leads/\(missing)/status", "{\"to\":\"contacted\"}", auth: .admin), [404]),
            problem(c, "injection as lead id", http.json("ingest", "POST", "/v1/leads/'%20OR%20'1'='1/status", "{\"to\":\"contacted\"}", auth: .admin), [400, 404]),
            problem(c, "path traversal as lead id", http.json("ingest", "POST", "/v1/leads/..%2F..%2Fetc%2Fpasswd/notes", "{\"text\":\"x\"}", auth: .admin), [400, 404]),
            problem(c, "status wrong type", http.json("ingest", "POST", "/v1/leads/\(missing)/status", "{\"to\":[\"contacted\"]}", auth: .admin), [404, 422]),
            problem(c, "note 10,000 chars", http.json("ingest", "POST", "/v1/leads/\(missing)/notes", "{\"text\":\"\(String(repeating: "n", count: 10_000))\"}", auth: .admin), [404, 422]),
            problem(c, "idempotency key 10 KB", http.json("ingest", "POST", "/v1/leads/\(missing)/notes", "{\"text\":\"x\"}", auth: .admin, extra: [("Idempotency-Key", String(repeating: "k", count: 10_000))]), [400, 404, 422, 431]),
        ]
        let links = ["garbage", "eyJhbGciOiJub25lIn0.e30.", String(repeating: "A", count: 4000), "..%2F..%2Fadmin", "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
                     "v1.\(UUID().uuidString).\(String(repeating: "0", count: 64))"]
        for (i, token) in links.enumerated() {
            cases.append(problem(c, "forged action link #\(i + 1)", http.json("ingest", "GET", "/v1/actions/\(token)", "", contentType: nil, auth: .none), [400, 401, 404, 429]))
        }
        return cases
    }

    // MARK: scoring, routing, notifier, analytics

    private func otherServices() -> [HostileCase] {
        var cases: [HostileCase] = []
        let s = "scoring API"
        cases += [
            problem(s, "rules: broken JSON", http.json("scoring", "PUT", "/v1/scoring/rules", "{\"rules\":[", auth: .admin), [400]),
            problem(s, "rules: wrong type", http.json("scoring", "PUT", "/v1/scoring/rules", "{\"rules\":\"all\"}", auth: .admin), [400, 422]),
            problem(s, "rules: weight out of range", http.json("scoring", "PUT", "/v1/scoring/rules", "{\"rules\":[{\"id\":\"x\",\"factor\":\"source\",\"points\":1e308}]}", auth: .admin), [400, 422]),
            problem(s, "rules: invalid UTF-8", http.bytes("scoring", "PUT", "/v1/scoring/rules", Array("{\"note\":\"".utf8) + [0xFF] + Array("\"}".utf8), auth: .admin), [400, 422]),
            problem(s, "score of a non-UUID", http.json("scoring", "GET", "/v1/scores/'%20OR%201=1", "", contentType: nil, auth: .admin), [400, 404]),
            problem(s, "activate unknown model", http.json("scoring", "POST", "/v1/scoring/model/activate", "{\"version\":\"'; DROP TABLE x;--\"}", auth: .admin), [400, 404, 422]),
            problem(s, "train with nonsense", http.json("scoring", "POST", "/v1/scoring/model/train", "{\"holdoutPercent\":-5,\"l2\":\"x\"}", auth: .admin), [400, 422]),
            problem(s, "deep nesting", http.json("scoring", "PUT", "/v1/scoring/rules", String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000), auth: .admin), [400, 413, 422]),
        ]
        let r = "routing API"
        cases += [
            problem(r, "location: broken JSON", http.json("routing", "PUT", "/v1/routing/locations/loc-hostile", "{\"name\":", auth: .admin), [400]),
            problem(r, "location: injection id", http.json("routing", "PUT", "/v1/routing/locations/loc-'%3B%20DROP%20TABLE%20x", "{\"name\":\"x\"}", auth: .admin), [400, 404, 422]),
            problem(r, "location: wrong types", http.json("routing", "PUT", "/v1/routing/locations/loc-hostile", "{\"name\":5,\"postalAreas\":\"all\"}", auth: .admin), [400, 422]),
            problem(r, "member: negative capacity", http.json("routing", "PUT", "/v1/routing/members/member-hostile", "{\"teamId\":\"team-suv\",\"name\":\"x\",\"capacity\":-1}", auth: .admin), [400, 422]),
            problem(r, "member: unknown team", http.json("routing", "PUT", "/v1/routing/members/member-hostile", "{\"teamId\":\"team-'OR'1'='1\",\"name\":\"x\"}", auth: .admin), [400, 404, 409, 422]),
            problem(r, "team: unknown strategy", http.json("routing", "PUT", "/v1/routing/teams/team-hostile", "{\"name\":\"x\",\"rule\":{\"strategy\":\"random; rm -rf\"}}", auth: .admin), [400, 422]),
            problem(r, "assign: unknown lead", http.json("routing", "POST", "/v1/routing/leads/\(UUID().uuidString.lowercased())/assign", "{\"ownerId\":\"member-ann\",\"note\":\"x\"}", auth: .admin), [404, 409, 422]),
            problem(r, "lead: non-UUID", http.json("routing", "GET", "/v1/routing/leads/%3Cscript%3E", "", contentType: nil, auth: .admin), [400, 404]),
            problem(r, "list: limit not a number", http.json("routing", "GET", "/v1/routing/locations?limit=abc", "", contentType: nil, auth: .admin), [400, 422]),
            problem(r, "postal codes: wrong shape", http.json("routing", "PUT", "/v1/routing/postal-codes", "{\"points\":[{\"country\":\"US\",\"postalCode\":\"43215\",\"latitude\":\"north\"}]}", auth: .admin), [400, 422]),
        ]
        let n = "notifier API"
        cases += [
            problem(n, "recipient: CRLF header injection", http.json("notifier", "PUT", "/v1/recipients/member-hostile", "{\"kind\":\"member\",\"name\":\"x\",\"email\":\"a@example.com\\r\\nBcc: victim@example.com\",\"channels\":[\"email\"]}", auth: .admin), [400, 422]),
            problem(n, "recipient: name with CRLF", http.json("notifier", "PUT", "/v1/recipients/member-hostile", "{\"kind\":\"member\",\"name\":\"x\\r\\nSubject: hi\",\"email\":\"a@example.com\",\"channels\":[\"email\"]}", auth: .admin), [400, 422]),
            problem(n, "recipient: unknown kind", http.json("notifier", "PUT", "/v1/recipients/x", "{\"kind\":\"root\",\"name\":\"x\"}", auth: .admin), [400, 422]),
            problem(n, "recipient: webhook to a file URL", http.json("notifier", "PUT", "/v1/recipients/hook-hostile", "{\"kind\":\"webhook\",\"name\":\"x\",\"webhookUrl\":\"file:///etc/passwd\",\"channels\":[\"webhook\"]}", auth: .admin), [400, 422]),
            problem(n, "template: broken mustache", http.json("notifier", "PUT", "/v1/templates/new_lead_assigned/email", "{\"subject\":\"{{#lead}}\",\"text\":\"{{/nothing}}\"}", auth: .admin), [400, 422]),
            problem(n, "template: unknown kind", http.json("notifier", "PUT", "/v1/templates/rm%20-rf/email", "{\"subject\":\"x\",\"text\":\"y\"}", auth: .admin), [400, 404, 422]),
            problem(n, "deliveries: state injection", http.json("notifier", "GET", "/v1/deliveries?state='%20OR%201=1", "", contentType: nil, auth: .admin), [400, 422]),
            problem(n, "deliveries: limit -1", http.json("notifier", "GET", "/v1/deliveries?limit=-1", "", contentType: nil, auth: .admin), [400, 422]),
            problem(n, "reminder on non-UUID lead", http.json("notifier", "POST", "/v1/leads/'%3B--/reminders", "{\"at\":\"soon\"}", auth: .admin), [400, 404, 422]),
            problem(n, "recipient: invalid UTF-8", http.bytes("notifier", "PUT", "/v1/recipients/member-hostile", Array("{\"kind\":\"member\",\"name\":\"".utf8) + [0xC3, 0x28] + Array("\"}".utf8), auth: .admin), [400, 422]),
        ]
        let a = "analytics API"
        cases += [
            HostileCase(channel: a, name: "leads: status injection (free-form filter)", input: http.json("analytics", "GET", "/v1/leads?status='%20OR%20'1'='1", "", contentType: nil, auth: .admin),
                        expect: .treatedAsData(bodyContains: "\"leads\":[]")),
            HostileCase(channel: a, name: "leads: owner injection (free-form filter)", input: http.json("analytics", "GET", "/v1/leads?owner=x'%20OR%20owner_id%20IS%20NULL%20--", "", contentType: nil, auth: .admin),
                        expect: .treatedAsData(bodyContains: "\"leads\":[]")),
            problem(a, "leads: limit not a number", http.json("analytics", "GET", "/v1/leads?limit=1e9", "", contentType: nil, auth: .admin), [400, 422]),
            problem(a, "leads: forged cursor", http.json("analytics", "GET", "/v1/leads?after=%27%3B%20DROP%20TABLE%20x", "", contentType: nil, auth: .admin), [400, 422]),
            problem(a, "leads: bad date", http.json("analytics", "GET", "/v1/leads?createdFrom=yesterday", "", contentType: nil, auth: .admin), [400, 422]),
            problem(a, "lead: non-UUID", http.json("analytics", "GET", "/v1/leads/..%2F..%2Fetc", "", contentType: nil, auth: .admin), [400, 404]),
            problem(a, "report: unknown", http.json("analytics", "GET", "/v1/reports/pg_sleep(10)", "", contentType: nil, auth: .admin), [400, 404]),
            problem(a, "report: bad range", http.json("analytics", "GET", "/v1/reports/conversion?from=2025-13-45&to=x", "", contentType: nil, auth: .admin), [400, 404, 422]),
            problem(a, "source cost: not a number", http.json("analytics", "PUT", "/v1/analytics/source-costs/src-demo", "{\"costPerLead\":\"abc\",\"currency\":\"USD\"}", auth: .admin), [400, 422]),
            HostileCase(channel: a, name: "source cost: injection as source id (free-form id)", input: http.json("analytics", "PUT", "/v1/analytics/source-costs/'%20OR%201=1", "{\"costPerLead\":\"1.00\",\"currency\":\"USD\"}", auth: .admin),
                        expect: .treatedAsData(bodyContains: "\"sourceId\":\"'")),
            HostileCase(channel: a, name: "dashboard: forged login code (HTML page)", input: http.json("analytics", "GET", "/dashboard/login?code=%27%20OR%201=1&next=https://127.0.0.1:9/phish", "", contentType: nil, auth: .none),
                        expect: .clientError),
        ]
        return cases
    }

    // MARK: Broken HTTP framing

    private func framing() -> [HostileCase] {
        let c = "HTTP framing"
        func raw(_ service: String, _ name: String, _ bytes: [UInt8]) -> HostileCase {
            HostileCase(channel: c, name: name, input: .http(service: service, bytes: bytes, source: HTTPBuilder.hostileSource), expect: .refusedFraming)
        }
        return [
            raw("ingest", "garbage request line", Array("GARBAGE\r\n\r\n".utf8)),
            raw("analytics", "header without colon", Array("GET /v1/leads HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n".utf8)),
            raw("ingest", "negative Content-Length", Array("POST /v1/leads HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n{}".utf8)),
            raw("ingest", "Content-Length and chunked", Array("POST /v1/leads HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".utf8)),
            raw("ingest", "invalid chunk size", Array("POST /v1/leads HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nZZZ\r\nabc\r\n0\r\n\r\n".utf8)),
            raw("routing", "NUL in the request line", Array("GET /v1/routing/loc\u{0000}ations HTTP/1.1\r\nHost: x\r\n\r\n".utf8)),
            raw("notifier", "128 KB header", Array("GET /v1/templates HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "h", count: 128 << 10))\r\n\r\n".utf8)),
            raw("scoring", "HTTP/0.9-style request", Array("GET /\r\n\r\n".utf8)),
        ]
    }
}

func base64URL(_ data: Data) -> String {
    data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
}

func base64URLDecode(_ text: String) -> Data {
    var base = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while base.count % 4 != 0 { base += "=" }
    return Data(base64Encoded: base) ?? Data()
}
