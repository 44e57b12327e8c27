import CompressNIO
import NIOCore
import NIOEmbedded
import NIOWebSocket
import SwitchboardDeflate
import Testing

@testable import Switchboard

/// permessage-deflate: the offer parsing and the handler on an embedded channel.
@Suite("permessage-deflate")
struct PerMessageDeflateTests {
    static func negotiate(_ offers: String..., settings: CompressionSettings = CompressionSettings()) -> String? {
        DeflateParameters.negotiate(offers: offers, settings: settings)?.responseHeader
    }

    @Test("a plain offer is accepted without parameters")
    func plainOffer() {
        #expect(Self.negotiate("permessage-deflate") == "permessage-deflate")
        #expect(Self.negotiate("x-webkit-deflate-frame", "permessage-deflate; client_max_window_bits") == "permessage-deflate")
        #expect(Self.negotiate("x-webkit-deflate-frame") == nil)
    }

    @Test("context takeover and window parameters are answered")
    func parameters() {
        #expect(
            Self.negotiate("permessage-deflate; client_no_context_takeover; server_no_context_takeover; server_max_window_bits=\"12\"")
                == "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12"
        )
        var small = CompressionSettings()
        small.maxWindowBits = 10
        small.serverNoContextTakeover = true
        #expect(Self.negotiate("permessage-deflate; server_max_window_bits=15", settings: small) == "permessage-deflate; server_no_context_takeover; server_max_window_bits=10")
        #expect(Self.negotiate("permessage-deflate", settings: small) == "permessage-deflate; server_no_context_takeover")
    }

    @Test("offers with unknown, repeated or invalid parameters, or a 256-byte server window, are declined for the next one")
    func declined() {
        for offer in [
            "permessage-deflate; mystery", "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "permessage-deflate; server_max_window_bits", "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; server_max_window_bits=010", "permessage-deflate; client_max_window_bits=7",
            "permessage-deflate; server_no_context_takeover=1", "permessage-deflate; server_max_window_bits=8",
        ] {
            #expect(Self.negotiate(offer) == nil, "\(offer)")
            #expect(Self.negotiate(offer + ", permessage-deflate; client_no_context_takeover") == "permessage-deflate; client_no_context_takeover")
        }
    }

    static func channel(_ parameters: DeflateParameters, cache: SharedDeflateCache = SharedDeflateCache(), maxMessageSize: Int = 1 << 20) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            PerMessageDeflateHandler(parameters: parameters, settings: CompressionSettings(), maxMessageSize: maxMessageSize, cache: cache)
        )
        return channel
    }

    static let noTakeover = DeflateParameters(serverNoContextTakeover: true, clientNoContextTakeover: false, serverMaxWindowBits: 15, announcesServerMaxWindowBits: false)

    @Test("without server context takeover a message is compressed once for every connection with the same window")
    func sharedCompression() throws {
        let cache = SharedDeflateCache()
        let payload = ByteBuffer(bytes: Array(repeating: Array("{\"shared\":true}".utf8), count: 64).joined())
        var outputs: [WebSocketFrame] = []
        for _ in 0..<3 {
            let channel = try Self.channel(Self.noTakeover, cache: cache)
            try channel.writeOutbound(WebSocketFrame(fin: true, opcode: .binary, data: payload))
            outputs.append(try #require(try channel.readOutbound(as: WebSocketFrame.self)))
        }
        #expect(cache.compressions == 1)
        #expect(outputs.allSatisfy { $0.rsv1 && $0.data == outputs[0].data })
        #expect(outputs[0].data.readableBytes < payload.readableBytes / 4)
    }

    @Test("small messages, control frames and fragments go out uncompressed")
    func uncompressed() throws {
        let channel = try Self.channel(Self.noTakeover)
        let small = WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: Array(repeating: 1, count: 255)))
        let fragment = WebSocketFrame(fin: false, opcode: .binary, data: ByteBuffer(bytes: Array(repeating: 1, count: 4096)))
        let ping = WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer(bytes: [1, 2]))
        for frame in [small, fragment, ping] {
            try channel.writeOutbound(frame)
            #expect(try channel.readOutbound(as: WebSocketFrame.self) == frame)
        }
    }

    /// `bytes` as a client's compressed message: deflated, stream tail removed, masked.
    static func compressedFrame(_ bytes: [UInt8]) throws -> WebSocketFrame {
        let deflater = try ZlibCompressor(algorithm: .deflate)
        var input = ByteBuffer(bytes: bytes)
        var output = try input.compressStream(with: deflater, flush: .sync)
        output.moveWriterIndex(to: output.writerIndex - 4)
        let key: WebSocketMaskingKey = [1, 2, 3, 4]
        output.webSocketMask(key)
        return WebSocketFrame(fin: true, rsv1: true, opcode: .binary, maskKey: key, data: output)
    }

    @Test("a compressed message inflating to exactly maxMessageSize passes; one byte more is refused with 1009")
    func inflatedLimit() throws {
        let limit = 10_000
        let channel = try Self.channel(Self.noTakeover, maxMessageSize: limit)
        try channel.writeInbound(try Self.compressedFrame(Array(repeating: 7, count: limit)))
        let inflated = try #require(try channel.readInbound(as: WebSocketFrame.self))
        #expect(!inflated.rsv1 && inflated.fin && inflated.unmaskedData == ByteBuffer(bytes: Array(repeating: 7, count: limit)))

        #expect(throws: PerMessageDeflateError.messageTooLarge(limit: limit)) {
            try channel.writeInbound(try Self.compressedFrame(Array(repeating: 7, count: limit + 1)))
        }
        #expect(try channel.readInbound(as: WebSocketFrame.self) == nil)
    }
}
