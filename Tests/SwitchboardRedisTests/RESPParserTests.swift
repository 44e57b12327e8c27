import Testing
import SwitchboardRedis

@Suite("RESP reply parser")
struct RESPParserTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// One reply of every type, with the value it must parse to.
    static let samples: [(String, RESPValue)] = [
        ("+OK\r\n", .simpleString("OK")),
        ("+\r\n", .simpleString("")),
        ("-ERR unknown command 'FOO'\r\n", .error("ERR unknown command 'FOO'")),
        (":0\r\n", .integer(0)),
        (":-42\r\n", .integer(-42)),
        (":+7\r\n", .integer(7)),
        (":9223372036854775807\r\n", .integer(.max)),
        (":-9223372036854775808\r\n", .integer(.min)),
        ("$5\r\nhello\r\n", .bulkString(bytes("hello"))),
        ("$0\r\n\r\n", .bulkString([])),
        ("$4\r\na\r\nb\r\n", .bulkString(bytes("a\r\nb"))),
        ("$-1\r\n", .bulkString(nil)),
        ("*-1\r\n", .array(nil)),
        ("*0\r\n", .array([])),
        ("*3\r\n:1\r\n$3\r\nfoo\r\n+bar\r\n", .array([.integer(1), .bulkString(bytes("foo")), .simpleString("bar")])),
        ("*2\r\n*1\r\n:1\r\n*0\r\n", .array([.array([.integer(1)]), .array([])])),
        ("_\r\n", .null),
        ("#t\r\n", .boolean(true)),
        ("#f\r\n", .boolean(false)),
        (",3.25\r\n", .double(3.25)),
        (",-1.5e3\r\n", .double(-1500)),
        (",10\r\n", .double(10)),
        (",inf\r\n", .double(.infinity)),
        (",-inf\r\n", .double(-.infinity)),
        ("(3492890328409238509324850943850943825024385\r\n", .bigNumber("3492890328409238509324850943850943825024385")),
        ("(-12\r\n", .bigNumber("-12")),
        ("!21\r\nSYNTAX invalid syntax\r\n", .bulkError("SYNTAX invalid syntax")),
        ("=15\r\ntxt:Some string\r\n", .verbatimString(format: "txt", content: bytes("Some string"))),
        ("%2\r\n+first\r\n:1\r\n+second\r\n_\r\n", .map([
            .init(key: .simpleString("first"), value: .integer(1)),
            .init(key: .simpleString("second"), value: .null),
        ])),
        ("%0\r\n", .map([])),
        ("~2\r\n+a\r\n#f\r\n", .set([.simpleString("a"), .boolean(false)])),
        (">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", .push([
            .bulkString(bytes("message")), .bulkString(bytes("ch")), .bulkString(bytes("hi")),
        ])),
        ("|1\r\n+ttl\r\n:3600\r\n:5\r\n", .integer(5)),
        ("*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n:2\r\n", .array([.integer(1), .integer(2)])),
    ]

    @Test("every RESP2 and RESP3 type parses to its value and consumes exactly its bytes")
    func everyType() throws {
        for (text, expected) in Self.samples {
            let input = Self.bytes(text)
            let outcome = try RESPParser().parse(input + Self.bytes("+next\r\n"))
            #expect(outcome == .value(expected, consumed: input.count), "\(text.debugDescription)")
        }
    }

    @Test("a double nan parses to nan")
    func nan() throws {
        guard case .value(.double(let value), _) = try RESPParser().parse(Self.bytes(",nan\r\n")) else {
            Issue.record("not a double")
            return
        }
        #expect(value.isNaN)
    }

    @Test("every prefix of every reply needs more data, with a minimum length it has not reached")
    func splitAtEveryByte() throws {
        for (text, expected) in Self.samples {
            let input = Self.bytes(text)
            for length in 0..<input.count {
                let outcome = try RESPParser().parse(Array(input.prefix(length)))
                guard case .needMoreData(let minimum) = outcome else {
                    Issue.record("\(text.debugDescription) prefix \(length): \(outcome)")
                    continue
                }
                #expect(minimum > length && minimum <= input.count, "\(text.debugDescription) prefix \(length): \(minimum)")
            }
            #expect(try RESPParser().parse(input) == .value(expected, consumed: input.count))
        }
    }

    @Test("feeding replies in chunks and parsing when the minimum length is reached yields every reply in order")
    func incrementalFeeding() throws {
        let stream = Self.samples.flatMap { Self.bytes($0.0) }
        for chunkSize in [1, 2, 3, 7, 64] {
            var buffered: [UInt8] = []
            var values: [RESPValue] = []
            var needed = 1
            var offset = 0
            while offset < stream.count {
                buffered += stream[offset..<min(offset + chunkSize, stream.count)]
                offset += chunkSize
                while buffered.count >= needed {
                    switch try RESPParser().parse(buffered) {
                    case .value(let value, let consumed):
                        values.append(value)
                        buffered.removeFirst(consumed)
                        needed = 1
                    case .needMoreData(let minimum):
                        needed = minimum
                    }
                }
            }
            #expect(values == Self.samples.map(\.1), "chunk size \(chunkSize)")
            #expect(buffered.isEmpty)
        }
    }

    @Test("attributes are kept when configured")
    func keptAttributes() throws {
        var limits = RedisConfiguration.ReplyLimits()
        limits.keepsAttributes = true
        let outcome = try RESPParser(limits: limits).parse(Self.bytes("|1\r\n+ttl\r\n:3600\r\n:5\r\n"))
        #expect(outcome == .value(
            .attributed(attributes: [.init(key: .simpleString("ttl"), value: .integer(3600))], value: .integer(5)),
            consumed: 21
        ))
    }

    static let malformed: [(String, RESPParseError)] = [
        ("?x\r\n", .unknownType(byte: UInt8(ascii: "?"), offset: 0)),
        ("*1\r\n@\r\n", .unknownType(byte: UInt8(ascii: "@"), offset: 4)),
        ("+OK\rX", .malformedLineEnding(offset: 3)),
        ("+OK\n", .malformedLineEnding(offset: 3)),
        (":12a\r\n", .invalidInteger(offset: 1)),
        (":\r\n", .invalidInteger(offset: 1)),
        (":-\r\n", .invalidInteger(offset: 1)),
        (":9223372036854775808\r\n", .invalidInteger(offset: 1)),
        (":-9223372036854775809\r\n", .invalidInteger(offset: 1)),
        ("$-2\r\n", .invalidLength(-2, offset: 0)),
        ("*-5\r\n", .invalidLength(-5, offset: 0)),
        ("%-1\r\n", .invalidLength(-1, offset: 0)),
        ("!-1\r\n", .invalidLength(-1, offset: 0)),
        ("$?\r\n", .streamedTypeUnsupported(offset: 0)),
        ("*?\r\n", .streamedTypeUnsupported(offset: 0)),
        ("$3\r\nabcd\r\n", .missingPayloadTerminator(offset: 7)),
        ("#x\r\n", .invalidBoolean(offset: 0)),
        ("#tt\r\n", .invalidBoolean(offset: 0)),
        (",1.2.x\r\n", .invalidDouble(offset: 0)),
        (",0x10\r\n", .invalidDouble(offset: 0)),
        (",\r\n", .invalidDouble(offset: 0)),
        ("(12a\r\n", .invalidBigNumber(offset: 0)),
        ("(-\r\n", .invalidBigNumber(offset: 0)),
        ("=3\r\ntxt\r\n", .invalidVerbatimString(offset: 0)),
        ("=5\r\ntxt-x\r\n", .invalidVerbatimString(offset: 0)),
        ("_x\r\n", .invalidNull(offset: 0)),
    ]

    @Test("malformed input gives the typed error naming the offending offset")
    func malformedInput() {
        for (text, expected) in Self.malformed {
            #expect(throws: expected, "\(text.debugDescription)") { try RESPParser().parse(Self.bytes(text)) }
        }
    }

    @Test("a bulk string above maxBulkLength is refused from its header, before its payload arrives")
    func bulkLimit() throws {
        var limits = RedisConfiguration.ReplyLimits()
        limits.maxBulkLength = 10
        #expect(throws: RESPParseError.bulkTooLong(length: 11, limit: 10, offset: 0)) {
            try RESPParser(limits: limits).parse(Self.bytes("$11\r\n"))
        }
        #expect(throws: RESPParseError.bulkTooLong(length: 9_223_372_036_854_775_807, limit: 10, offset: 0)) {
            try RESPParser(limits: limits).parse(Self.bytes("=9223372036854775807\r\n"))
        }
        #expect(try RESPParser(limits: limits).parse(Self.bytes("$10\r\n0123456789\r\n")) == .value(.bulkString(Self.bytes("0123456789")), consumed: 17))
    }

    @Test("an aggregate above maxAggregateCount is refused from its header")
    func aggregateLimit() {
        var limits = RedisConfiguration.ReplyLimits()
        limits.maxAggregateCount = 3
        for type in ["*", "~", ">", "%", "|"] {
            #expect(throws: RESPParseError.aggregateTooLarge(count: 4, limit: 3, offset: 0)) {
                try RESPParser(limits: limits).parse(Self.bytes("\(type)4\r\n"))
            }
        }
        #expect(throws: RESPParseError.aggregateTooLarge(count: 4_000_000_000, limit: 1 << 24, offset: 0)) {
            try RESPParser().parse(Self.bytes("*4000000000\r\n"))
        }
    }

    @Test("aggregates nested deeper than maxNestingDepth are refused, attribute chains included")
    func nestingLimit() throws {
        var limits = RedisConfiguration.ReplyLimits()
        limits.maxNestingDepth = 3
        let parser = RESPParser(limits: limits)
        #expect(try parser.parse(Self.bytes("*1\r\n*1\r\n*1\r\n:1\r\n")) == .value(.array([.array([.array([.integer(1)])])]), consumed: 16))
        #expect(throws: RESPParseError.nestingTooDeep(limit: 3, offset: 12)) {
            try parser.parse(Self.bytes("*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n"))
        }
        #expect(throws: RESPParseError.nestingTooDeep(limit: 3, offset: 12)) {
            try parser.parse(Self.bytes("|0\r\n|0\r\n|0\r\n|0\r\n:1\r\n"))
        }
        let deep = Array(String(repeating: "*1\r\n", count: 100_000).utf8)
        #expect(throws: RESPParseError.nestingTooDeep(limit: 64, offset: 256)) { try RESPParser().parse(deep) }
    }

    @Test("a line longer than maxLineLength is refused once that many bytes arrived without CRLF")
    func lineLimit() throws {
        var limits = RedisConfiguration.ReplyLimits()
        limits.maxLineLength = 5
        let parser = RESPParser(limits: limits)
        #expect(try parser.parse(Self.bytes("+12345\r\n")) == .value(.simpleString("12345"), consumed: 8))
        #expect(try parser.parse(Self.bytes("+12345")) == .needMoreData(minimumLength: 7))
        #expect(throws: RESPParseError.lineTooLong(limit: 5, offset: 1)) { try parser.parse(Self.bytes("+123456")) }
        #expect(throws: RESPParseError.lineTooLong(limit: 5, offset: 1)) { try parser.parse(Self.bytes("$1234567")) }
    }

    @Test("errors describe themselves in a sentence")
    func errorDescriptions() {
        #expect(RESPParseError.bulkTooLong(length: 11, limit: 10, offset: 0).description
            == "RESP: bulk length 11 at offset 0 is above the limit of 10 bytes")
        #expect(RESPParseError.unknownType(byte: 0x3F, offset: 2).description == "RESP: unknown type byte 0x3f at offset 2")
    }

    @Test("value accessors read strings, integers, elements, error messages and nulls")
    func accessors() {
        #expect(RESPValue.bulkString(Self.bytes("12")).integer == 12)
        #expect(RESPValue.simpleString("OK").string == "OK")
        #expect(RESPValue.set([.integer(1)]).elements == [.integer(1)])
        #expect(RESPValue.bulkError("ERR x").errorMessage == "ERR x")
        #expect(RESPValue.array(nil).isNull && RESPValue.bulkString(nil).isNull && RESPValue.null.isNull)
        #expect(!RESPValue.array([]).isNull)
    }
}

@Suite("RESP command encoder")
struct RESPEncoderTests {
    @Test("a command is an array of bulk strings, binary-safe")
    func encoding() {
        let encoded = RESPEncoder.encode(RedisCommand("SET", [Array("k".utf8), [0x00, 0x0D, 0x0A, 0xFF]]))
        #expect(encoded == Array("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\n".utf8) + [0x00, 0x0D, 0x0A, 0xFF] + Array("\r\n".utf8))
        #expect(RESPEncoder.encode(RedisCommand("PING")) == Array("*1\r\n$4\r\nPING\r\n".utf8))
        #expect(RedisCommand("get", "x").name == "GET")
    }

    @Test("an encoded command parses back to the same arguments")
    func roundTrip() throws {
        let command = RedisCommand("HSET", "h", "", "field with spaces", "é")
        let outcome = try RESPParser().parse(RESPEncoder.encode(command))
        #expect(outcome == .value(.array(command.arguments.map { .bulkString($0) }), consumed: RESPEncoder.encode(command).count))
    }
}
