import Logging
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import Switchboard

@Suite("Server frames: built once, written as they are")
struct ServerFrameTests {

    /// A channel with NIO's frame encoder below a connection handler, as after an upgrade.
    private static func member(_ id: String, components: ServerComponents) throws -> (EmbeddedChannel, ConnectionHandler) {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(WebSocketFrameEncoder())
        let connection = Connection(id: ConnectionID(id), clientId: nil, identity: nil, channel: channel, components: components)
        let handler = ConnectionHandler(connection: connection, components: components, isCompressed: false)
        try channel.pipeline.syncOperations.addHandler(handler)
        let hello = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(parse(hello)?.payload.first == ControlKind.hello.rawValue)
        return (channel, handler)
    }

    private static func components() -> ServerComponents {
        var configuration = Configuration()
        configuration.pingInterval = nil
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return ServerComponents(configuration: configuration, responder: Router(), authentication: nil, upgradeHook: nil, messageHandler: nil, logger: logger)
    }

    /// The header length and payload of one unmasked, final frame.
    private static func parse(_ buffer: ByteBuffer) -> (first: UInt8, payload: [UInt8])? {
        let bytes = Array(buffer.readableBytesView)
        guard bytes.count >= 2 else { return nil }
        var length = Int(bytes[1])
        var start = 2
        if length == 126 {
            length = bytes[2..<4].reduce(0) { $0 << 8 | Int($1) }
            start = 4
        } else if length == 127 {
            length = bytes[2..<10].reduce(0) { $0 << 8 | Int($1) }
            start = 10
        }
        guard bytes.count == start + length else { return nil }
        return (bytes[0], Array(bytes[start...]))
    }

    @Test("a push is written to every member as one write of the same buffer, header included, with no copy")
    func sharedPushBytes() throws {
        let components = Self.components()
        let (first, firstHandler) = try Self.member("m-1", components: components)
        let (second, secondHandler) = try Self.member("m-2", components: components)
        let encoded = try FrameCodec.encode(.push(PushFrame(url: "/feed", room: "news", data: [1, 2, 3])))
        let push = QueuedPush(payload: ServerFrame(encoded: encoded, allocator: ByteBufferAllocator()), createdAt: 1, sequence: 0, latestKey: nil)
        firstHandler.queuePush(push)
        secondHandler.queuePush(push)
        first.embeddedEventLoop.run()
        second.embeddedEventLoop.run()
        let written = try [first, second].map { try #require(try $0.readOutbound(as: ByteBuffer.self)) }
        for (channel, buffer) in zip([first, second], written) {
            let frame = try #require(Self.parse(buffer))
            #expect(frame.first == 0x82)
            #expect(frame.payload == encoded)
            #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        }
        let storage = written.map { $0.withVeryUnsafeBytes { UInt(bitPattern: $0.baseAddress) } }
        #expect(storage[0] == storage[1])
        #expect(storage[0] == push.payload.bytes.withVeryUnsafeBytes { UInt(bitPattern: $0.baseAddress) })
        _ = try first.finish()
        _ = try second.finish()
    }

    @Test("the header announces 7-bit, 16-bit and 64-bit payload lengths")
    func headerLengths() throws {
        for size in [0, 125, 126, 65_535, 65_536] {
            let frame = ServerFrame(encoded: [UInt8](repeating: 7, count: size), allocator: ByteBufferAllocator())
            let parsed = try #require(Self.parse(frame.bytes))
            #expect(parsed.payload.count == size)
            #expect(frame.payloadSize == size)
            #expect(frame.headerSize == ServerFrame.headerSize(payloadSize: size))
            #expect(Array(frame.payload.readableBytesView) == parsed.payload)
        }
    }

    @Test("a reply is encoded straight after its header, the same bytes FrameCodec encodes")
    func encodedReply() throws {
        let reply = Frame.response(ResponseFrame(id: 42, status: .ok, data: [UInt8](repeating: 1, count: 300)[...]))
        let frame = try ServerFrame(encoding: reply, allocator: ByteBufferAllocator())
        #expect(try #require(Self.parse(frame.bytes)).payload == (try FrameCodec.encode(reply)))
    }

    @Test("a batch of queued frames has FrameCodec's batch layout; a batch among them gives its inner frames")
    func batchLayout() throws {
        let a = try FrameCodec.encode(.push(PushFrame(url: "/a", data: [1])))
        let b = try FrameCodec.encode(.push(PushFrame(url: "/b", data: [2])))
        let c = try FrameCodec.encode(.push(PushFrame(url: "/c", data: [3])))
        let inner = FrameCodec.batch(ofEncoded: [a, b])
        let allocator = ByteBufferAllocator()
        let batch = ServerFrame(batchOf: [inner, c].map { ServerFrame(encoded: $0, allocator: allocator) }, allocator: allocator)
        let payload = try #require(Self.parse(batch.bytes)).payload
        #expect(payload == FrameCodec.batch(ofEncoded: [a, b, c]))
        #expect(try FrameCodec.decode(payload) == .batch([try FrameCodec.decode(a), try FrameCodec.decode(b), try FrameCodec.decode(c)]))
    }

    @Test("the push outbox asks for one scheduled write per tick, hands pushes over in order, and drops them once closed")
    func outbox() throws {
        var outbox = PushOutbox()
        let frame = ServerFrame(encoded: [0x20], allocator: ByteBufferAllocator())
        let push = QueuedPush(payload: frame, createdAt: 0, sequence: 0, latestKey: nil)
        #expect(outbox.enqueue(push) == .queuedFirst)
        #expect(outbox.enqueue(push) == .queued)
        var taken: [QueuedPush<ServerFrame>] = []
        outbox.take(into: &taken, scheduled: true)
        #expect(taken.map(\.sequence) == [1, 2])
        taken.removeAll(keepingCapacity: true)
        #expect(outbox.enqueue(push) == .queuedFirst)
        #expect(outbox.close() == 1)
        #expect(outbox.enqueue(push) == .dropped)
    }
}
