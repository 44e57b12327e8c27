/// One Redis reply, in any of the RESP2 and RESP3 types.
///
/// Text that the protocol defines as a line (simple strings, errors, big numbers) is kept as a
/// `String`, decoded as UTF-8 (invalid sequences become U+FFFD); binary-safe payloads (bulk and
/// verbatim strings) keep their bytes.
public enum RESPValue: Sendable, Equatable {
    /// `+OK`: a short status line.
    case simpleString(String)
    /// `-ERR message`: an error reply; the text starts with the error code (`ERR`, `WRONGTYPE`…).
    case error(String)
    /// `:42`: a signed 64-bit integer.
    case integer(Int64)
    /// `$5\r\nhello`: binary-safe bytes; `nil` for the RESP2 null bulk string `$-1`.
    case bulkString([UInt8]?)
    /// `*2…`: an ordered list of values; `nil` for the RESP2 null array `*-1`.
    case array([RESPValue]?)
    /// `_`: the RESP3 null.
    case null
    /// `#t` / `#f`: a RESP3 boolean.
    case boolean(Bool)
    /// `,3.14`: a RESP3 double, including `inf`, `-inf` and `nan`.
    case double(Double)
    /// `(3492890328409238509324850943850943825024385`: a RESP3 big number, as its decimal digits
    /// (with a leading `-` when negative).
    case bigNumber(String)
    /// `!21\r\nSYNTAX invalid syntax`: a RESP3 error with a binary-safe message.
    case bulkError(String)
    /// `=15\r\ntxt:Some string`: a RESP3 verbatim string: a three-character format (`txt`,
    /// `mkd`) and the content.
    case verbatimString(format: String, content: [UInt8])
    /// `%2…`: a RESP3 map, in the order the server sent its entries (keys may repeat).
    case map([KeyValue])
    /// `~3…`: a RESP3 set, in the order the server sent its members.
    case set([RESPValue])
    /// `>3…`: a RESP3 out-of-band push (pub/sub messages, client-side caching invalidations).
    case push([RESPValue])
    /// A value preceded by a RESP3 attribute map (`|1…`). Only produced when
    /// ``RedisConfiguration/ReplyLimits/keepsAttributes`` is `true`; otherwise attributes are
    /// skipped and only the value is returned.
    indirect case attributed(attributes: [KeyValue], value: RESPValue)

    /// One entry of a ``RESPValue/map(_:)`` or of an attribute map.
    public struct KeyValue: Sendable, Equatable {
        /// The entry's key.
        public var key: RESPValue
        /// The entry's value.
        public var value: RESPValue

        /// Makes an entry.
        public init(key: RESPValue, value: RESPValue) {
            self.key = key
            self.value = value
        }
    }
}

extension RESPValue {
    /// The value as text: simple, bulk and verbatim strings (decoded as UTF-8), big numbers and
    /// integers; `nil` for every other type.
    public var string: String? {
        switch self {
        case .simpleString(let text), .bigNumber(let text): text
        case .bulkString(let bytes?): String(decoding: bytes, as: UTF8.self)
        case .verbatimString(_, let content): String(decoding: content, as: UTF8.self)
        case .integer(let number): String(number)
        case .attributed(_, let value): value.string
        default: nil
        }
    }

    /// The value as an integer: integers, and strings holding a decimal integer (Redis answers
    /// `GET` of a counter with a bulk string); `nil` otherwise.
    public var integer: Int64? {
        switch self {
        case .integer(let number): number
        case .attributed(_, let value): value.integer
        default: string.flatMap { Int64($0) }
        }
    }

    /// The elements of an array, set or push; `nil` for every other type, and for the null array.
    public var elements: [RESPValue]? {
        switch self {
        case .array(let values?), .set(let values), .push(let values): values
        case .attributed(_, let value): value.elements
        default: nil
        }
    }

    /// The message of an error reply (simple or bulk); `nil` for every other type.
    public var errorMessage: String? {
        switch self {
        case .error(let message), .bulkError(let message): message
        case .attributed(_, let value): value.errorMessage
        default: nil
        }
    }

    /// Whether the value is a null: RESP3 `_`, the RESP2 null bulk string or the null array.
    public var isNull: Bool {
        switch self {
        case .null, .bulkString(nil), .array(nil): true
        case .attributed(_, let value): value.isNull
        default: false
        }
    }
}
