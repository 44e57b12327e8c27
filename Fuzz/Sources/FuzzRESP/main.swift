import SwitchboardRedis

/// Small limits, so inputs of a few bytes reach every limit check.
enum Parsers {
    static let small: RESPParser = {
        var limits = RedisConfiguration.ReplyLimits()
        limits.maxBulkLength = 64
        limits.maxLineLength = 32
        limits.maxNestingDepth = 4
        limits.maxAggregateCount = 8
        return RESPParser(limits: limits)
    }()
}

/// libFuzzer entry: one input is bytes received from a Redis server.
///
/// Checked for every input: `RESPParser.fuzz` (every reply in turn, default limits) never traps;
/// with small limits, "need more data" always asks for more bytes than it was given; and when
/// the input starts with a complete reply, each shorter prefix of that reply needs more data,
/// asking for no more bytes than the whole reply took.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    RESPParser.fuzz(bytes)
    let parser = Parsers.small
    guard let outcome = try? parser.parse(bytes) else { return 0 }
    switch outcome {
    case .needMoreData(let minimum):
        precondition(minimum > bytes.count, "needs \(minimum) bytes but was given \(bytes.count): \(bytes)")
    case .value(_, let consumed):
        precondition(consumed > 0 && consumed <= bytes.count, "consumed \(consumed) of \(bytes.count) bytes")
        for length in Set([0, 1, consumed / 2, consumed - 1]) where length < consumed {
            let prefix = Array(bytes[..<length])
            let partial: RESPParser.Outcome
            do {
                partial = try parser.parse(prefix)
            } catch {
                preconditionFailure("the first \(length) bytes of a valid reply fail with \(error): \(bytes)")
            }
            guard case .needMoreData(let minimum) = partial else {
                preconditionFailure("the first \(length) bytes of a reply of \(consumed) bytes are a reply: \(bytes)")
            }
            precondition(minimum > length && minimum <= consumed, "prefix of \(length) of a \(consumed)-byte reply needs \(minimum): \(bytes)")
        }
    }
    return 0
}
