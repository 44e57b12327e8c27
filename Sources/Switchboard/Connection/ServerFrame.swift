import NIOCore
import NIOWebSocket

/// One complete binary WebSocket message as the server sends it: the frame header, then the
/// payload (a Switchboard frame), in one buffer.
///
/// A server frame is not masked, so these bytes are the same for every connection: a push is
/// built once and the same buffer (a reference, never a copy) is written to every member
/// (below NIO's frame encoder, see ``FrameWriter``). A compressed connection writes
/// ``payload`` instead, for its deflate handler to frame. This type is the one writer of the
/// WebSocket frame header for data frames.
struct ServerFrame: Sendable {
    /// Header and payload.
    let bytes: ByteBuffer
    /// The header's size (2, 4 or 10 bytes).
    let headerSize: Int

    /// The Switchboard frame, without the WebSocket header (shares ``bytes``' storage).
    var payload: ByteBuffer {
        var payload = bytes
        payload.moveReaderIndex(forwardBy: headerSize)
        return payload
    }

    /// The payload's size.
    var payloadSize: Int { bytes.readableBytes - headerSize }

    /// A message of bytes already encoded by `FrameCodec` (one copy, made once per push).
    init(encoded: some Collection<UInt8>, allocator: ByteBufferAllocator) {
        var buffer = Self.buffer(payloadSize: encoded.count, allocator: allocator)
        buffer.writeBytes(encoded)
        self.init(complete: buffer)
    }

    /// `frame` encoded straight after the header: no intermediate copy.
    /// - Throws: `FrameError` when the frame cannot be encoded (an invalid url).
    init(encoding frame: Frame, allocator: ByteBufferAllocator) throws(FrameError) {
        let size = FrameCodec.encodedSize(of: frame)
        var buffer = allocator.buffer(capacity: Self.headerSize(payloadSize: size) + size)
        try Self.append(frame, size: size, to: &buffer)
        self.init(complete: buffer)
    }

    /// Appends `frame` as a complete message, its header then its encoding (`size` is its
    /// ``FrameCodec/encodedSize(of:)``); `buffer` is left as it was when it cannot be encoded.
    static func append(_ frame: Frame, size: Int, to buffer: inout ByteBuffer) throws(FrameError) {
        let start = buffer.writerIndex
        writeHeader(payloadSize: size, into: &buffer)
        do {
            try FrameCodec.encode(frame, into: &buffer)
        } catch {
            buffer.moveWriterIndex(to: start)
            throw error
        }
    }

    /// A BATCH of queued frames, in the given order (a batch among them contributes its inner
    /// frames): the batch layout is `FrameCodec`'s.
    init(batchOf frames: some Collection<ServerFrame>, allocator: ByteBufferAllocator) {
        var count = 0
        var size = FrameCodec.batchSchema.fixedSize
        for frame in frames {
            count += FrameCodec.batchedFrameCount(frame.bytes.readableBytesView.dropFirst(frame.headerSize))
            size += FrameCodec.batchEntrySize(frame.bytes.readableBytesView.dropFirst(frame.headerSize))
        }
        var buffer = Self.buffer(payloadSize: size, allocator: allocator)
        FrameCodec.appendBatchHeader(count: count, to: &buffer)
        for frame in frames {
            frame.bytes.withUnsafeReadableBytes { bytes in
                FrameCodec.appendBatchEntry(UnsafeRawBufferPointer(rebasing: bytes[frame.headerSize...]), to: &buffer)
            }
        }
        self.init(complete: buffer)
    }

    /// A buffer holding a final binary frame's header for a payload of `payloadSize` bytes,
    /// with room for the payload.
    private static func buffer(payloadSize: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: headerSize(payloadSize: payloadSize) + payloadSize)
        writeHeader(payloadSize: payloadSize, into: &buffer)
        return buffer
    }

    /// Appends a final binary frame's header for a payload of `payloadSize` bytes.
    static func writeHeader(payloadSize: Int, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(0x80) | UInt8(webSocketOpcode: .binary))  // FIN
        switch headerSize(payloadSize: payloadSize) {
        case 2:
            buffer.writeInteger(UInt8(payloadSize))
        case 4:
            buffer.writeInteger(UInt8(126))
            buffer.writeInteger(UInt16(payloadSize))
        default:
            buffer.writeInteger(UInt8(127))
            buffer.writeInteger(UInt64(payloadSize))
        }
    }

    /// A buffer written by ``buffer(payloadSize:allocator:)`` and filled with the payload.
    private init(complete buffer: ByteBuffer) {
        let lengthByte = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self) ?? 0
        let headerSize = lengthByte < 126 ? 2 : lengthByte == 126 ? 4 : 10
        assert(Self.headerSize(payloadSize: buffer.readableBytes - headerSize) == headerSize, "payload size differs from the header's")
        self.bytes = buffer
        self.headerSize = headerSize
    }

    /// The size of a server frame's header for a payload of `payloadSize` bytes (RFC 6455
    /// §5.2: 7-bit, 16-bit or 64-bit length; no masking key).
    static func headerSize(payloadSize: Int) -> Int {
        payloadSize < 126 ? 2 : payloadSize <= Int(UInt16.max) ? 4 : 10
    }
}
