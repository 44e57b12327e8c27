import Logging
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import Switchboard

@Suite("ConnectionHandler on an EmbeddedChannel")
struct ConnectionHandlerTests {
    /// Echoes `/echo` inline; answers `/later` through a pending operation, and `/slow` through
    /// one that first sleeps 300 ms.
    struct EchoResponder: Responder {
        func respond(to request: Request) -> Dispatch {
            let body = request.body
            if request.url == "/later" { return .pending(PendingReply { Reply(status: .accepted, body: body) }) }
            if request.url == "/slow" {
                return .pending(PendingReply {
                    try? await Task.sleep(for: .milliseconds(300))
                    return Reply(status: .accepted, body: body)
                })
            }
            return .completed(Reply(status: .ok, body: body))
        }
    }

    /// Counts writes and flushes reaching the head of the pipeline.
    final class FlushCounter: ChannelOutboundHandler {
        typealias OutboundIn = WebSocketFrame
        var flushes = 0
        var writes = 0
        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            writes += 1
            context.write(data, promise: promise)
        }
        func flush(context: ChannelHandlerContext) {
            flushes += 1
            context.flush()
        }
    }

    /// Server parts around ``EchoResponder``, without pings, logging only critical messages.
    private static func makeComponents(_ change: (inout Configuration) -> Void = { _ in }) -> ServerComponents {
        var configuration = Configuration()
        configuration.pingInterval = nil
        change(&configuration)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return ServerComponents(
            configuration: configuration, responder: EchoResponder(), authentication: nil,
            upgradeHook: nil, messageHandler: nil, logger: logger
        )
    }

    private func makeChannel(_ change: (inout Configuration) -> Void = { _ in }) throws -> (EmbeddedChannel, FlushCounter) {
        let components = Self.makeComponents(change)
        let channel = EmbeddedChannel()
        let counter = FlushCounter()
        let connection = Connection(id: ConnectionID("test-1"), clientId: nil, identity: nil, channel: channel, components: components)
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(ConnectionHandler(connection: connection, components: components, isCompressed: false))
        // Every connection starts with the server's HELLO, written and flushed at once.
        let hello = try channel.readOutbound(as: WebSocketFrame.self)
        #expect(hello?.data.readableBytesView.first == ControlKind.hello.rawValue)
        counter.flushes = 0
        return (channel, counter)
    }


    @Test("pushes queued within one tick leave as one batch, in created-time order, with one write and one flush")
    func pushesCoalescePerTick() throws {
        let (channel, counter) = try makeChannel()
        let allocator = ByteBufferAllocator()
        func queued(_ url: String, at time: Int64, ephemeral: String? = nil) throws -> QueuedPush<ServerFrame> {
            let bytes = try FrameCodec.encode(.push(PushFrame(url: url, room: "board-7", data: [])))
            return QueuedPush(payload: ServerFrame(encoded: bytes, allocator: allocator), createdAt: time, sequence: 0, latestKey: ephemeral)
        }
        let handler = try channel.pipeline.syncOperations.handler(type: ConnectionHandler.self)
        handler.queuePush(try queued("/b", at: 20))
        handler.queuePush(try queued("/cursor", at: 5, ephemeral: "c"))
        handler.queuePush(try queued("/a", at: 10))
        handler.queuePush(try queued("/cursor", at: 30, ephemeral: "c"))
        #expect(try channel.readOutbound(as: WebSocketFrame.self) == nil)
        channel.embeddedEventLoop.run()
        #expect(counter.flushes == 1)
        let frame = try #require(try readFrame(channel))
        guard case .batch(let inner) = frame else {
            Issue.record("expected a batch, got \(frame)")
            return
        }
        #expect(inner.compactMap { if case .push(let push) = $0 { push.url } else { nil } } == ["/a", "/b", "/cursor"])
        #expect(try channel.readOutbound(as: WebSocketFrame.self) == nil)
        handler.queuePush(try queued("/alone", at: 40))
        channel.embeddedEventLoop.run()
        #expect(try readFrame(channel) == .push(PushFrame(url: "/alone", room: "board-7", data: [])))
        _ = try channel.finish()
    }

    /// A mask of zeros: client frames must be masked, and this one leaves the data as it is.
    private static let noOpMask = WebSocketMaskingKey([0, 0, 0, 0])

    private func binary(_ frame: Frame) throws -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: .binary, maskKey: Self.noOpMask, data: ByteBuffer(bytes: try FrameCodec.encode(frame)))
    }

    private func readFrame(_ channel: EmbeddedChannel) throws -> Frame? {
        guard let frame = try channel.readOutbound(as: WebSocketFrame.self) else { return nil }
        return try FrameCodec.decode(Array(frame.data.readableBytesView))
    }

    @Test("inline answers to one read burst are written at once and flushed once")
    func oneFlushPerBurst() throws {
        let (channel, counter) = try makeChannel()
        for id in UInt32(1)...3 {
            channel.pipeline.fireChannelRead(try binary(.request(RequestFrame(method: .get, id: id, url: "/echo", data: [UInt8(id)]))))
        }
        #expect(counter.flushes == 0)
        channel.pipeline.fireChannelReadComplete()
        #expect(counter.flushes == 1)
        for id in UInt32(1)...3 {
            #expect(try readFrame(channel) == .response(ResponseFrame(id: id, status: .ok, data: [UInt8(id)])))
        }
        _ = try channel.finish()
    }

    /// The server frames in `buffer`: each a final binary frame, its payload decoded.
    private static func serverFrames(_ buffer: ByteBuffer) throws -> [Frame] {
        var buffer = buffer
        var frames: [Frame] = []
        while buffer.readableBytes > 0 {
            let frame = try #require(try WebSocketFrameReader.nextFrame(in: &buffer, maxFrameSize: 1 << 20))
            #expect(frame.fin && frame.opcode == .binary && frame.maskKey == nil)
            frames.append(try FrameCodec.decode(Array(frame.data.readableBytesView)))
        }
        return frames
    }

    @Test("with NIO's frame encoder in place, the replies to one read burst leave as one buffer, headers included; past 16 KiB it is written early")
    func repliesAsOneBuffer() throws {
        let components = Self.makeComponents()
        let channel = EmbeddedChannel()
        let counter = FlushCounter()
        let connection = Connection(id: ConnectionID("test-burst"), clientId: nil, identity: nil, channel: channel, components: components)
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(WebSocketFrameEncoder())
        try channel.pipeline.syncOperations.addHandler(ConnectionHandler(connection: connection, components: components, isCompressed: false))
        let hello = try #require(try channel.readOutbound(as: ByteBuffer.self))
        guard case .control(let control)? = try Self.serverFrames(hello).first, control.kind == .hello else {
            Issue.record("expected the HELLO first")
            return
        }
        counter.flushes = 0
        counter.writes = 0
        for id in UInt32(1)...3 {
            channel.pipeline.fireChannelRead(try binary(.request(RequestFrame(method: .get, id: id, url: "/echo", data: [UInt8(id)]))))
        }
        #expect(counter.writes == 0, "nothing written before the burst ends")
        channel.pipeline.fireChannelReadComplete()
        #expect(counter.flushes == 1)
        #expect(counter.writes == 1)
        let written = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(try Self.serverFrames(written) == (UInt32(1)...3).map { .response(ResponseFrame(id: $0, status: .ok, data: [UInt8($0)])) })
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        // Three 7 KiB replies (7,180 bytes with their headers): the third takes the buffer past
        // 16 KiB, so all three are written before the burst ends.
        let big = [UInt8](repeating: 7, count: 7 * 1024)
        counter.writes = 0
        for id in UInt32(4)...6 {
            if id == 6 { #expect(counter.writes == 0, "below the limit: still gathered") }
            channel.pipeline.fireChannelRead(try binary(.request(RequestFrame(method: .get, id: id, url: "/echo", data: big[...]))))
        }
        #expect(counter.writes == 1, "past the limit: written before the burst ends")
        counter.writes = 0
        channel.pipeline.fireChannelRead(try binary(.request(RequestFrame(method: .get, id: 7, url: "/echo", data: [7]))))
        #expect(counter.writes == 0, "gathered again after the early write")
        channel.pipeline.fireChannelReadComplete()
        let early = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(try Self.serverFrames(early).map { (frame: Frame) -> UInt32 in if case .response(let reply) = frame { reply.id } else { 0 } } == [4, 5, 6])
        let last = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(try Self.serverFrames(last) == [.response(ResponseFrame(id: 7, status: .ok, data: [7]))])
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        _ = try channel.finish()
    }

    @Test("a pending answer hops back to the event loop and is written")
    func pendingAnswer() async throws {
        let components = Self.makeComponents()
        // Thread-safe, unlike EmbeddedChannel: the answer comes back from a task.
        let channel = NIOAsyncTestingChannel()
        let request = try binary(.request(RequestFrame(method: .post, id: 9, url: "/later", data: [1, 2])))
        try await channel.testingEventLoop.executeInContext {
            let connection = Connection(id: ConnectionID("test-2"), clientId: nil, identity: nil, channel: channel, components: components)
            try channel.pipeline.syncOperations.addHandler(ConnectionHandler(connection: connection, components: components, isCompressed: false))
            channel.pipeline.fireChannelRead(request)
            channel.pipeline.fireChannelReadComplete()
        }
        _ = try await channel.waitForOutboundWrite(as: WebSocketFrame.self)  // HELLO
        let written = try await channel.waitForOutboundWrite(as: WebSocketFrame.self)
        #expect(try FrameCodec.decode(Array(written.data.readableBytesView)) == .response(ResponseFrame(id: 9, status: .accepted, data: [1, 2])))
        _ = try await channel.finish()
    }

    @Test("pending answers of one read burst are all written; slow handlers, first or last in the burst, do not hold up the others")
    func pendingBurst() async throws {
        let components = Self.makeComponents()
        let channel = NIOAsyncTestingChannel()
        let urls = ["/slow", "/later", "/later", "/later", "/slow"]
        var requests: [WebSocketFrame] = []
        for (index, url) in urls.enumerated() {
            requests.append(try binary(.request(RequestFrame(method: .post, id: UInt32(index + 1), url: url, data: [UInt8(index + 1)]))))
        }
        try await channel.testingEventLoop.executeInContext { [requests] in
            let connection = Connection(id: ConnectionID("test-burst"), clientId: nil, identity: nil, channel: channel, components: components)
            try channel.pipeline.syncOperations.addHandler(ConnectionHandler(connection: connection, components: components, isCompressed: false))
            for request in requests { channel.pipeline.fireChannelRead(request) }
            channel.pipeline.fireChannelReadComplete()
        }
        _ = try await channel.waitForOutboundWrite(as: WebSocketFrame.self)  // HELLO
        var ids: [UInt32] = []
        for _ in urls {
            let written = try await channel.waitForOutboundWrite(as: WebSocketFrame.self)
            guard case .response(let response) = try FrameCodec.decode(Array(written.data.readableBytesView)) else {
                Issue.record("expected a response")
                return
            }
            #expect(response.status == .accepted)
            #expect(response.data == [UInt8(response.id)])
            ids.append(response.id)
        }
        #expect(Set(ids.prefix(3)) == [2, 3, 4])
        #expect(Set(ids.suffix(2)) == [1, 5])
        _ = try await channel.finish()
    }

    @Test("a ping is answered with a pong carrying the same data")
    func pong() throws {
        let (channel, _) = try makeChannel()
        channel.pipeline.fireChannelRead(WebSocketFrame(fin: true, opcode: .ping, maskKey: Self.noOpMask, data: ByteBuffer(bytes: [7, 7])))
        channel.pipeline.fireChannelReadComplete()
        let pong = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(pong.opcode == .pong)
        #expect(Array(pong.data.readableBytesView) == [7, 7])
        _ = try channel.finish()
    }

    @Test("a peer's close frame is echoed and the channel closed")
    func peerClose() throws {
        let (channel, _) = try makeChannel()
        var data = ByteBuffer()
        data.write(webSocketErrorCode: .normalClosure)
        channel.pipeline.fireChannelRead(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: Self.noOpMask, data: data))
        let reply = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(reply.opcode == .connectionClose)
        #expect(Array(reply.data.readableBytesView) == [0x03, 0xE8])
        #expect(!channel.isActive)
    }

    @Test("while the channel is not writable, answers wait in order and are written when it is again")
    func heldWhileNotWritable() throws {
        let (channel, _) = try makeChannel()
        channel.isWritable = false
        for id in UInt32(1)...3 {
            channel.pipeline.fireChannelRead(try binary(.request(RequestFrame(method: .get, id: id, url: "/echo", data: [UInt8(id)]))))
        }
        channel.pipeline.fireChannelReadComplete()
        #expect(try channel.readOutbound(as: WebSocketFrame.self) == nil)
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        for id in UInt32(1)...3 {
            #expect(try readFrame(channel) == .response(ResponseFrame(id: id, status: .ok, data: [UInt8(id)])))
        }
        _ = try channel.finish()
    }

    @Test("a slow consumer's held answers are dropped and the 1013 close frame is written in their place")
    func slowConsumerCloseFrame() throws {
        let (channel, _) = try makeChannel { $0.maxOutboundBufferSize = 100 }
        channel.isWritable = false
        let body = [UInt8](repeating: 0x61, count: 60)
        for id in UInt32(1)...2 {
            channel.pipeline.fireChannelRead(try binary(.request(RequestFrame(method: .get, id: id, url: "/echo", data: body[...]))))
        }
        let close = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(close.opcode == .connectionClose)
        var data = close.data
        #expect(data.readInteger(as: UInt16.self) == 1013)
        #expect(data.readString(length: data.readableBytes) == "slow consumer: more than 100 bytes waiting")
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        #expect(try channel.readOutbound(as: WebSocketFrame.self) == nil)
        _ = try? channel.finish()
    }

    @Test("an unmasked client frame closes with 1002")
    func unmaskedFrame() throws {
        let (channel, _) = try makeChannel()
        let request = try FrameCodec.encode(.request(RequestFrame(method: .get, id: 1, url: "/echo")))
        channel.pipeline.fireChannelRead(WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: request)))
        let close = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(close.opcode == .connectionClose)
        #expect(close.data.getInteger(at: close.data.readerIndex, as: UInt16.self) == 1002)
        #expect(try channel.readOutbound(as: WebSocketFrame.self) == nil)
    }
}
