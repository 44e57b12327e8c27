import Foundation
import Switchboard
import Testing

@Suite("The handshake's HTTP form, as RFC 6455 requires it, over raw sockets")
struct HandshakeProtocolTests {
    /// An upgrade request; `replacing` swaps or (with `nil`) drops a header, `extra` adds some.
    private static func upgrade(method: String = "GET", replacing: [String: String?] = [:], extra: [(String, String)] = []) -> String {
        var headers: [(String, String)] = [
            ("Host", "127.0.0.1"),
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
            ("Sec-WebSocket-Version", "13"),
            ("Sec-WebSocket-Protocol", FrameCodec.subprotocol),
        ]
        headers = headers.compactMap { name, value in
            guard let replacement = replacing[name] else { return (name, value) }
            return replacement.map { (name, $0) }
        }
        let lines = (headers + extra).map { "\($0.0): \($0.1)\r\n" }.joined()
        return "\(method) /ws HTTP/1.1\r\n\(lines)\r\n"
    }

    private static func answer(_ request: String, port: Int) async throws -> RawTCPConnection.Answer? {
        let connection = try await RawTCPConnection.connect(port: port)
        defer { connection.close() }
        try await connection.send(request)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(5)
        while connection.answer == nil && !connection.isClosed && clock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        // A refusal closes the connection after its body; a 101 leaves it open.
        guard let answer = connection.answer, answer.status != 101 else { return connection.answer }
        #expect(await connection.waitUntilClosed(), "a refusal closes the connection")
        return connection.answer
    }

    @Test("a well-formed upgrade, with Connection listing more tokens, switches protocols")
    func wellFormed() async throws {
        let running = try await RunningServer.start()
        let answer = try await Self.answer(Self.upgrade(replacing: ["Connection": "keep-alive, Upgrade"]), port: running.port)
        #expect(answer?.status == 101)
        try await running.stop()
    }

    @Test("the 101 and the HELLO leave in one write: the client's first read holds both")
    func helloWithTheAnswer() async throws {
        let running = try await RunningServer.start()
        let connection = try await RawTCPConnection.connect(port: running.port)
        try await connection.send(Self.upgrade())
        #expect(await running.eventually { connection.firstRead != nil })
        let first = try #require(connection.firstRead)
        let end = try #require(first.firstRange(of: Array("\r\n\r\n".utf8)))
        #expect(String(decoding: first[..<end.lowerBound], as: UTF8.self).hasPrefix("HTTP/1.1 101"))
        // After the head: one unmasked binary frame, FIN set, whose payload is the whole HELLO.
        let frame = Array(first[end.upperBound...])
        try #require(frame.count >= 2)
        #expect(frame[0] == 0x82)
        let length = Int(frame[1] & 0x7F)
        let headerLength = length == 126 ? 4 : 2
        let payloadLength = length == 126 ? Int(frame[2]) << 8 | Int(frame[3]) : length
        #expect(frame.count == headerLength + payloadLength)
        let decoded = try FrameCodec.decode(Array(frame[headerLength...]))
        guard case .control(let control) = decoded else {
            Issue.record("expected the HELLO, got \(decoded)")
            return
        }
        #expect(control.kind == .hello)
        connection.close()
        try await running.stop()
    }

    @Test("an upgrade by POST is refused with 400 saying it must be GET, and the connection closes")
    func postRefused() async throws {
        let running = try await RunningServer.start()
        let answer = try #require(try await Self.answer(Self.upgrade(method: "POST", extra: [("Content-Length", "0")]), port: running.port))
        #expect(answer.status == 400)
        #expect(answer.body == #"{"error":"a WebSocket handshake must be a GET request, not POST"}"#)
        #expect(answer.header("connection") == "close")
        #expect(running.server.connections.isEmpty)
        try await running.stop()
    }

    @Test("an upgrade without Connection: Upgrade is refused with 400 naming the header")
    func connectionHeaderRequired() async throws {
        let running = try await RunningServer.start()
        for connection in [nil, "keep-alive"] as [String?] {
            let answer = try #require(try await Self.answer(Self.upgrade(replacing: ["Connection": connection]), port: running.port))
            #expect(answer.status == 400)
            #expect(answer.body.contains("Connection: Upgrade"))
        }
        try await running.stop()
    }

    @Test("a WebSocket version other than 13 gets 426 with Sec-WebSocket-Version: 13")
    func wrongVersion() async throws {
        let running = try await RunningServer.start()
        for version in ["8", nil] as [String?] {
            let answer = try #require(try await Self.answer(Self.upgrade(replacing: ["Sec-WebSocket-Version": version]), port: running.port))
            #expect(answer.status == 426)
            #expect(answer.header("sec-websocket-version") == "13")
            #expect(answer.body.contains("Sec-WebSocket-Version: 13"))
        }
        try await running.stop()
    }

    @Test("a missing or malformed Sec-WebSocket-Key is refused with 400")
    func badKey() async throws {
        let running = try await RunningServer.start()
        for key in [nil, "c2hvcnQ="] as [String?] {
            let answer = try #require(try await Self.answer(Self.upgrade(replacing: ["Sec-WebSocket-Key": key]), port: running.port))
            #expect(answer.status == 400)
            #expect(answer.body.contains("Sec-WebSocket-Key"))
        }
        try await running.stop()
    }

    @Test("two Origin headers are refused with 403 even when the first is allowed")
    func twoOrigins() async throws {
        var configuration = Configuration()
        configuration.allowedOrigins = ["https://app.example"]
        let running = try await RunningServer.start(configuration: configuration)
        let both = try #require(try await Self.answer(Self.upgrade(extra: [("Origin", "https://app.example"), ("Origin", "https://evil.example")]), port: running.port))
        #expect(both.status == 403)
        #expect(both.body.contains("more than one Origin"))
        let allowed = try await Self.answer(Self.upgrade(extra: [("Origin", "https://app.example")]), port: running.port)
        #expect(allowed?.status == 101)
        try await running.stop()
    }
}
