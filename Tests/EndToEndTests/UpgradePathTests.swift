import Foundation
import Switchboard
import Synchronization
import Testing

@Suite("The upgrade path over raw sockets: the 101's form, bytes sent with the request, broken requests, slots")
struct UpgradePathTests {
    private static let request = """
        GET /ws HTTP/1.1\r
        Host: 127.0.0.1\r
        Upgrade: websocket\r
        Connection: Upgrade\r
        Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
        Sec-WebSocket-Version: 13\r
        Sec-WebSocket-Protocol: \(FrameCodec.subprotocol)\r
        \r

        """

    /// A client frame: FIN, binary, masked with a fixed key.
    private static func maskedFrame(_ payload: [UInt8]) -> [UInt8] {
        precondition(payload.count < 126)
        let key: [UInt8] = [0x11, 0x22, 0x33, 0x44]
        return [0x82, 0x80 | UInt8(payload.count)] + key + payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
    }

    /// The server frames after the 101's head: (opcode byte, payload) of each whole frame.
    private static func serverFrames(_ bytes: [UInt8]) -> [(UInt8, [UInt8])] {
        guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { return [] }
        var rest = bytes[end.upperBound...]
        var frames: [(UInt8, [UInt8])] = []
        while rest.count >= 2 {
            let first = rest[rest.startIndex]
            var length = Int(rest[rest.startIndex + 1] & 0x7F)
            var header = 2
            if length == 126 {
                guard rest.count >= 4 else { break }
                length = Int(rest[rest.startIndex + 2]) << 8 | Int(rest[rest.startIndex + 3])
                header = 4
            }
            guard rest.count >= header + length else { break }
            frames.append((first, Array(rest.dropFirst(header).prefix(length))))
            rest = rest.dropFirst(header + length)
        }
        return frames
    }

    @Test("the 101 names websocket, carries the RFC 6455 accept value of the key, the subprotocol and the client id")
    func answerForm() async throws {
        let running = try await RunningServer.start()
        let connection = try await RawTCPConnection.connect(port: running.port)
        try await connection.send(Self.request)
        #expect(await running.eventually { connection.answer != nil })
        let answer = try #require(connection.answer)
        #expect(answer.status == 101)
        #expect(answer.header("upgrade") == "websocket")
        #expect(answer.header("connection") == "Upgrade")
        // RFC 6455 §1.3's example: this key gives this accept value.
        #expect(answer.header("sec-websocket-accept") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(answer.header("sec-websocket-protocol") == FrameCodec.subprotocol)
        #expect(answer.header("switchboard-client-id")?.hasPrefix("~") == true)
        connection.close()
        try await running.stop()
    }

    @Test("a request frame sent in the same write as the upgrade request is answered after the HELLO")
    func frameWithTheRequest() async throws {
        let running = try await RunningServer.start()
        let connection = try await RawTCPConnection.connect(port: running.port)
        let frame = try FrameCodec.encode(.request(RequestFrame(method: .get, id: 7, url: "/echo", data: ArraySlice("early".utf8))))
        try await connection.send(bytes: Array(Self.request.utf8) + Self.maskedFrame(frame))
        #expect(await running.eventually { Self.serverFrames(connection.received).count >= 2 })
        let frames = Self.serverFrames(connection.received)
        try #require(frames.count >= 2)
        guard case .control(let hello) = try FrameCodec.decode(frames[0].1), hello.kind == .hello else {
            Issue.record("the first frame is not the HELLO")
            return
        }
        guard case .response(let response) = try FrameCodec.decode(frames[1].1) else {
            Issue.record("the second frame is not a response")
            return
        }
        #expect(response.id == 7)
        #expect(response.status == .ok)
        #expect(Array(response.data) == Array("early".utf8))
        connection.close()
        try await running.stop()
    }

    @Test("bytes that are not HTTP are answered 400 and the connection closes; the server keeps serving")
    func garbage() async throws {
        let running = try await RunningServer.start()
        let connection = try await RawTCPConnection.connect(port: running.port)
        let answer = try await connection.exchange("\u{01}\u{02} not http at all\r\n\r\n")
        #expect(answer?.status == 400)
        let next = try await RawTCPConnection.connect(port: running.port)
        try await next.send(Self.request)
        #expect(await running.eventually { next.answer?.status == 101 })
        next.close()
        try await running.stop()
    }

    @Test("an Upgrade naming only another protocol is refused with 400 saying the server upgrades only to websocket")
    func otherProtocol() async throws {
        let running = try await RunningServer.start()
        let connection = try await RawTCPConnection.connect(port: running.port)
        let answer = try await connection.exchange(Self.request.replacingOccurrences(of: "Upgrade: websocket", with: "Upgrade: h2c"))
        #expect(answer?.status == 400)
        #expect(answer?.body.contains("upgrades only to websocket") == true)
        try await running.stop()
    }

    @Test("a body on an upgrade request closes the connection without a 101")
    func bodyOnUpgrade() async throws {
        let running = try await RunningServer.start()
        let connection = try await RawTCPConnection.connect(port: running.port)
        let withBody = Self.request.replacingOccurrences(of: "Connection: Upgrade\r\n", with: "Connection: Upgrade\r\nContent-Length: 5\r\n") + "hello"
        try await connection.send(withBody)
        #expect(await connection.waitUntilClosed())
        #expect(connection.answer?.status != 101)
        try await running.stop()
    }

    @Test("a client gone while its token is checked gives its connection slot back")
    func slotBackWhenGoneDuringDecision() async throws {
        let gate = Gate()
        let authentication = TokenAuthentication { token in
            if token == "slow" { await gate.wait() }
            return Identity(userId: "alice")
        }
        var configuration = Configuration()
        configuration.maxConnections = 1
        let running = try await RunningServer.start(configuration: configuration, authentication: authentication)
        let leaving = try await RawTCPConnection.connect(port: running.port)
        try await leaving.send(Self.request.replacingOccurrences(of: "GET /ws ", with: "GET /ws?token=slow "))
        try await Task.sleep(for: .milliseconds(100))
        leaving.close()
        try await Task.sleep(for: .milliseconds(100))
        gate.open()
        // The only slot must be free again: a second client is accepted.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(5)
        var status: Int?
        while clock.now < deadline {
            let next = try await RawTCPConnection.connect(port: running.port)
            try await next.send(Self.request.replacingOccurrences(of: "GET /ws ", with: "GET /ws?token=fast "))
            _ = await running.eventually { next.answer != nil || next.isClosed }
            status = next.answer?.status
            next.close()
            if status == 101 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(status == 101)
        try await running.stop()
    }

    @Test("while its token is checked, a client that keeps sending is not read: the server holds no more than the socket buffers")
    func noReadsWhileDeciding() async throws {
        let gate = Gate()
        let authentication = TokenAuthentication { _ in
            await gate.wait()
            return Identity(userId: "alice")
        }
        let running = try await RunningServer.start(authentication: authentication)
        let connection = try await RawTCPConnection.connect(port: running.port)
        try await connection.send(Self.request.replacingOccurrences(of: "GET /ws ", with: "GET /ws?token=t "))
        let sent = Atomic<Bool>(false)
        let flood = Task {
            // 32 MiB: far more than loopback's socket buffers take.
            try? await connection.send(bytes: [UInt8](repeating: 0, count: 32 << 20))
            sent.store(true, ordering: .releasing)
        }
        try await Task.sleep(for: .seconds(1))
        let finished = sent.load(ordering: .acquiring)
        #expect(!finished, "the server read everything while deciding")
        gate.open()
        // Decided: the upgrade goes on, and the zeros are not a valid frame stream: closed.
        #expect(await connection.waitUntilClosed(timeout: .seconds(10)))
        flood.cancel()
        try await running.stop()
    }

    @Test("a token verifier that does not suspend accepts a good token and refuses a bad one with 401")
    func verifierWithoutSuspending() async throws {
        let authentication = TokenAuthentication(verifyTokenWithoutSuspending: { $0 == "good" ? Identity(userId: "bob") : nil })
        let running = try await RunningServer.start(authentication: authentication)
        let good = try await RawTCPConnection.connect(port: running.port)
        try await good.send(Self.request.replacingOccurrences(of: "GET /ws ", with: "GET /ws?token=good&clientId=tab "))
        #expect(await running.eventually { good.answer != nil })
        #expect(good.answer?.status == 101)
        #expect(good.answer?.header("switchboard-client-id") == "bob.tab")
        good.close()
        let bad = try await RawTCPConnection.connect(port: running.port)
        let refused = try await bad.exchange(Self.request.replacingOccurrences(of: "GET /ws ", with: "GET /ws?token=bad "))
        #expect(refused?.status == 401)
        #expect(refused?.body.contains("invalid token") == true)
        try await running.stop()
    }
}
