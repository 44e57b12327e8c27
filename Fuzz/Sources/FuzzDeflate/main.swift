import CompressNIO
import NIOCore
import NIOEmbedded
import NIOWebSocket

@testable import Switchboard
@testable import SwitchboardDeflate

/// The largest message the handler may inflate in this target: small, so bombs are cheap.
private let maxMessageSize = 4096
/// The key fuzzed client frames are masked with (the handler's inflated frames carry zeros).
private let clientKey: WebSocketMaskingKey = [0x37, 0xFA, 0x21, 0x3D]

/// libFuzzer entry: the input is a sequence of client WebSocket frames for one connection with
/// permessage-deflate, given to `PerMessageDeflateHandler` on an embedded channel.
///
/// Layout: one byte of parameters (bit 0 client_no_context_takeover, bit 1
/// server_no_context_takeover, bits 2-4 the server window, 9 + value % 7), then per frame a
/// header byte (bit 0 FIN, bit 1 RSV1, bits 2-3 opcode: continuation, text, binary, ping;
/// bit 4 unmasked), a length byte, and that many payload bytes (the unmasked payload).
///
/// Checked for every input: no trap; the only errors are `PerMessageDeflateError`s; no message
/// inflates beyond the limit; after an error no data frame is passed on; and every message that
/// inflated whole, sent back through the handler, arrives either as it was or compressed into
/// bytes that inflate to it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: start, count: count)
    guard let flags = input.first else { return 0 }
    let parameters = DeflateParameters(
        serverNoContextTakeover: flags & 2 != 0,
        clientNoContextTakeover: flags & 1 != 0,
        serverMaxWindowBits: 9 + Int((flags >> 2) & 7) % 7,
        announcesServerMaxWindowBits: true
    )
    var settings = CompressionSettings()
    settings.minimumMessageSize = 16
    let channel = EmbeddedChannel()
    do {
        try channel.pipeline.syncOperations.addHandler(
            PerMessageDeflateHandler(parameters: parameters, settings: settings, maxMessageSize: maxMessageSize, cache: SharedDeflateCache())
        )
    } catch {
        preconditionFailure("adding the handler failed: \(error)")
    }
    var checker = Checker(parameters: parameters)
    var failed = false
    var inflatedMessage: [UInt8]?
    var index = 1
    while index + 2 <= input.count {
        let header = input[index]
        let length = min(Int(input[index + 1]), input.count - index - 2)
        var payload = ByteBuffer(bytes: input[(index + 2)..<(index + 2 + length)])
        index += 2 + length
        let opcode: WebSocketOpcode = [.continuation, .text, .binary, .ping][Int(header >> 2) & 3]
        let masked = header & 16 == 0
        if masked { payload.webSocketMask(clientKey) }
        let frame = WebSocketFrame(fin: header & 1 != 0, rsv1: header & 2 != 0, opcode: opcode, maskKey: masked ? clientKey : nil, data: payload)
        do {
            try channel.writeInbound(frame)
        } catch let error as PerMessageDeflateError {
            precondition(!failed, "a second error after the first: \(error)")
            failed = true
            inflatedMessage = nil
        } catch {
            preconditionFailure("an error that is not a PerMessageDeflateError: \(error)")
        }
        while let out = try? channel.readInbound(as: WebSocketFrame.self) {
            let isData = out.opcode == .text || out.opcode == .binary || out.opcode == .continuation
            // Unmasked frames pass through untouched, for the connection's handler to refuse.
            precondition(!(failed && isData && out.maskKey == clientKey), "a data frame was passed on after the error")
            precondition(!(failed && isData && out.maskKey == [0, 0, 0, 0]), "a data frame was inflated after the error")
            guard out.maskKey == [0, 0, 0, 0] else { continue }
            // An inflated fragment: join it to its message.
            let bytes = Array(out.unmaskedData.readableBytesView)
            if out.opcode != .continuation { inflatedMessage = [] }
            inflatedMessage?.append(contentsOf: bytes)
            precondition((inflatedMessage?.count ?? 0) <= maxMessageSize, "a message inflated beyond \(maxMessageSize) bytes")
            if out.fin, let message = inflatedMessage {
                checker.roundTrip(message, through: channel)
                inflatedMessage = nil
            }
        }
    }
    _ = try? channel.finish()
    return 0
}

/// Sends inflated messages back out through the handler and inflates what it wrote, as a
/// client would.
struct Checker {
    let parameters: DeflateParameters
    var inflater: ZlibDecompressor?

    init(parameters: DeflateParameters) {
        self.parameters = parameters
    }

    mutating func roundTrip(_ message: [UInt8], through channel: EmbeddedChannel) {
        do {
            try channel.writeOutbound(WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: message)))
            guard let sent = try channel.readOutbound(as: WebSocketFrame.self) else {
                preconditionFailure("nothing was written for a message of \(message.count) bytes")
            }
            guard sent.rsv1 else {
                precondition(Array(sent.data.readableBytesView) == message, "an uncompressed message changed on the way out")
                return
            }
            let inflater = try self.inflater ?? ZlibDecompressor(algorithm: .deflate, windowSize: 15)
            self.inflater = inflater
            var input = sent.data
            input.writeBytes([0x00, 0x00, 0xFF, 0xFF])
            var output = ByteBuffer()
            output.reserveCapacity(max(message.count, 64))
            while true {
                do {
                    try inflater.inflate(from: &input, to: &output)
                    break
                } catch let error as CompressNIOError where error == .bufferOverflow {
                    output.reserveCapacity(minimumWritableBytes: 1024)
                } catch let error as CompressNIOError where error == .inputBufferOverflow {
                    break
                }
            }
            precondition(Array(output.readableBytesView) == message, "a compressed message does not inflate to what was sent")
            if parameters.serverNoContextTakeover { try inflater.reset() }
        } catch {
            preconditionFailure("sending back a message failed: \(error)")
        }
    }
}
