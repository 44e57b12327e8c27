/// Encodes frames to bytes and decodes bytes to frames, per PROTOCOL.md (protocol v1).
///
/// Each frame kind's fixed header is a ``Schema``; the variable field is the body,
/// `|url|data` (pushes: `|url|room|data`; acks: `|room|`). Decoding returns a frame or a
/// ``FrameError`` for any input, never traps, and does not copy `data` (it is a slice of the
/// input); `url` and `room` are `String`s (no allocation up to 15 bytes).
public enum FrameCodec {
    /// The longest url a frame may carry, in bytes.
    public static let maxURLLength = 2048
    /// The longest room name a frame may carry, in bytes.
    public static let maxRoomLength = 255
    /// The WebSocket subprotocol that selects this version.
    public static let subprotocol = "switchboard.v1"

    /// Header of requests, responses, errors, messages and control frames: kind, status, id.
    public static let requestSchema = Schema(checked: [.fixed("kind", size: 1), .fixed("status", size: 1), .fixed("id", size: 4), .variable("body")])
    /// Header of pushes and acks: kind, status, epoch, offset.
    public static let pushSchema = Schema(checked: [.fixed("kind", size: 1), .fixed("status", size: 1), .fixed("epoch", size: 4), .fixed("offset", size: 8), .variable("body")])
    /// Header of batches: kind, status, frame count; the body is `count` × (length u32, frame).
    public static let batchSchema = Schema(checked: [.fixed("kind", size: 1), .fixed("status", size: 1), .fixed("count", size: 4), .variable("frames")])

    @usableFromInline static let pipe = UInt8(ascii: "|")

    // MARK: Decoding

    /// Decodes one WebSocket message's bytes.
    public static func decode(_ bytes: [UInt8]) throws(FrameError) -> Frame { try decode(bytes[...]) }

    /// Decodes one WebSocket message's bytes.
    public static func decode(_ bytes: ArraySlice<UInt8>) throws(FrameError) -> Frame {
        guard let first = bytes.first else { throw .empty }
        guard let kind = FrameKind(byte: first) else { throw .unknownKind(first) }
        switch kind {
        case .request(let method):
            let (id, body) = try header(requestSchema, kind, bytes, statusAllowed: false)
            let (url, data) = try urlAndData(body)
            return .request(RequestFrame(method: method, id: id, url: url, data: data))
        case .response, .error:
            let (id, body) = try header(requestSchema, kind, bytes, statusAllowed: true)
            let byte = bytes[bytes.startIndex + 1]
            guard let status = Status(wireByte: byte) else { throw .unknownStatus(byte) }
            let (url, data) = try urlAndData(body)
            if case .response = kind {
                return .response(ResponseFrame(id: id, status: status, url: url, data: data))
            }
            return .error(ErrorFrame(id: id, status: status, url: url, data: data))
        case .message:
            let (id, body) = try header(requestSchema, kind, bytes, statusAllowed: false)
            let (url, data) = try urlAndData(body)
            return .message(MessageFrame(id: id, url: url, data: data))
        case .control(let control):
            let (id, body) = try header(requestSchema, kind, bytes, statusAllowed: false)
            let (url, data) = try urlAndData(body)
            return .control(ControlFrame(kind: control, id: id, url: url, data: data))
        case .push:
            let (epoch, offset, body) = try pushHeader(kind, bytes)
            let (url, rest) = try textField("url", maxURLLength, next: "room", in: body)
            let (room, data) = try textField("room", maxRoomLength, next: "data", in: rest)
            return .push(PushFrame(url: url, room: room, epoch: epoch, offset: offset, data: data.dropFirst()))
        case .ack:
            let (epoch, offset, body) = try pushHeader(kind, bytes)
            let (room, rest) = try textField("room", maxRoomLength, next: "end of ACK", in: body)
            guard rest.count == 1 else { throw .unexpectedData(kind: "ACK", count: rest.count - 1) }
            return .ack(AckFrame(room: room, epoch: epoch, offset: offset))
        case .batch:
            return .batch(try batch(bytes))
        }
    }

    private static func header(_ schema: Schema, _ kind: FrameKind, _ bytes: ArraySlice<UInt8>, statusAllowed: Bool) throws(FrameError) -> (UInt32, ArraySlice<UInt8>) {
        guard bytes.count >= schema.fixedSize else {
            throw .truncatedHeader(kind: kind.description, needed: schema.fixedSize, available: bytes.count)
        }
        let status = bytes[bytes.startIndex + 1]
        if !statusAllowed && status != 0 { throw .unexpectedStatus(kind: kind.description, byte: status) }
        let id = UInt32(truncatingIfNeeded: schema.read(2, in: bytes))
        return (id, bytes[(bytes.startIndex + schema.fixedSize)...])
    }

    private static func pushHeader(_ kind: FrameKind, _ bytes: ArraySlice<UInt8>) throws(FrameError) -> (UInt32, UInt64, ArraySlice<UInt8>) {
        let schema = pushSchema
        guard bytes.count >= schema.fixedSize else {
            throw .truncatedHeader(kind: kind.description, needed: schema.fixedSize, available: bytes.count)
        }
        let status = bytes[bytes.startIndex + 1]
        if status != 0 { throw .unexpectedStatus(kind: kind.description, byte: status) }
        let epoch = UInt32(truncatingIfNeeded: schema.read(2, in: bytes))
        let offset = schema.read(3, in: bytes)
        return (epoch, offset, bytes[(bytes.startIndex + schema.fixedSize)...])
    }

    /// Reads `|text` from the front of `body`; returns the text and the rest, which starts at
    /// the `|` that ends the text (`next` names what follows it, for the error).
    private static func textField(_ name: String, _ max: Int, next: String, in body: ArraySlice<UInt8>) throws(FrameError) -> (String, ArraySlice<UInt8>) {
        guard body.first == pipe else { throw .missingSeparator(field: name) }
        let start = body.startIndex + 1
        var index = start
        let end = body.endIndex
        while index < end {
            let byte = body[index]
            if byte == pipe { break }
            guard byte > 0x20 && byte < 0x7F else { throw .invalidByte(field: name, byte: byte, offset: index - start) }
            index += 1
            if index - start > max { throw .fieldTooLong(field: name, length: index - start, max: max) }
        }
        guard index < end else { throw .missingSeparator(field: next) }
        let text = String(decoding: body[start..<index], as: UTF8.self)
        return (text, body[index...])
    }

    /// Reads `|url|data`.
    private static func urlAndData(_ body: ArraySlice<UInt8>) throws(FrameError) -> (String, ArraySlice<UInt8>) {
        let (url, rest) = try textField("url", maxURLLength, next: "data", in: body)
        return (url, rest.dropFirst())
    }

    private static func batch(_ bytes: ArraySlice<UInt8>) throws(FrameError) -> [Frame] {
        let contents = try decodeBatch(bytes)
        var frames: [Frame] = []
        frames.reserveCapacity(contents.entries.count)
        for (index, entry) in contents.entries.enumerated() {
            switch entry.frame {
            case .success(let frame): frames.append(frame)
            case .failure(.nestedBatch): throw .nestedBatch
            case .failure(let error): throw .invalidFrameInBatch(index: index, error)
            }
        }
        if let problem = contents.problem { throw problem }
        return frames
    }

    // MARK: Encoding

    /// The frame's bytes in a new array (one allocation).
    /// - Throws: ``FrameError`` when a url or room is invalid, or a batch nests.
    public static func encode(_ frame: Frame) throws(FrameError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(encodedSize(of: frame))
        try encode(frame, into: &out)
        return out
    }

    /// Appends the frame's bytes to `sink` (an array, or the server's outbound buffer); no
    /// allocation when `sink` has the capacity.
    @inlinable
    public static func encode<Sink: ByteSink>(_ frame: Frame, into sink: inout Sink) throws(FrameError) {
        switch frame {
        case .request(let f):
            try appendRequestHeader(f.method.rawValue, 0, f.id, url: f.url, to: &sink)
            sink.appendWireBytes(contentsOf: f.data)
        case .response(let f):
            try appendRequestHeader(FrameKind.response.byte, f.status.wireByte, f.id, url: f.url, to: &sink)
            sink.appendWireBytes(contentsOf: f.data)
        case .error(let f):
            try appendRequestHeader(FrameKind.error.byte, f.status.wireByte, f.id, url: f.url, to: &sink)
            sink.appendWireBytes(contentsOf: f.data)
        case .message(let f):
            try appendRequestHeader(FrameKind.message.byte, 0, f.id, url: f.url, to: &sink)
            sink.appendWireBytes(contentsOf: f.data)
        case .control(let f):
            try appendRequestHeader(f.kind.rawValue, 0, f.id, url: f.url, to: &sink)
            sink.appendWireBytes(contentsOf: f.data)
        case .push(let f):
            appendPushHeader(FrameKind.push.byte, f.epoch, f.offset, to: &sink)
            try appendText("url", f.url, max: maxURLLength, to: &sink)
            try appendText("room", f.room, max: maxRoomLength, to: &sink)
            sink.appendWireByte(pipe)
            sink.appendWireBytes(contentsOf: f.data)
        case .ack(let f):
            appendPushHeader(FrameKind.ack.byte, f.epoch, f.offset, to: &sink)
            try appendText("room", f.room, max: maxRoomLength, to: &sink)
            sink.appendWireByte(pipe)
        case .batch(let frames):
            appendBatchHeader(count: frames.count, to: &sink)
            for (index, inner) in frames.enumerated() {
                if case .batch = inner { throw .nestedBatch }
                sink.appendBigEndian(UInt64(encodedSize(of: inner)), size: 4)
                do {
                    try encode(inner, into: &sink)
                } catch {
                    throw .invalidFrameInBatch(index: index, error)
                }
            }
        }
    }

    /// Appends a BATCH header announcing `count` inner frames; each inner frame follows as its
    /// length (u32) and bytes (``appendBatchEntry(_:to:)`` for an encoded one).
    @inlinable
    public static func appendBatchHeader<Sink: ByteSink>(count: Int, to sink: inout Sink) {
        sink.appendWireByte(FrameKind.batch.byte)
        sink.appendWireByte(0)
        sink.appendBigEndian(UInt64(count), size: 4)
    }

    /// Appends an already encoded frame to a batch being written: its length and bytes, or,
    /// for a batch (batches do not nest), its inner frames (count them with
    /// ``batchedFrameCount(_:)`` in the header).
    public static func appendBatchEntry<Sink: ByteSink>(_ encoded: UnsafeRawBufferPointer, to sink: inout Sink) {
        if isBatch(encoded) {
            sink.appendWireBytes(UnsafeRawBufferPointer(rebasing: encoded[batchSchema.fixedSize...]))
        } else {
            sink.appendBigEndian(UInt64(encoded.count), size: 4)
            sink.appendWireBytes(encoded)
        }
    }

    /// The size of the batch entry ``appendBatchEntry(_:to:)`` writes for `encoded`.
    public static func batchEntrySize<Bytes: Collection<UInt8>>(_ encoded: Bytes) -> Int {
        isBatch(encoded) ? encoded.count - batchSchema.fixedSize : encoded.count + 4
    }

    /// The number of bytes ``encode(_:)`` produces for `frame`.
    public static func encodedSize(of frame: Frame) -> Int {
        switch frame {
        case .request(let f): requestSchema.fixedSize + 2 + f.url.utf8.count + f.data.count
        case .response(let f): requestSchema.fixedSize + 2 + f.url.utf8.count + f.data.count
        case .error(let f): requestSchema.fixedSize + 2 + f.url.utf8.count + f.data.count
        case .message(let f): requestSchema.fixedSize + 2 + f.url.utf8.count + f.data.count
        case .control(let f): requestSchema.fixedSize + 2 + f.url.utf8.count + f.data.count
        case .push(let f): pushSchema.fixedSize + 3 + f.url.utf8.count + f.room.utf8.count + f.data.count
        case .ack(let f): pushSchema.fixedSize + 2 + f.room.utf8.count
        case .batch(let frames): frames.reduce(batchSchema.fixedSize) { $0 + 4 + encodedSize(of: $1) }
        }
    }

    @inlinable
    static func appendRequestHeader<Sink: ByteSink>(_ kind: UInt8, _ status: UInt8, _ id: UInt32, url: String, to sink: inout Sink) throws(FrameError) {
        sink.appendWireByte(kind)
        sink.appendWireByte(status)
        sink.appendBigEndian(UInt64(id), size: 4)
        try appendText("url", url, max: maxURLLength, to: &sink)
        sink.appendWireByte(pipe)
    }

    @inlinable
    static func appendPushHeader<Sink: ByteSink>(_ kind: UInt8, _ epoch: UInt32, _ offset: UInt64, to sink: inout Sink) {
        sink.appendWireByte(kind)
        sink.appendWireByte(0)
        sink.appendBigEndian(UInt64(epoch), size: 4)
        sink.appendBigEndian(offset, size: 8)
    }

    /// Appends `|text` after checking it.
    @inlinable
    static func appendText<Sink: ByteSink>(_ name: String, _ text: String, max: Int, to sink: inout Sink) throws(FrameError) {
        try validate(name, text, max: max)
        sink.appendWireByte(pipe)
        sink.appendWireText(text)
    }

    /// Throws unless `text` is a valid url or room field: at most `max` bytes, each in `!`…`~`
    /// and not `|`.
    public static func validate(_ name: String, _ text: String, max: Int) throws(FrameError) {
        var offset = 0
        for byte in text.utf8 {
            guard byte > 0x20 && byte < 0x7F && byte != pipe else { throw .invalidByte(field: name, byte: byte, offset: offset) }
            offset += 1
        }
        if offset > max { throw .fieldTooLong(field: name, length: offset, max: max) }
    }
}

extension Schema {
    /// A schema known valid at compile time (the protocol's own headers).
    init(checked fields: [Field]) {
        do {
            try self.init(fields)
        } catch {
            preconditionFailure("invalid built-in schema: \(error)")
        }
    }
}
