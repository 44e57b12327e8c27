import NIOCore
import Switchboard
import Testing

@Suite("What the server does with each kind of client frame")
struct ClientFramesTests {
    /// The data of an error frame as text.
    private func reason(_ error: ErrorFrame) -> String {
        String(decoding: error.data, as: UTF8.self)
    }

    /// A batch message: header with `count` (default: the number of frames), then each frame
    /// behind its length.
    private func batch(_ frames: [[UInt8]], count: Int? = nil) -> [UInt8] {
        let declared = UInt32(count ?? frames.count)
        var bytes: [UInt8] = [0x30, 0x00] + withUnsafeBytes(of: declared.bigEndian, Array.init)
        for frame in frames {
            bytes += withUnsafeBytes(of: UInt32(frame.count).bigEndian, Array.init) + frame
        }
        return bytes
    }

    private func get(_ id: UInt32, _ body: String) throws -> [UInt8] {
        try FrameCodec.encode(.request(RequestFrame(method: .get, id: id, url: "/echo", data: ArraySlice(body.utf8))))
    }

    /// A GET with id 2 whose url holds a space: its header is readable, its url is not.
    private let badURL: [UInt8] = [0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x7C, 0x2F, 0x20, 0x7C]

    @Test("an unmasked client frame closes the connection with 1002 and is not answered")
    func unmaskedFrame() async throws {
        let running = try await RunningServer.start()
        let client = try await WebSocketTestClient.connect(port: running.port)
        try await client.sendRaw(try get(1, "unmasked"), masked: false)
        switch await client.next() {
        case .close(let code, let reason):
            #expect(code == 1002)
            #expect(reason == "client frames must be masked")
        case let other:
            Issue.record("expected a close frame, got \(String(describing: other))")
        }
        #expect(await client.waitUntilDisconnected())
        try await running.stop()
    }

    @Test("a client ERROR frame is logged with its id, status and reason, never answered and never counted as malformed")
    func clientErrorFrames() async throws {
        var configuration = Configuration()
        configuration.maxMalformedFrames = 2
        let logs = CapturedLogs()
        let running = try await RunningServer.start(configuration: configuration, logger: logs.logger(level: .info))
        let client = try await WebSocketTestClient.connect(port: running.port)
        for id in UInt32(1)...12 {
            try await client.send(.error(ErrorFrame(id: id, status: .badRequest, message: "could not read PUSH \(id)")))
        }
        // The next frame is the response to this request: nothing answered the errors.
        let response = try await client.request(.get, "/echo", body: "after", id: 13)
        #expect(String(decoding: response.data, as: UTF8.self) == "after")
        let records = logs.records("client reported an error")
        #expect(records.count == 12)
        #expect(records.first?.metadata["id"] == "1")
        #expect(records.first?.metadata["status"] == "400")
        #expect(records.first?.metadata["reason"] == #"{"error":"could not read PUSH 1"}"#)
        #expect(records.first?.metadata["connection"] == running.server.connections.first?.id.description)
        client.close()
        try await running.stop()
    }

    @Test("an unreadable ERROR frame is not answered, but counts as malformed")
    func unreadableClientError() async throws {
        var configuration = Configuration()
        configuration.maxMalformedFrames = 1
        let running = try await RunningServer.start(configuration: configuration)
        let client = try await WebSocketTestClient.connect(port: running.port)
        try await client.sendRaw([0x11, 0xE0, 0x00, 0x00, 0x00, 0x01, 0x7C, 0x7C])
        #expect(try await client.request(.get, "/echo", id: 2).status == .ok)
        try await client.sendRaw([0x11, 0xE0, 0x00, 0x00, 0x00, 0x03, 0x7C, 0x7C])
        #expect(await client.nextClose()?.code == 1008)
        try await running.stop()
    }

    @Test("RESPONSE and PUSH frames from a client are answered ERROR 400 naming the kind, with the RESPONSE's id; reserved kinds are ignored; id 0 is served")
    func serverOnlyAndReservedKinds() async throws {
        let running = try await RunningServer.start()
        let client = try await WebSocketTestClient.connect(port: running.port)
        try await client.send(.response(ResponseFrame(id: 41, status: .ok, data: [])))
        guard case .error(let response) = try await client.nextFrame() else { Issue.record("no error frame"); return }
        #expect(response.id == 41)
        #expect(response.status == .badRequest)
        #expect(reason(response) == #"{"error":"a client may not send RESPONSE frames"}"#)
        try await client.send(.push(PushFrame(url: "/x", data: [])))
        guard case .error(let push) = try await client.nextFrame() else { Issue.record("no error frame"); return }
        #expect(push.id == 0)
        #expect(reason(push) == #"{"error":"a client may not send PUSH frames"}"#)
        try await client.send(.control(ControlFrame(kind: .hello, id: 5, url: "", data: ArraySlice("{}".utf8))))
        // Nothing answers the HELLO: the next frame is the response to id 0.
        let zero = try await client.request(.get, "/echo", body: "zero", id: 0)
        #expect(zero.id == 0)
        #expect(String(decoding: zero.data, as: UTF8.self) == "zero")
        client.close()
        try await running.stop()
    }

    @Test("a text message is answered ERROR #0 400 and counts as malformed")
    func textMessage() async throws {
        var configuration = Configuration()
        configuration.maxMalformedFrames = 1
        let running = try await RunningServer.start(configuration: configuration)
        let client = try await WebSocketTestClient.connect(port: running.port)
        try await client.sendRaw(Array("hello".utf8), opcode: .text)
        guard case .error(let error) = try await client.nextFrame() else { Issue.record("no error frame"); return }
        #expect(error.id == 0)
        #expect(error.status == .badRequest)
        #expect(reason(error) == #"{"error":"text messages are not part of switchboard.v1: send binary messages"}"#)
        try await client.sendRaw(Array("again".utf8), opcode: .text)
        #expect(await client.nextClose()?.code == 1008)
        try await running.stop()
    }

    @Test("a batch with a bad frame between two good ones gets two RESPONSEs and one ERROR with the bad frame's id, in order")
    func batchWithBadFrame() async throws {
        let running = try await RunningServer.start()
        let client = try await WebSocketTestClient.connect(port: running.port)
        try await client.sendRaw(batch([try get(1, "first"), badURL, try get(3, "third")]))
        guard case .response(let first) = try await client.nextFrame() else { Issue.record("no first response"); return }
        #expect(first.id == 1)
        #expect(String(decoding: first.data, as: UTF8.self) == "first")
        guard case .error(let error) = try await client.nextFrame() else { Issue.record("no error frame"); return }
        #expect(error.id == 2)
        #expect(reason(error).hasPrefix(#"{"error":"batch frame 1: invalid byte 0x20 in url at offset 1"#))
        guard case .response(let third) = try await client.nextFrame() else { Issue.record("no third response"); return }
        #expect(third.id == 3)
        // A nested batch and an unknown kind byte are errors of their own, with id 0.
        try await client.sendRaw(batch([batch([try get(4, "")]), [0x7F], try get(6, "sixth")]))
        guard case .error(let nested) = try await client.nextFrame() else { Issue.record("no error frame"); return }
        #expect(reason(nested) == #"{"error":"batch frame 0: a batch may not contain a batch"}"#)
        guard case .error(let unknown) = try await client.nextFrame() else { Issue.record("no error frame"); return }
        #expect(unknown.id == 0)
        #expect(reason(unknown) == #"{"error":"batch frame 1: unknown frame kind byte 0x7F"}"#)
        guard case .response(let sixth) = try await client.nextFrame() else { Issue.record("no sixth response"); return }
        #expect(sixth.id == 6)
        client.close()
        try await running.stop()
    }

    @Test("a batch whose framing breaks has its readable frames processed, then one ERROR #0 for the rest")
    func brokenBatchFraming() async throws {
        let running = try await RunningServer.start()
        let client = try await WebSocketTestClient.connect(port: running.port)
        // The third length claims 1000 bytes where 3 remain.
        let broken = batch([try get(1, "a"), try get(2, "b")], count: 3) + [0x00, 0x00, 0x03, 0xE8, 0x01, 0x00, 0x00]
        try await client.sendRaw(broken)
        for id in UInt32(1)...2 {
            guard case .response(let response) = try await client.nextFrame() else { Issue.record("no response \(id)"); return }
            #expect(response.id == id)
        }
        guard case .error(let truncated) = try await client.nextFrame() else { Issue.record("no error frame"); return }
        #expect(truncated.id == 0)
        #expect(reason(truncated) == #"{"error":"batch frame 2 runs past the end of the message"}"#)
        // A wrong count: the frames are processed, then the count is reported.
        try await client.sendRaw(batch([try get(4, "d")], count: 2))
        guard case .response(let fourth) = try await client.nextFrame() else { Issue.record("no response"); return }
        #expect(fourth.id == 4)
        guard case .error(let count) = try await client.nextFrame() else { Issue.record("no error frame"); return }
        #expect(reason(count) == #"{"error":"batch declares 2 frame(s) but holds 1"}"#)
        #expect(try await client.request(.get, "/echo", id: 5).status == .ok)
        client.close()
        try await running.stop()
    }
}
