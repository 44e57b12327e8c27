import NIOCore
import NIOEmbedded
import NIOWebSocket
@testable import SwitchboardClient
import Synchronization
import Testing

@Suite("Client frame handler")
struct FrameHandlerTests {
    /// Records what the handler delivers.
    final class Sink: FrameSink {
        let frames = Mutex<[Frame]>([])
        func received(_ frame: Frame, generation: Int) { frames.withLock { $0.append(frame) } }
    }

    private func makeChannel(_ sink: Sink, heartbeat: Duration? = nil) throws -> EmbeddedChannel {
        var configuration = ClientConfiguration()
        configuration.heartbeatInterval = heartbeat
        configuration.heartbeatTimeout = .milliseconds(300)
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(FrameHandler(sink: sink, generation: 1, configuration: configuration))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        #expect(channel.isActive)
        return channel
    }

    private func binary(_ frame: Frame, _ channel: EmbeddedChannel) throws -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: .binary, data: channel.allocator.buffer(bytes: try FrameCodec.encode(frame)))
    }

    @Test("a batch's frames are delivered one by one, in order")
    func batchUnpacked() throws {
        let sink = Sink()
        let channel = try makeChannel(sink)
        let pushes = (1...3).map { Frame.push(PushFrame(url: "/n/\($0)", room: "r", epoch: 1, offset: UInt64($0))) }
        try channel.writeInbound(try binary(.batch(pushes), channel))
        try channel.writeInbound(try binary(.response(ResponseFrame(id: 4, status: .ok)), channel))
        #expect(sink.frames.withLock { $0 } == pushes + [.response(ResponseFrame(id: 4, status: .ok))])
        _ = try channel.finish()
    }

    @Test("a ping is answered with a masked pong carrying the same data; undecodable messages are dropped")
    func pingAnswered() throws {
        let sink = Sink()
        let channel = try makeChannel(sink)
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .ping, data: channel.allocator.buffer(string: "hi")))
        let pong = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(pong.opcode == .pong)
        #expect(pong.maskKey != nil)
        #expect(String(buffer: pong.data) == "hi")
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .binary, data: channel.allocator.buffer(bytes: [0x7F])))
        #expect(sink.frames.withLock { $0 }.isEmpty)
        _ = try channel.finish()
    }

    @Test("the server's close is echoed with its code and the channel closes")
    func closeEchoed() throws {
        let sink = Sink()
        let channel = try makeChannel(sink)
        var data = channel.allocator.buffer(capacity: 8)
        data.write(webSocketErrorCode: .goingAway)
        data.writeString("bye")
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .connectionClose, data: data))
        let echo = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(echo.opcode == .connectionClose)
        var echoed = echo.data
        #expect(echoed.readWebSocketErrorCode() == .goingAway)
        #expect(!channel.isActive)
    }

    @Test("the heartbeat pings after an interval of silence, a pong counts as traffic, and silence past the timeout closes the channel")
    func heartbeat() throws {
        let sink = Sink()
        let channel = try makeChannel(sink, heartbeat: .milliseconds(100))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(50))
        #expect(try channel.readOutbound(as: WebSocketFrame.self) == nil)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(50))
        let ping = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(ping.opcode == .ping)
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .pong, data: channel.allocator.buffer(capacity: 0)))
        // 250 ms after the pong: pinged again, still open.
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(250))
        #expect(channel.isActive)
        while let frame = try channel.readOutbound(as: WebSocketFrame.self) { #expect(frame.opcode == .ping) }
        // Nothing read for 300 ms: taken for dead.
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(50))
        #expect(!channel.isActive)
    }
}
