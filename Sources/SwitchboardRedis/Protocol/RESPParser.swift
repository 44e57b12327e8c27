/// Parses one RESP2 or RESP3 reply from the start of a byte buffer.
///
/// A pure value: it keeps no state between calls. Feed it everything received and not yet
/// consumed; it answers with a value and how many bytes it used, or that more bytes are needed
/// (and at least how many the buffer must hold before parsing again is worthwhile), or a
/// ``RESPParseError`` for input that can never become a valid reply.
public struct RESPParser: Sendable {
    /// What `parse(_:)` found at the start of the bytes.
    public enum Outcome: Sendable, Equatable {
        /// A complete reply, which took the first `consumed` bytes.
        case value(RESPValue, consumed: Int)
        /// The bytes are the valid start of a reply; parse again once the buffer holds at least
        /// `minimumLength` bytes.
        case needMoreData(minimumLength: Int)
    }

    /// The limits replies must stay within.
    public var limits: RedisConfiguration.ReplyLimits

    /// A parser enforcing `limits`.
    public init(limits: RedisConfiguration.ReplyLimits = .init()) {
        self.limits = limits
    }

    /// Parses the reply at the start of `bytes`.
    public func parse(_ bytes: UnsafeRawBufferPointer) throws(RESPParseError) -> Outcome {
        var cursor = Cursor(bytes: bytes, limits: limits)
        guard let value = try cursor.value(depth: 0) else {
            return .needMoreData(minimumLength: cursor.needed)
        }
        return .value(value, consumed: cursor.index)
    }

    /// Parses the reply at the start of `bytes`.
    public func parse(_ bytes: [UInt8]) throws(RESPParseError) -> Outcome {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(RESPParseError) -> Outcome in try parse(buffer) }
        }
        return try result.get()
    }

    /// Parses every reply in `bytes` with default limits, for fuzzing (a libFuzzer entry point
    /// calls it with each input). Returns the replies parsed before the input ended, needed more
    /// data, or failed with the returned error. It must never trap.
    @discardableResult
    public static func fuzz(_ bytes: [UInt8]) -> (values: [RESPValue], error: RESPParseError?) {
        let parser = RESPParser()
        var values: [RESPValue] = []
        var start = 0
        while start < bytes.count {
            do {
                switch try parser.parse(Array(bytes[start...])) {
                case .value(let value, let consumed):
                    values.append(value)
                    start += consumed
                case .needMoreData:
                    return (values, nil)
                }
            } catch {
                return (values, error)
            }
        }
        return (values, nil)
    }
}

/// The read position over one buffer while parsing a reply.
private struct Cursor {
    let bytes: UnsafeRawBufferPointer
    let limits: RedisConfiguration.ReplyLimits
    var index = 0
    /// When a parse returns `nil`: how many bytes the buffer must hold to get further.
    var needed = 0

    init(bytes: UnsafeRawBufferPointer, limits: RedisConfiguration.ReplyLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    /// The value at `index`, or `nil` when the bytes end before it does.
    mutating func value(depth: Int) throws(RESPParseError) -> RESPValue? {
        guard index < bytes.count else {
            needed = index + 1
            return nil
        }
        let start = index
        let type = bytes[index]
        index += 1
        switch type {
        case UInt8(ascii: "+"):
            return try line().map { .simpleString(text($0)) }
        case UInt8(ascii: "-"):
            return try line().map { .error(text($0)) }
        case UInt8(ascii: ":"):
            guard let range = try line() else { return nil }
            return .integer(try integer(range))
        case UInt8(ascii: "$"):
            guard let payload = try bulk(start: start, nullable: true) else { return nil }
            return .bulkString(payload.map { Array(bytes[$0]) })
        case UInt8(ascii: "!"):
            guard let payload = try bulk(start: start, nullable: false), let range = payload else { return nil }
            return .bulkError(text(range))
        case UInt8(ascii: "="):
            guard let payload = try bulk(start: start, nullable: false), let range = payload else { return nil }
            guard range.count >= 4, bytes[range.lowerBound + 3] == UInt8(ascii: ":") else {
                throw .invalidVerbatimString(offset: start)
            }
            return .verbatimString(
                format: text(range.lowerBound..<range.lowerBound + 3),
                content: Array(bytes[range.lowerBound + 4..<range.upperBound])
            )
        case UInt8(ascii: "_"):
            guard let range = try line() else { return nil }
            guard range.isEmpty else { throw .invalidNull(offset: start) }
            return .null
        case UInt8(ascii: "#"):
            guard let range = try line() else { return nil }
            guard range.count == 1 else { throw .invalidBoolean(offset: start) }
            switch bytes[range.lowerBound] {
            case UInt8(ascii: "t"): return .boolean(true)
            case UInt8(ascii: "f"): return .boolean(false)
            default: throw .invalidBoolean(offset: start)
            }
        case UInt8(ascii: ","):
            guard let range = try line() else { return nil }
            return .double(try double(range, start: start))
        case UInt8(ascii: "("):
            guard let range = try line() else { return nil }
            let digits = range.first.map { bytes[$0] == UInt8(ascii: "-") ? $0 + 1 : $0 } ?? range.lowerBound
            guard digits < range.upperBound, bytes[digits..<range.upperBound].allSatisfy(Self.isDigit) else {
                throw .invalidBigNumber(offset: start)
            }
            return .bigNumber(text(range))
        case UInt8(ascii: "*"):
            guard let count = try aggregateCount(start: start, depth: depth, nullable: true) else { return nil }
            guard let count = count else { return .array(nil) }
            return try elements(count, depth: depth).map { .array($0) }
        case UInt8(ascii: "~"):
            guard let count = try aggregateCount(start: start, depth: depth, nullable: false) else { return nil }
            return try elements(count ?? 0, depth: depth).map { .set($0) }
        case UInt8(ascii: ">"):
            guard let count = try aggregateCount(start: start, depth: depth, nullable: false) else { return nil }
            return try elements(count ?? 0, depth: depth).map { .push($0) }
        case UInt8(ascii: "%"):
            guard let count = try aggregateCount(start: start, depth: depth, nullable: false) else { return nil }
            return try entries(count ?? 0, depth: depth).map { .map($0) }
        case UInt8(ascii: "|"):
            guard let count = try aggregateCount(start: start, depth: depth, nullable: false),
                let attributes = try entries(count ?? 0, depth: depth),
                // The annotated value counts one level deeper, so a chain of attributes is
                // bounded by the nesting limit too.
                let value = try value(depth: depth + 1)
            else { return nil }
            return limits.keepsAttributes ? .attributed(attributes: attributes, value: value) : value
        default:
            throw .unknownType(byte: type, offset: start)
        }
    }

    /// The `count` values of an aggregate, or `nil` when the bytes end first.
    private mutating func elements(_ count: Int, depth: Int) throws(RESPParseError) -> [RESPValue]? {
        var values: [RESPValue] = []
        values.reserveCapacity(min(count, 1_024))
        for _ in 0..<count {
            guard let element = try value(depth: depth + 1) else { return nil }
            values.append(element)
        }
        return values
    }

    /// The `count` key-value entries of a map or attribute, or `nil` when the bytes end first.
    private mutating func entries(_ count: Int, depth: Int) throws(RESPParseError) -> [RESPValue.KeyValue]? {
        var pairs: [RESPValue.KeyValue] = []
        pairs.reserveCapacity(min(count, 1_024))
        for _ in 0..<count {
            guard let key = try value(depth: depth + 1), let value = try value(depth: depth + 1) else { return nil }
            pairs.append(.init(key: key, value: value))
        }
        return pairs
    }

    /// An aggregate's element count: `.some(nil)` for the RESP2 null array, `nil` when the
    /// bytes end first.
    private mutating func aggregateCount(start: Int, depth: Int, nullable: Bool) throws(RESPParseError) -> Int?? {
        guard depth < limits.maxNestingDepth else { throw .nestingTooDeep(limit: limits.maxNestingDepth, offset: start) }
        guard let count = try length(start: start, nullable: nullable) else { return nil }
        guard let count else { return .some(nil) }
        guard count <= limits.maxAggregateCount else {
            throw .aggregateTooLarge(count: Int64(count), limit: limits.maxAggregateCount, offset: start)
        }
        return count
    }

    /// A bulk payload's byte range: `.some(nil)` for the RESP2 null bulk string, `nil` when the
    /// bytes end first.
    private mutating func bulk(start: Int, nullable: Bool) throws(RESPParseError) -> Range<Int>?? {
        guard let length = try length(start: start, nullable: nullable) else { return nil }
        guard let length else { return .some(nil) }
        guard length <= limits.maxBulkLength else {
            throw .bulkTooLong(length: Int64(length), limit: limits.maxBulkLength, offset: start)
        }
        let end = index + length
        guard end + 2 <= bytes.count else {
            needed = end + 2
            return nil
        }
        guard bytes[end] == Self.cr, bytes[end + 1] == Self.lf else { throw .missingPayloadTerminator(offset: end) }
        index = end + 2
        return .some(index - length - 2..<end)
    }

    /// A length header: `.some(nil)` for `-1` when `nullable`, `nil` when the bytes end first.
    private mutating func length(start: Int, nullable: Bool) throws(RESPParseError) -> Int?? {
        guard let range = try line() else { return nil }
        if range.count == 1, bytes[range.lowerBound] == UInt8(ascii: "?") { throw .streamedTypeUnsupported(offset: start) }
        let value = try integer(range)
        if value == -1, nullable { return .some(nil) }
        guard value >= 0 else { throw .invalidLength(value, offset: start) }
        // Lengths above every limit are rejected by the callers; clamping keeps Int conversion safe.
        return Int(clamping: value)
    }

    /// The range of the line at `index` without its CRLF, moving past it; `nil` when the bytes
    /// end before the CRLF.
    private mutating func line() throws(RESPParseError) -> Range<Int>? {
        let start = index
        var position = start
        let scanEnd = min(bytes.count, start + limits.maxLineLength + 1)
        while position < scanEnd {
            switch bytes[position] {
            case Self.cr:
                guard position + 1 < bytes.count else {
                    needed = position + 2
                    return nil
                }
                guard bytes[position + 1] == Self.lf else { throw .malformedLineEnding(offset: position) }
                index = position + 2
                return start..<position
            case Self.lf:
                throw .malformedLineEnding(offset: position)
            default:
                position += 1
            }
        }
        guard scanEnd - start <= limits.maxLineLength else { throw .lineTooLong(limit: limits.maxLineLength, offset: start) }
        needed = bytes.count + 1
        return nil
    }

    private func integer(_ range: Range<Int>) throws(RESPParseError) -> Int64 {
        var position = range.lowerBound
        var negative = false
        if position < range.upperBound, bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") {
            negative = bytes[position] == UInt8(ascii: "-")
            position += 1
        }
        guard position < range.upperBound else { throw .invalidInteger(offset: range.lowerBound) }
        var value: Int64 = 0
        while position < range.upperBound {
            let byte = bytes[position]
            guard Self.isDigit(byte) else { throw .invalidInteger(offset: range.lowerBound) }
            let digit = Int64(byte - UInt8(ascii: "0"))
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            // Accumulating negatively reaches Int64.min, which has no positive counterpart.
            let (next, overflowB) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflowA, !overflowB else { throw .invalidInteger(offset: range.lowerBound) }
            value = next
            position += 1
        }
        return value
    }

    private func double(_ range: Range<Int>, start: Int) throws(RESPParseError) -> Double {
        let literal = text(range)
        switch literal {
        case "inf": return .infinity
        case "-inf": return -.infinity
        case "nan": return .nan
        default: break
        }
        let allowed = bytes[range].allSatisfy {
            Self.isDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: ".")
                || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E")
        }
        guard allowed, let value = Double(literal) else { throw .invalidDouble(offset: start) }
        return value
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
