import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import Switchboard

@Suite("The WebSocket frame reader: whole frames from any split of the stream, limits as errors")
struct WebSocketFrameReaderTests {
    /// A client frame as a client writes it: masked with `key`.
    private static func frame(fin: Bool = true, opcode: UInt8 = 0x2, payload: [UInt8], key: [UInt8]? = [1, 2, 3, 4], rsv1: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode]
        let maskBit: UInt8 = key == nil ? 0 : 0x80
        switch payload.count {
        case ..<126: bytes.append(maskBit | UInt8(payload.count))
        case ..<65536: bytes += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default: bytes += [maskBit | 127] + (0..<8).reversed().map { UInt8(truncatingIfNeeded: UInt64(payload.count) >> (8 * UInt64($0))) }
        }
        guard let key else { return bytes + payload }
        return bytes + key + payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
    }

    private final class Errors: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = WebSocketFrame
        var errors: [NIOWebSocketError] = []
        var frames: [WebSocketFrame] = []
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { frames.append(Self.unwrapInboundIn(data)) }
        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            if let error = error as? NIOWebSocketError { errors.append(error) }
        }
    }

    private static func read(_ chunks: [[UInt8]], maxFrameSize: Int = 1 << 16) throws -> Errors {
        let channel = EmbeddedChannel()
        let sink = Errors()
        try channel.pipeline.syncOperations.addHandler(WebSocketFrameReader(maxFrameSize: maxFrameSize))
        try channel.pipeline.syncOperations.addHandler(sink)
        for chunk in chunks { try channel.writeInbound(ByteBuffer(bytes: chunk)) }
        return sink
    }

    @Test("three frames in one read: each whole, in order, unmasked data as sent, key and flags kept")
    func severalInOneRead() throws {
        let bytes = Self.frame(payload: Array("one".utf8)) + Self.frame(fin: false, opcode: 0x1, payload: Array(repeating: 7, count: 300), key: [9, 8, 7, 6], rsv1: true)
            + Self.frame(opcode: 0x9, payload: [], key: nil)
        let sink = try Self.read([bytes])
        #expect(sink.errors.isEmpty)
        try #require(sink.frames.count == 3)
        #expect(sink.frames[0].fin && sink.frames[0].opcode == .binary && sink.frames[0].unmaskedData == ByteBuffer(string: "one"))
        #expect(sink.frames[0].maskKey == WebSocketMaskingKey([1, 2, 3, 4]))
        #expect(!sink.frames[1].fin && sink.frames[1].opcode == .text && sink.frames[1].rsv1)
        #expect(sink.frames[1].maskKey == WebSocketMaskingKey([9, 8, 7, 6]))
        #expect(sink.frames[1].unmaskedData == ByteBuffer(bytes: Array(repeating: 7, count: 300)))
        #expect(sink.frames[2].opcode == .ping && sink.frames[2].maskKey == nil && sink.frames[2].length == 0)
    }

    @Test("a masking key read as one network-order word has the frame's four key bytes, in order")
    func maskingKeyBytes() {
        let keys: [[UInt8]] = [[0, 0, 0, 0], [0xFF, 0xFF, 0xFF, 0xFF], [1, 2, 3, 4], [0x80, 0, 0, 0x01], [0x12, 0xAB, 0x00, 0xFE]]
        for key in keys {
            let word = key.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            #expect(WebSocketFrameReader.maskingKey(word) == WebSocketMaskingKey(key), "key \(key)")
        }
    }

    @Test("a stream split at every byte gives the same frames, 7-, 16- and 64-bit lengths alike")
    func everySplit() throws {
        let stream = Self.frame(payload: Array("short".utf8)) + Self.frame(payload: Array(repeating: 1, count: 200))
            + Self.frame(payload: Array(repeating: 2, count: 70_000))
        let whole = try Self.read([stream], maxFrameSize: 1 << 17).frames.map(\.unmaskedData)
        #expect(whole.map(\.readableBytes) == [5, 200, 70_000])
        for cut in stride(from: 1, to: stream.count, by: 997) + Array(1..<20) + Array(200..<230) {
            let split = try Self.read([Array(stream[..<cut]), Array(stream[cut...])], maxFrameSize: 1 << 17)
            #expect(split.frames.map(\.unmaskedData) == whole, "cut at \(cut)")
        }
        let byteByByte = try Self.read(Self.frame(payload: Array(repeating: 3, count: 130)).map { [$0] })
        #expect(byteByByte.frames.map(\.unmaskedData) == [ByteBuffer(bytes: Array(repeating: 3, count: 130))])
    }

    @Test("a frame above the limit is refused from its header alone, and nothing after it is read")
    func tooLarge() throws {
        let header = Array(Self.frame(payload: Array(repeating: 0, count: 2000)).prefix(4))
        let sink = try Self.read([header, Self.frame(payload: [1])], maxFrameSize: 1000)
        #expect(sink.errors == [.invalidFrameLength])
        #expect(sink.frames.isEmpty)
        let huge: [UInt8] = [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0]
        #expect(try Self.read([huge]).errors == [.invalidFrameLength], "a 64-bit length with its top bit set")
    }

    @Test("control frames: without FIN, or above 125 bytes, are errors")
    func controlFrames() throws {
        #expect(try Self.read([Self.frame(fin: false, opcode: 0x9, payload: [])]).errors == [.fragmentedControlFrame])
        #expect(try Self.read([Self.frame(opcode: 0x8, payload: Array(repeating: 0, count: 126))]).errors == [.multiByteControlFrameLength])
        #expect(try Self.read([Self.frame(opcode: 0xA, payload: Array(repeating: 0, count: 125))]).frames.count == 1)
    }
}
