import NIOCore
import NIOEmbedded
import NIOWebSocket
@_spi(Conformance) @testable import SwitchboardClient
import Synchronization
import Testing

@Suite("Raw WebSocket connection (conformance entry point)")
struct RawWebSocketConnectionTests {
    /// The raw pipeline after the upgrade, answering every message with itself.
    private func makeChannel(maxMessageSize: Int = 1 << 20) throws -> (EmbeddedChannel, EventLoopFuture<Int?>) {
        var configuration = ClientConfiguration()
        configuration.maxMessageSize = maxMessageSize
        let channel = EmbeddedChannel()
        let closed = channel.eventLoop.makePromise(of: Int?.self)
        try channel.pipeline.syncOperations.addHandlers([
            RawFrameValidator(), Connector.aggregator(configuration), RawMessageHandler(respond: { [$0] }, closed: closed),
        ])
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, closed.futureResult)
    }

    private func frame(_ opcode: WebSocketOpcode, _ bytes: [UInt8], fin: Bool = true, rsv1: Bool = false) -> WebSocketFrame {
        WebSocketFrame(fin: fin, rsv1: rsv1, opcode: opcode, data: ByteBuffer(bytes: bytes))
    }

    private func closeCode(of frame: WebSocketFrame?) -> WebSocketErrorCode? {
        guard let frame, frame.opcode == .connectionClose else { return nil }
        var data = frame.data
        return data.readWebSocketErrorCode()
    }

    @Test("a fragmented text message is echoed whole as one masked text frame, and a ping amid its fragments is answered first")
    func fragmentsJoined() throws {
        let (channel, _) = try makeChannel()
        try channel.writeInbound(frame(.text, Array("hel".utf8), fin: false))
        try channel.writeInbound(frame(.ping, [1, 2]))
        try channel.writeInbound(frame(.continuation, Array("lo €".utf8)))
        channel.pipeline.fireChannelReadComplete()
        let pong = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(pong.opcode == .pong && pong.maskKey != nil && Array(pong.data.readableBytesView) == [1, 2])
        let echo = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(echo.opcode == .text && echo.fin && echo.maskKey != nil)
        #expect(String(buffer: echo.data) == "hello €")
        _ = try channel.finish()
    }

    @Test("invalid UTF-8 in the first fragment of a text message fails the connection with 1007 before the message ends")
    func invalidUTF8FailsFast() throws {
        let (channel, _) = try makeChannel()
        try channel.writeInbound(frame(.text, [0x61, 0xED, 0xA0, 0x80], fin: false))
        let close = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(closeCode(of: close) == .dataInconsistentWithMessage)
        #expect(close.maskKey != nil)
        try channel.writeInbound(frame(.continuation, Array("b".utf8)))
        #expect(try channel.readOutbound(as: WebSocketFrame.self) == nil)
        _ = try channel.finish()
    }

    @Test("a text message cut inside a character fails with 1007; one split inside a character across fragments passes")
    func characterBoundaries() throws {
        let euro: [UInt8] = [0xE2, 0x82, 0xAC]
        let (channel, _) = try makeChannel()
        try channel.writeInbound(frame(.text, Array(euro[..<1]), fin: false))
        try channel.writeInbound(frame(.continuation, Array(euro[1...])))
        channel.pipeline.fireChannelReadComplete()
        #expect(try channel.readOutbound(as: WebSocketFrame.self).map { Array($0.data.readableBytesView) } == euro)
        try channel.writeInbound(frame(.text, Array(euro[..<2])))
        #expect(closeCode(of: try channel.readOutbound(as: WebSocketFrame.self)) == .dataInconsistentWithMessage)
        _ = try channel.finish()
    }

    @Test("reserved bits, reserved opcodes and a continuation without a start fail the connection with 1002")
    func protocolErrors() throws {
        for bad in [frame(.text, [0x61], rsv1: true), frame(WebSocketOpcode(encodedWebSocketOpcode: 3)!, []), frame(.continuation, [0x61])] {
            let (channel, _) = try makeChannel()
            try channel.writeInbound(bad)
            #expect(closeCode(of: try channel.readOutbound(as: WebSocketFrame.self)) == .protocolError)
            _ = try channel.finish()
        }
    }

    @Test("a message over maxMessageSize fails the connection with 1009")
    func tooLarge() throws {
        let (channel, _) = try makeChannel(maxMessageSize: 4)
        try channel.writeInbound(frame(.binary, [1, 2, 3], fin: false))
        try channel.writeInbound(frame(.continuation, [4, 5]))
        #expect(closeCode(of: try channel.readOutbound(as: WebSocketFrame.self)) == .messageTooLarge)
        _ = try channel.finish()
    }

    @Test("the server's close is echoed with its code; an invalid code or reason, or a one-byte body, is answered with 1002")
    func closeCodes() throws {
        let cases: [([UInt8], WebSocketErrorCode)] = [
            ([], .normalClosure),
            ([0x03, 0xE8] + Array("bye".utf8), .normalClosure),
            ([0x0F, 0xA0], WebSocketErrorCode(codeNumber: 4000)),
            ([0x03], .protocolError),
            ([0x03, 0xE7], .protocolError),
            ([0x03, 0xEE], .protocolError),
            ([0x03, 0xE8, 0xC0, 0x80], .protocolError),
        ]
        for (body, expected) in cases {
            let (channel, closed) = try makeChannel()
            try channel.writeInbound(frame(.connectionClose, body))
            let reply = try #require(try channel.readOutbound(as: WebSocketFrame.self))
            #expect(closeCode(of: reply) == expected, "close body \(body)")
            #expect(reply.maskKey != nil)
            // The server closes the TCP connection once it has the reply.
            try channel.close().wait()
            #expect(try closed.wait() == (body.count >= 2 ? Int(body[0]) << 8 | Int(body[1]) : nil))
        }
    }

    @Test("nothing is written after the close frame, and the connection closes itself if the server does not")
    func quietAfterClose() throws {
        let (channel, _) = try makeChannel()
        try channel.writeInbound(frame(.connectionClose, [0x03, 0xE8]))
        _ = try channel.readOutbound(as: WebSocketFrame.self)
        try channel.writeInbound(frame(.text, Array("late".utf8)))
        try channel.writeInbound(frame(.ping, []))
        channel.pipeline.fireChannelReadComplete()
        #expect(try channel.readOutbound(as: WebSocketFrame.self) == nil)
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: RawMessageHandler.closeGrace)
        #expect(!channel.isActive)
    }
}
