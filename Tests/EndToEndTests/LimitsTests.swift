import NIOCore
import Switchboard
import Testing

@Suite("Limits and health of a connection")
struct LimitsTests {
    @Test("a frame above the size limit closes the connection with 1009")
    func oversizeFrame() async throws {
        var configuration = Configuration()
        configuration.maxFrameSize = 64 << 10
        let running = try await RunningServer.start(configuration: configuration)
        let client = try await WebSocketTestClient.connect(port: running.port)
        let body = String(repeating: "x", count: 64 << 10)
        try await client.send(.request(RequestFrame(method: .post, id: 1, url: "/echo", data: ArraySlice(body.utf8))))
        let close = await client.nextClose()
        #expect(close?.code == 1009)
        #expect(close?.reason.contains("65536") == true)
        #expect(await client.waitUntilDisconnected())
        try await running.stop()
    }

    @Test("a message above the size limit, sent in fragments, closes with 1009")
    func oversizeMessage() async throws {
        var configuration = Configuration()
        configuration.maxMessageSize = 10_000
        let running = try await RunningServer.start(configuration: configuration)
        let client = try await WebSocketTestClient.connect(port: running.port)
        let chunk = [UInt8](repeating: 0x41, count: 4_000)
        try await client.sendRaw(chunk, opcode: .binary, fin: false)
        try await client.sendRaw(chunk, opcode: .continuation, fin: false)
        try await client.sendRaw(chunk, opcode: .continuation, fin: true)
        #expect(await client.nextClose()?.code == 1009)
        try await running.stop()
    }

    @Test("a request in fragments, with a ping between them, is joined and answered; the ping first")
    func fragmentedRequest() async throws {
        let running = try await RunningServer.start()
        let client = try await WebSocketTestClient.connect(port: running.port)
        let bytes = try FrameCodec.encode(.request(RequestFrame(method: .post, id: 5, url: "/echo", data: ArraySlice("in three parts".utf8))))
        try await client.sendRaw(Array(bytes[..<3]), opcode: .binary, fin: false)
        try await client.sendRaw(Array("between".utf8), opcode: .ping)
        try await client.sendRaw(Array(bytes[3..<12]), opcode: .continuation, fin: false)
        try await client.sendRaw([], opcode: .continuation, fin: false)
        try await client.sendRaw(Array(bytes[12...]), opcode: .continuation, fin: true)
        #expect(await client.next() == .pong)
        guard case .response(let response) = try await client.nextFrame() else { Issue.record("no response"); return }
        #expect(response.id == 5)
        #expect(String(decoding: response.data, as: UTF8.self) == "in three parts")
        // Unfragmented messages still work after it, and a fragmented text message is refused
        // like a whole one, keeping the socket.
        #expect(try await client.request(.get, "/echo", body: "whole", id: 6).status == .ok)
        try await client.sendRaw(Array("hel".utf8), opcode: .text, fin: false)
        try await client.sendRaw(Array("lo".utf8), opcode: .continuation, fin: true)
        guard case .error(let text) = try await client.nextFrame() else { Issue.record("no error frame"); return }
        #expect(text.status == .badRequest)
        #expect(try await client.request(.get, "/echo", body: "still open", id: 7).status == .ok)
        client.close()
        try await running.stop()
    }

    @Test("a message in more fragments than allowed closes with 1009")
    func tooManyFragments() async throws {
        var configuration = Configuration()
        configuration.maxFragmentsPerMessage = 3
        let running = try await RunningServer.start(configuration: configuration)
        let client = try await WebSocketTestClient.connect(port: running.port)
        try await client.sendRaw([0x01], opcode: .binary, fin: false)
        for _ in 0..<3 { try await client.sendRaw([0x00], opcode: .continuation, fin: false) }
        let close = await client.nextClose()
        #expect(close?.code == 1009)
        #expect(close?.reason.contains("3 fragments") == true)
        #expect(await client.waitUntilDisconnected())
        try await running.stop()
    }

    @Test("fragments out of order close with 1002: a continuation first, or a new message before the last ended")
    func fragmentsOutOfOrder() async throws {
        let running = try await RunningServer.start()
        let stray = try await WebSocketTestClient.connect(port: running.port)
        try await stray.sendRaw([0x01], opcode: .continuation, fin: true)
        #expect(await stray.nextClose()?.code == 1002)
        let interrupted = try await WebSocketTestClient.connect(port: running.port)
        try await interrupted.sendRaw([0x01], opcode: .binary, fin: false)
        try await interrupted.sendRaw([0x01], opcode: .binary, fin: true)
        let close = await interrupted.nextClose()
        #expect(close?.code == 1002)
        #expect(close?.reason.contains("before the previous one ended") == true)
        // The server and its other connections are unaffected.
        let other = try await WebSocketTestClient.connect(port: running.port)
        #expect(try await other.request(.get, "/echo", body: "fine", id: 1).status == .ok)
        other.close()
        try await running.stop()
    }

    @Test("a malformed frame is answered with an error frame (400) and the socket keeps working")
    func malformedFrame() async throws {
        let running = try await RunningServer.start()
        let client = try await WebSocketTestClient.connect(port: running.port)
        try await client.sendRaw([0x7F, 0x00, 0x01])
        guard case .error(let error) = try await client.nextFrame() else { Issue.record("no error frame"); return }
        #expect(error.status == .badRequest)
        #expect(String(decoding: error.data, as: UTF8.self) == #"{"error":"unknown frame kind byte 0x7F"}"#)
        // A request with an unreadable url keeps its id in the error.
        try await client.sendRaw([0x01, 0x00, 0x00, 0x00, 0x00, 0x09, 0x7C, 0x2F, 0x20, 0x7C])
        guard case .error(let withID) = try await client.nextFrame() else { Issue.record("no error frame"); return }
        #expect(withID.id == 9)
        try await client.sendRaw(Array("hello".utf8), opcode: .text)
        guard case .error(let text) = try await client.nextFrame() else { Issue.record("no error frame"); return }
        #expect(String(decoding: text.data, as: UTF8.self).contains("binary"))
        let response = try await client.request(.get, "/echo", body: "still open", id: 2)
        #expect(response.status == .ok)
        client.close()
        try await running.stop()
    }

    @Test("a flood of malformed frames closes the connection with 1008")
    func malformedFlood() async throws {
        var configuration = Configuration()
        configuration.maxMalformedFrames = 5
        let running = try await RunningServer.start(configuration: configuration)
        let client = try await WebSocketTestClient.connect(port: running.port)
        for _ in 0..<6 { try await client.sendRaw([0xEE]) }
        var errors = 0
        var closeCode: UInt16?
        loop: for _ in 0..<10 {
            switch await client.next() {
            case .frame(.error): errors += 1
            case .close(let code, _): closeCode = code; break loop
            default: break loop
            }
        }
        #expect(errors == 5)
        #expect(closeCode == 1008)
        // The test client answers the close frame, completing the close handshake.
        #expect(await client.waitUntilDisconnected())
        try await running.stop()
    }

    @Test("a client that stops reading is closed with 1013 once its outbound buffer fills; reading again, it gets what was sent, then the close frame; other clients are unaffected")
    func slowConsumer() async throws {
        var configuration = Configuration()
        configuration.maxOutboundBufferSize = 256 << 10
        configuration.outboundHighWaterMark = 64 << 10
        // Room for a loaded machine between the server's decision and the client reading again.
        configuration.closeHandshakeTimeout = .seconds(30)
        let logs = CapturedLogs()
        let running = try await RunningServer.start(configuration: configuration, logger: logs.logger(level: .warning))
        let slow = try await WebSocketTestClient.connect(port: running.port, receiveBufferSize: 16 << 10)
        #expect(await running.eventually { running.server.connections.count == 1 })
        let slowID = try #require(running.server.connections.first?.id)
        let healthy = try await WebSocketTestClient.connect(port: running.port)
        #expect(await running.eventually { running.server.connections.count == 2 })
        try await slow.stopReading()
        _ = try await healthy.request(.get, "/echo", id: 1)
        // Push 64 MiB at most, 64 KiB at a time, until the server gives up
        // on the slow one: long before, holding at most about 256 KiB for it.
        let payload = ArraySlice([UInt8](repeating: 0x61, count: 64 << 10))
        let push = try FrameCodec.encode(.push(PushFrame(url: "/feed", data: payload)))
        // Only the slow connection is flooded: a healthy client that happens to be starved of CPU
        // on a loaded machine must not become a slow consumer itself.
        let healthyID = try #require(running.server.connections.first { $0.id != slowID }?.id)
        let slowConnection = try #require(running.server.connection(slowID))
        var pushes = 0
        while logs.records("closing slow consumer").isEmpty && pushes < 1024 {
            slowConnection.send(encodedFrame: push)
            pushes += 1
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(logs.records("closing slow consumer").count == 1)
        #expect(pushes < 1024)
        // Reading again, the slow client gets the pushes already on their way, then the close
        // frame that says why.
        try await slow.resumeReading()
        var framesRead = 0
        var close: (code: UInt16?, reason: String)?
        loop: while true {
            switch await slow.next(timeout: .seconds(5)) {
            case .frame: framesRead += 1
            case .close(let code, let reason): close = (code, reason); break loop
            default: break loop
            }
        }
        #expect(framesRead > 0)
        #expect(framesRead < pushes)
        #expect(close?.code == 1013)
        #expect(close?.reason.hasPrefix("slow consumer") == true)
        #expect(await slow.waitUntilDisconnected())
        #expect(await running.eventually { running.server.connections.map(\.id) == [healthyID] })
        let response = try await healthy.request(.get, "/echo", body: "fine", id: 2)
        #expect(String(decoding: response.data, as: UTF8.self) == "fine")
        healthy.close()
        try await running.stop()
    }

    @Test("a silent peer is pinged, and closed with 1001 when it never answers")
    func idlePeer() async throws {
        var configuration = Configuration()
        configuration.pingInterval = .milliseconds(300)
        configuration.idleTimeout = .milliseconds(1000)
        let running = try await RunningServer.start(configuration: configuration)
        let silent = try await WebSocketTestClient.connect(port: running.port, answersPings: false)
        let alive = try await WebSocketTestClient.connect(port: running.port, answersPings: true)
        var pings = 0
        var close: (code: UInt16?, reason: String)?
        loop: for _ in 0..<20 {
            switch await silent.next(timeout: .seconds(2)) {
            case .ping: pings += 1
            case .close(let code, let reason): close = (code, reason); break loop
            default: break loop
            }
        }
        #expect(pings >= 2)
        #expect(close?.code == 1001)
        #expect(close?.reason == "idle timeout")
        // The peer that answers pings stays.
        #expect(alive.channel.isActive)
        #expect(try await alive.request(.get, "/echo", id: 1).status == .ok)
        alive.close()
        silent.close()
        try await running.stop()
    }
}
