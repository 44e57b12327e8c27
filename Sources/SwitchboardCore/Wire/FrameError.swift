/// Why bytes could not be decoded as a frame, or a frame could not be encoded.
///
/// Every malformed input maps to one of these; decoding never traps. The server answers a
/// malformed frame with an error frame (status 400) whose message is `description`.
public indirect enum FrameError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The message has no bytes.
    case empty
    /// The first byte names no frame kind.
    case unknownKind(UInt8)
    /// The input ends inside the fixed header of a `kind` frame.
    case truncatedHeader(kind: String, needed: Int, available: Int)
    /// A frame kind that carries no status has a non-zero status byte.
    case unexpectedStatus(kind: String, byte: UInt8)
    /// A response or error frame's status byte is not a valid status.
    case unknownStatus(UInt8)
    /// The `|` that must come before `field` is missing.
    case missingSeparator(field: String)
    /// A text field (url or room) is longer than allowed.
    case fieldTooLong(field: String, length: Int, max: Int)
    /// A text field holds a byte outside `!`…`~` or a raw `|`, at `offset` within the field.
    case invalidByte(field: String, byte: UInt8, offset: Int)
    /// A frame kind without a body (ack) carries bytes after its last field.
    case unexpectedData(kind: String, count: Int)
    /// A batch contains a batch.
    case nestedBatch
    /// A batch's frame `index` runs past the end of the message.
    case batchTruncated(index: Int)
    /// A batch declares `declared` frames but holds `found`.
    case batchCountMismatch(declared: Int, found: Int)
    /// Frame `index` inside a batch is malformed.
    case invalidFrameInBatch(index: Int, FrameError)

    public var description: String {
        switch self {
        case .empty: "empty frame"
        case .unknownKind(let byte): "unknown frame kind byte 0x\(hex(byte))"
        case .truncatedHeader(let kind, let needed, let available): "truncated header: \(kind) frame needs \(needed) bytes, got \(available)"
        case .unexpectedStatus(let kind, let byte): "\(kind) frame must have status byte 0x00, got 0x\(hex(byte))"
        case .unknownStatus(let byte): "unknown status byte 0x\(hex(byte))"
        case .missingSeparator(let field): "missing '|' before \(field)"
        case .fieldTooLong(let field, let length, let max): "\(field) too long: \(length) bytes, maximum \(max)"
        case .invalidByte(let field, let byte, let offset): "invalid byte 0x\(hex(byte)) in \(field) at offset \(offset) (allowed: '!'...'~' except '|'; percent-encode the rest)"
        case .unexpectedData(let kind, let count): "\(kind) frame carries \(count) unexpected byte(s) of data"
        case .nestedBatch: "a batch may not contain a batch"
        case .batchTruncated(let index): "batch frame \(index) runs past the end of the message"
        case .batchCountMismatch(let declared, let found): "batch declares \(declared) frame(s) but holds \(found)"
        case .invalidFrameInBatch(let index, let error): "batch frame \(index): \(error)"
        }
    }
}

private func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
}
