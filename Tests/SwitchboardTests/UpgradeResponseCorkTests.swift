import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@testable import Switchboard

@Suite("The 101 and the first frame leave in one write")
struct UpgradeResponseCorkTests {
    @Test("not holding: writes and flushes pass through as they come")
    func passesThrough() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(UpgradeResponseCork())
        try channel.writeAndFlush(ByteBuffer(string: "plain")).wait()
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "plain"))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
    }

    @Test("holding: writes gather and are reported done, flushes wait; release writes one buffer and leaves")
    func gathersThenReleasesOnce() throws {
        let channel = EmbeddedChannel()
        let cork = UpgradeResponseCork()
        try channel.pipeline.syncOperations.addHandler(cork)
        cork.hold()
        let first = channel.eventLoop.makePromise(of: Void.self)
        channel.writeAndFlush(ByteBuffer(string: "HTTP/1.1 101\r\n\r\n"), promise: first)
        let answered = Mutex(false)
        first.futureResult.whenSuccess { answered.withLock { $0 = true } }
        #expect(answered.withLock { $0 }, "the held write is reported done at once (the upgrade waits for it)")
        channel.writeAndFlush(ByteBuffer(bytes: [0x82, 0x01, 0x40]), promise: nil)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil, "nothing leaves while holding")

        cork.release()
        var expected = ByteBuffer(string: "HTTP/1.1 101\r\n\r\n")
        expected.writeBytes([0x82, 0x01, 0x40])
        #expect(try channel.readOutbound(as: ByteBuffer.self) == expected)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil, "one buffer, not two")
        #expect(throws: ChannelPipelineError.self) { try channel.pipeline.syncOperations.handler(type: UpgradeResponseCork.self) }

        try channel.writeAndFlush(ByteBuffer(string: "later")).wait()
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "later"))
    }
}
