import NIOCore
import NIOWebSocket
import Testing

@testable import Switchboard

@Suite("MessageAssembler: client frames to whole messages")
struct MessageAssemblerTests {
    private static let mask: WebSocketMaskingKey = [1, 2, 3, 4]

    /// A client frame: `bytes` masked with ``mask``.
    private func frame(_ opcode: WebSocketOpcode, _ bytes: [UInt8], fin: Bool = true, masked: Bool = true) -> WebSocketFrame {
        var data = ByteBuffer(bytes: bytes)
        if masked { data.webSocketMask(Self.mask) }
        return WebSocketFrame(fin: fin, opcode: opcode, maskKey: masked ? Self.mask : nil, data: data)
    }

    @Test("fragments are unmasked and joined into one message; a ping between them is answered")
    func joinsFragments() {
        var assembler = MessageAssembler(maxMessageSize: 100, maxFragments: 4)
        #expect(assembler.received(frame(.binary, [1, 2, 3], fin: false)) == .awaitMore)
        #expect(assembler.received(frame(.ping, [9])) == .pong(ByteBuffer(bytes: [9])))
        #expect(assembler.received(frame(.continuation, [4, 5])) == .deliver([1, 2, 3, 4, 5], isText: false))
        #expect(assembler.received(frame(.text, [0x61])) == .deliver([0x61], isText: true))
    }

    @Test("protocol breaches fail with 1002; messages beyond the limits with 1009")
    func failures() {
        var assembler = MessageAssembler(maxMessageSize: 4, maxFragments: 2)
        #expect(assembler.received(frame(.binary, [1], masked: false)) == .fail(.protocolError, "client frames must be masked"))
        #expect(assembler.received(frame(.continuation, [1])) == .fail(.protocolError, "a continuation frame without a message to continue"))
        #expect(assembler.received(frame(.binary, [1, 2, 3], fin: false)) == .awaitMore)
        #expect(assembler.received(frame(.binary, [1])) == .fail(.protocolError, "a new message began before the previous one ended"))
        var large = MessageAssembler(maxMessageSize: 4, maxFragments: 2)
        #expect(large.received(frame(.binary, [1, 2, 3], fin: false)) == .awaitMore)
        #expect(large.received(frame(.continuation, [4, 5])) == .fail(.messageTooLarge, "message larger than 4 bytes"))
        var many = MessageAssembler(maxMessageSize: 100, maxFragments: 2)
        #expect(many.received(frame(.binary, [1], fin: false)) == .awaitMore)
        #expect(many.received(frame(.continuation, [2], fin: false)) == .awaitMore)
        #expect(many.received(frame(.continuation, [3])) == .fail(.messageTooLarge, "message in more than 2 fragments"))
    }
}
