import Foundation
import NIOCore
import NIOHTTP1
import NIOWebSocket
import Testing

@testable import Switchboard

@Suite("Handshake parsing and checks")
struct HandshakeParsingTests {
    private func request(_ uri: String, _ headers: [(String, String)] = []) -> UpgradeRequest {
        UpgradeRequest(head: HTTPRequestHead(version: .http1_1, method: .GET, uri: uri, headers: HTTPHeaders(headers)), remoteAddress: nil)
    }

    @Test("path and percent-decoded query are split")
    func query() {
        let parsed = request("/ws?token=a%2Fb&clientId=tab+1&empty&token=second")
        #expect(parsed.path == "/ws")
        #expect(parsed.query == ["token": "a/b", "clientId": "tab 1", "empty": ""])
    }

    @Test("spaces and tabs are trimmed at both ends only, other characters kept (non-ASCII included)")
    func trimming() {
        #expect(" \t switchboard.v1 \t".trimmingSpaces() == "switchboard.v1")
        #expect("a b".trimmingSpaces() == "a b")
        #expect("  ".trimmingSpaces() == "")
        #expect("".trimmingSpaces() == "")
        #expect(" é\u{301} ".trimmingSpaces() == "é\u{301}")
        #expect("\nx\n".trimmingSpaces() == "\nx\n")
        #expect("[ x ]".dropFirst().dropLast().trimmingSpaces() == "x")
        #expect(request("/ws", [("Sec-WebSocket-Protocol", " other ,\tswitchboard.v1 , ")]).offeredSubprotocols == ["other", "switchboard.v1"])
    }

    @Test("cookies are read from every Cookie header, quotes removed")
    func cookies() {
        let parsed = request("/ws", [("Cookie", "a=1; token=\"xyz\""), ("Cookie", "b=2")])
        #expect(parsed.cookies == ["a": "1", "token": "xyz", "b": "2"])
    }

    @Test("the bearer token comes from the Authorization header, then the query, then a cookie")
    func bearerToken() {
        #expect(request("/ws?token=q", [("Authorization", "Bearer h"), ("Cookie", "token=c")]).bearerToken == "h")
        #expect(request("/ws?token=q", [("Authorization", "Basic xyz"), ("Cookie", "token=c")]).bearerToken == "q")
        #expect(request("/ws", [("Cookie", "token=c")]).bearerToken == "c")
        #expect(request("/ws").bearerToken == nil)
    }

    @Test("checks refuse a wrong path (404), a missing subprotocol (400), an unknown refusal value (400) and a foreign origin (403)")
    func checks() {
        var configuration = Configuration()
        configuration.allowedOrigins = ["https://ok.example"]
        func refusal(_ path: String, _ headers: [(String, String)]) -> HandshakeRefusal? {
            let request = request(path, headers)
            return HandshakeChecks.endpointRefusal(for: request, configuration: configuration) ?? HandshakeChecks.originRefusal(for: request, configuration: configuration)
        }
        let good = [("Sec-WebSocket-Protocol", "switchboard.v1"), ("Origin", "https://ok.example")]
        #expect(refusal("/ws", good) == nil)
        #expect(refusal("/ws?refusal=close", good) == nil)
        #expect(refusal("/ws?refusal=http", good) == nil)
        #expect(refusal("/other", good)?.status == .notFound)
        let foreign = [("Sec-WebSocket-Protocol", "switchboard.v1"), ("Origin", "https://evil.example")]
        #expect(refusal("/ws", foreign)?.status == .forbidden)
        #expect(refusal("/ws", [("Sec-WebSocket-Protocol", "chat")])?.status == .badRequest)
        #expect(refusal("/ws", [("Sec-WebSocket-Protocol", "chat, switchboard.v1")]) == nil)
        #expect(refusal("/ws?refusal=yes", good) == HandshakeRefusal(status: .badRequest, reason: "query parameter refusal=yes is not known; use refusal=close or refusal=http"))
    }

    @Test("a refusal told as a close: code 4000 + status, a reason cut to 123 bytes at a character boundary")
    func refusalByClose() {
        #expect(RefusalByClose.closeCode(for: .unauthorized) == 4401)
        #expect(RefusalByClose.closeCode(for: .serviceUnavailable) == 4503)
        #expect(RefusalByClose.closeReason("invalid token") == "invalid token")
        let fits = String(repeating: "a", count: 123)
        #expect(RefusalByClose.closeReason(fits) == fits)
        let long = String(repeating: "é", count: 100)
        let cut = RefusalByClose.closeReason(long)
        #expect(cut.utf8.count <= 123)
        #expect(cut == String(repeating: "é", count: 60) + "…")
        let emoji = RefusalByClose.closeReason("x" + String(repeating: "👩‍👩‍👧", count: 10))
        #expect(emoji.utf8.count <= 123)
        #expect(emoji.hasSuffix("…"))
        #expect(emoji.dropLast().allSatisfy { $0 == "x" || $0 == "👩‍👩‍👧" })
    }

    @Test("the RFC 6455 form: GET of HTTP/1.1, Connection: Upgrade, one 16-byte key (else 400), version 13 (else 426 naming 13)")
    func protocolForm() {
        let valid: [(String, String)] = [
            ("Upgrade", "websocket"), ("Connection", "keep-alive, Upgrade"),
            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13"),
        ]
        func head(_ headers: [(String, String)], method: HTTPMethod = .GET, version: HTTPVersion = .http1_1) -> HTTPRequestHead {
            HTTPRequestHead(version: version, method: method, uri: "/ws", headers: HTTPHeaders(headers))
        }
        func without(_ name: String) -> [(String, String)] { valid.filter { $0.0 != name } }
        #expect(HandshakeChecks.protocolRefusal(for: head(valid)) == nil)
        #expect(HandshakeChecks.protocolRefusal(for: head(valid, method: .POST))?.reason == "a WebSocket handshake must be a GET request, not POST")
        #expect(HandshakeChecks.protocolRefusal(for: head(valid, version: .http1_0))?.status == .badRequest)
        #expect(HandshakeChecks.protocolRefusal(for: head(without("Connection")))?.reason == "a WebSocket handshake needs the header Connection: Upgrade")
        #expect(HandshakeChecks.protocolRefusal(for: head(without("Sec-WebSocket-Key")))?.status == .badRequest)
        #expect(HandshakeChecks.protocolRefusal(for: head(without("Sec-WebSocket-Key") + [("Sec-WebSocket-Key", "c2hvcnQ=")]))?.status == .badRequest)
        #expect(HandshakeChecks.protocolRefusal(for: head(valid + [("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")]))?.status == .badRequest)
        for versions in [[], ["8"], ["13", "8"]] {
            let refusal = HandshakeChecks.protocolRefusal(for: head(without("Sec-WebSocket-Version") + versions.map { ("Sec-WebSocket-Version", $0) }))
            #expect(refusal?.status.code == 426)
            #expect(refusal?.headers == ["Sec-WebSocket-Version": "13"])
        }
    }

    @Test("more than one Origin header is refused with 403 when an allow-list is set")
    func twoOrigins() {
        var configuration = Configuration()
        let both = [("Sec-WebSocket-Protocol", "switchboard.v1"), ("Origin", "https://ok.example"), ("Origin", "https://evil.example")]
        #expect(HandshakeChecks.originRefusal(for: request("/ws", both), configuration: configuration) == nil)
        configuration.allowedOrigins = ["https://ok.example", "https://evil.example"]
        #expect(HandshakeChecks.originRefusal(for: request("/ws", both), configuration: configuration) == HandshakeRefusal(status: .forbidden, reason: "more than one Origin header"))
    }

    @Test("effective client ids: user-namespaced and escaped so pairs never collide, random when anonymous or unnamed, the hook's as given")
    func clientIds() throws {
        func id(_ requested: String?, _ user: String?, hook: String? = nil) throws -> String {
            try ClientIdAssignment.clientId(requested: requested, identity: user.map { Identity(userId: $0) }, decidedByHook: hook).get()
        }
        #expect(try id("tab1", "alice") == "alice.tab1")
        #expect(try id("b.c", "a") == "a.b.c")
        #expect(try id("c", "a.b") == "a%2Eb.c")
        #expect(try id("tab 1|%", "al ice") == "al%20ice.tab%201%7C%25")
        #expect(try id("~x", "alice") == "alice.%7Ex")
        let unnamed = try id(nil, "alice")
        #expect(unnamed.hasPrefix("alice.~") && unnamed.count == "alice.~".count + 32)
        #expect(try id("", "alice").hasPrefix("alice.~"))
        let anonymous = try id("tab1", nil)
        #expect(anonymous.hasPrefix("~") && anonymous.count == 33 && !anonymous.contains("."))
        #expect(try id("tab1", nil) != anonymous)
        #expect(try id("tab1", "alice", hook: "chosen") == "chosen")
        let long = ClientIdAssignment.clientId(requested: String(repeating: "x", count: 300), identity: Identity(userId: "alice"), decidedByHook: nil)
        #expect(throws: HandshakeRefusal.self) { try long.get() }
    }

    @Test("static files never escape their folder nor serve hidden files")
    func staticFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sb-static-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("css"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = StaticFiles(folder: folder.path)
        #expect(files.file(for: "/")?.lastPathComponent == "index.html")
        #expect(files.file(for: "/css/site.css?v=2")?.path.hasSuffix("/css/site.css") == true)
        #expect(files.file(for: "/../secret") == nil)
        #expect(files.file(for: "/%2E%2E/secret") == nil)
        #expect(files.file(for: "/.git/config") == nil)
        #expect(StaticFiles.contentType(for: URL(fileURLWithPath: "/a/b.JS")) == "text/javascript; charset=utf-8")
    }

    @Test("a close frame's body gives the code to echo, or 1002 when invalid")
    func closeBody() {
        func code(_ bytes: [UInt8]) -> Int {
            var buffer = ByteBuffer(bytes: bytes)
            var written = ByteBuffer()
            written.write(webSocketErrorCode: CloseFrameBody.replyCode(for: &buffer))
            return Int(written.readInteger(as: UInt16.self) ?? 0)
        }
        #expect(code([]) == 1000)
        #expect(code([0x03, 0xE9]) == 1001)
        #expect(code([0x03]) == 1002)
        #expect(code([0x03, 0xEC]) == 1002)  // 1004 is reserved
        #expect(code([0x03, 0xE8, 0xFF]) == 1002)  // reason not UTF-8
        #expect(code([0x0F, 0xA0]) == 4000)
    }

    @Test("the refresh route takes a raw token or {\"token\": …}")
    func refreshBody() {
        #expect(CredentialRefresh.token(in: ArraySlice(" abc \n".utf8)) == "abc")
        #expect(CredentialRefresh.token(in: ArraySlice(#"{"token":"xyz"}"#.utf8)) == "xyz")
        #expect(CredentialRefresh.token(in: ArraySlice(#"{"other":1}"#.utf8)) == nil)
        #expect(CredentialRefresh.token(in: []) == nil)
        #expect(ReservedRoutes.matches("/_switchboard/auth"))
        #expect(ReservedRoutes.matches("/_switchboard/auth?x=1"))
        #expect(!ReservedRoutes.matches("/_switchboardx/auth"))
        #expect(!ReservedRoutes.matches("/boards/7"))
    }
}

@Suite("Sec-WebSocket-Key check")
struct NonceCheckTests {
    @Test("a key is accepted exactly when it is the base64 form of 16 bytes")
    func nonce() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(HandshakeChecks.isNonce(Data(bytes).base64EncodedString()))
        }
        for key in ["", "dGhlIHNhbXBsZSBub25jZQ=", "dGhlIHNhbXBsZSBub25jZQ===", "dGhlIHNhbXBsZSBub25jZR==", "dGhlIHNhbXBsZSBub25j*Q==",
                    "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZSB4", "dGhlIHNhbXBsZSBub25jZQ==dGhl"] {
            #expect(!HandshakeChecks.isNonce(key), "\(key)")
        }
        #expect(HandshakeChecks.isNonce("dGhlIHNhbXBsZSBub25jZQ=="))
    }
}
