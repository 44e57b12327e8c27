/// Why bytes from a Redis server are not a valid reply. `offset` is the byte offset, from the
/// start of the reply, where the problem was found.
public enum RESPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The type byte is none of RESP2's or RESP3's.
    case unknownType(byte: UInt8, offset: Int)
    /// A line holds a CR not followed by LF, or an LF not preceded by CR.
    case malformedLineEnding(offset: Int)
    /// A line is longer than ``RedisConfiguration/ReplyLimits/maxLineLength``.
    case lineTooLong(limit: Int, offset: Int)
    /// An integer reply or a length header is not a decimal 64-bit integer.
    case invalidInteger(offset: Int)
    /// A length is negative (other than the null `-1` of RESP2 bulk strings and arrays).
    case invalidLength(Int64, offset: Int)
    /// A streamed RESP3 string or aggregate (`$?`, `*?`…), which Redis never sends.
    case streamedTypeUnsupported(offset: Int)
    /// A bulk payload is longer than ``RedisConfiguration/ReplyLimits/maxBulkLength``.
    case bulkTooLong(length: Int64, limit: Int, offset: Int)
    /// A bulk payload is not followed by CRLF.
    case missingPayloadTerminator(offset: Int)
    /// An aggregate has more elements than ``RedisConfiguration/ReplyLimits/maxAggregateCount``.
    case aggregateTooLarge(count: Int64, limit: Int, offset: Int)
    /// Aggregates nest deeper than ``RedisConfiguration/ReplyLimits/maxNestingDepth``.
    case nestingTooDeep(limit: Int, offset: Int)
    /// A boolean is neither `#t` nor `#f`.
    case invalidBoolean(offset: Int)
    /// A double is not a decimal number, `inf`, `-inf` or `nan`.
    case invalidDouble(offset: Int)
    /// A big number is not an optional `-` followed by decimal digits.
    case invalidBigNumber(offset: Int)
    /// A verbatim string does not start with a three-character format and `:`.
    case invalidVerbatimString(offset: Int)
    /// A null (`_`) has text on its line.
    case invalidNull(offset: Int)

    /// A sentence saying what is wrong and where.
    public var description: String {
        switch self {
        case .unknownType(let byte, let offset):
            "RESP: unknown type byte 0x\(String(byte, radix: 16)) at offset \(offset)"
        case .malformedLineEnding(let offset):
            "RESP: a line must end with CRLF (bare CR or LF at offset \(offset))"
        case .lineTooLong(let limit, let offset):
            "RESP: the line at offset \(offset) is longer than the limit of \(limit) bytes"
        case .invalidInteger(let offset):
            "RESP: not a decimal 64-bit integer at offset \(offset)"
        case .invalidLength(let length, let offset):
            "RESP: invalid length \(length) at offset \(offset)"
        case .streamedTypeUnsupported(let offset):
            "RESP: streamed strings and aggregates are not supported (offset \(offset))"
        case .bulkTooLong(let length, let limit, let offset):
            "RESP: bulk length \(length) at offset \(offset) is above the limit of \(limit) bytes"
        case .missingPayloadTerminator(let offset):
            "RESP: the bulk payload ending at offset \(offset) is not followed by CRLF"
        case .aggregateTooLarge(let count, let limit, let offset):
            "RESP: aggregate of \(count) elements at offset \(offset) is above the limit of \(limit)"
        case .nestingTooDeep(let limit, let offset):
            "RESP: aggregates nest deeper than the limit of \(limit) at offset \(offset)"
        case .invalidBoolean(let offset):
            "RESP: a boolean must be #t or #f (offset \(offset))"
        case .invalidDouble(let offset):
            "RESP: not a double at offset \(offset)"
        case .invalidBigNumber(let offset):
            "RESP: not a big number at offset \(offset)"
        case .invalidVerbatimString(let offset):
            "RESP: a verbatim string must start with a 3-character format and ':' (offset \(offset))"
        case .invalidNull(let offset):
            "RESP: a null must be '_' followed by CRLF (offset \(offset))"
        }
    }
}
