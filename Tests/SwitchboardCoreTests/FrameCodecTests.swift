import Testing
@testable import SwitchboardCore

@Suite("Frame codec")
struct FrameCodecTests {
    static let samples: [Frame] = [
        .request(RequestFrame(method: .get, id: 1, url: "/boards/7?fields=name&fields=id")),
        .request(RequestFrame(method: .options, id: .max, url: "/", data: [1, 2, 3])),
        .response(ResponseFrame(id: 9, status: .notFound, data: ArraySlice("{}".utf8))),
        .response(ResponseFrame(id: 9, status: Status(code: 531)!, url: "/moved")),
        .error(ErrorFrame(id: 0, status: .badRequest, message: "bad \"thing\"")),
        .push(PushFrame(url: "/boards/7", room: "board-7", epoch: 77, offset: .max, data: [0, 0x7C, 0xFF])),
        .push(PushFrame(url: "/x", data: [])),
        .message(MessageFrame(id: 3, url: "/typing", data: [1])),
        .ack(AckFrame(room: "board:7:presence", epoch: 1, offset: 2)),
        .control(ControlFrame(kind: .resume, id: 5, data: ArraySlice("{\"board-7\":{\"epoch\":3,\"offset\":12}}".utf8))),
        .batch([]),
        .batch([.push(PushFrame(url: "/a", room: "r", epoch: 1, offset: 1)), .response(ResponseFrame(id: 2, status: .ok))]),
    ]

    @Test("every kind round-trips and encodedSize is exact", arguments: samples)
    func roundTrip(frame: Frame) throws {
        let bytes = try FrameCodec.encode(frame)
        #expect(bytes.count == FrameCodec.encodedSize(of: frame))
        #expect(try FrameCodec.decode(bytes) == frame)
        var reused: [UInt8] = [0xAA]
        try FrameCodec.encode(frame, into: &reused)
        #expect(Array(reused.dropFirst()) == bytes)
    }

    @Test("status bytes map to HTTP codes by class and detail")
    func statusBytes() {
        let table: [(Int, UInt8)] = [(200, 0x40), (201, 0x41), (202, 0x42), (204, 0x44), (400, 0x80), (401, 0x81), (403, 0x83),
                                     (404, 0x84), (405, 0x85), (408, 0x88), (409, 0x89), (413, 0x8D), (422, 0x96), (429, 0x9D),
                                     (500, 0xA0), (501, 0xA1), (503, 0xA3), (504, 0xA4)]
        for (code, byte) in table {
            #expect(Status(code: code)?.wireByte == byte)
            #expect(Status(wireByte: byte)?.code == code)
        }
        #expect(Status(code: 451) == nil)
        #expect(Status(code: 99) == nil)
        #expect(Status(wireByte: 0x00) == nil)
        #expect(Status(wireByte: 0x1F) == nil)
        #expect(Status(wireByte: 0xC0) == nil)
        for byte in UInt8.min...UInt8.max {
            if let status = Status(wireByte: byte) { #expect(status.wireByte == byte) }
        }
    }

    @Test("malformed input gives the documented typed errors")
    func decodeErrors() {
        func error(_ bytes: [UInt8]) -> FrameError? {
            do { _ = try FrameCodec.decode(bytes); return nil } catch { return error }
        }
        let get: [UInt8] = [0x01, 0, 0, 0, 0, 1]
        #expect(error([]) == .empty)
        #expect(error([0x7F]) == .unknownKind(0x7F))
        #expect(error([0x01, 0, 0]) == .truncatedHeader(kind: "GET", needed: 6, available: 3))
        #expect(error([0x01, 0x40, 0, 0, 0, 1, 0x7C, 0x7C]) == .unexpectedStatus(kind: "GET", byte: 0x40))
        #expect(error([0x10, 0xE0, 0, 0, 0, 1, 0x7C, 0x7C]) == .unknownStatus(0xE0))
        #expect(error([0x10, 0x00, 0, 0, 0, 1, 0x7C, 0x7C]) == .unknownStatus(0x00))
        #expect(error(get + Array("/x|".utf8)) == .missingSeparator(field: "url"))
        #expect(error(get + Array("|/x".utf8)) == .missingSeparator(field: "data"))
        #expect(error(get + Array("|/a b|".utf8)) == .invalidByte(field: "url", byte: 0x20, offset: 2))
        #expect(error(get + [0x7C, 0x2F, 0xC3, 0xA9, 0x7C]) == .invalidByte(field: "url", byte: 0xC3, offset: 1))
        let long = get + [0x7C] + Array(repeating: UInt8(ascii: "a"), count: 2049) + [0x7C]
        #expect(error(long) == .fieldTooLong(field: "url", length: 2049, max: 2048))
        let ack: [UInt8] = [0x22, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]
        #expect(error(ack + Array("|r|xy".utf8)) == .unexpectedData(kind: "ACK", count: 2))
        #expect(error(ack + Array("|r".utf8)) == .missingSeparator(field: "end of ACK"))
        let push: [UInt8] = [0x20, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]
        #expect(error(push + Array("|/u|".utf8)) == .missingSeparator(field: "data"))
        #expect(error(push + Array("|/u".utf8)) == .missingSeparator(field: "room"))
    }

    @Test("batches reject nesting, truncation and wrong counts")
    func batchErrors() throws {
        func error(_ bytes: [UInt8]) -> FrameError? {
            do { _ = try FrameCodec.decode(bytes); return nil } catch { return error }
        }
        let inner = try FrameCodec.encode(.message(MessageFrame(url: "/m")))
        let one: [UInt8] = [0x30, 0, 0, 0, 0, 1, 0, 0, 0, UInt8(inner.count)] + inner
        #expect(try FrameCodec.decode(one) == .batch([.message(MessageFrame(url: "/m"))]))
        var wrongCount = one
        wrongCount[5] = 2
        #expect(error(wrongCount) == .batchCountMismatch(declared: 2, found: 1))
        #expect(error(Array(one.dropLast())) == .batchTruncated(index: 0))
        let nested: [UInt8] = [0x30, 0, 0, 0, 0, 1, 0, 0, 0, UInt8(one.count)] + one
        #expect(error(nested) == .nestedBatch)
        let bad: [UInt8] = [0x30, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0x7F]
        #expect(error(bad) == .invalidFrameInBatch(index: 0, .unknownKind(0x7F)))
        #expect(throws: FrameError.nestedBatch) { try FrameCodec.encode(.batch([.batch([])])) }
        // A huge declared count with no frames is rejected without reserving memory for it.
        #expect(error([0x30, 0, 0xFF, 0xFF, 0xFF, 0xFF]) == .batchCountMismatch(declared: 0xFFFF_FFFF, found: 0))
    }

    @Test("encoding refuses urls and rooms the wire cannot carry")
    func encodeErrors() {
        #expect(throws: FrameError.invalidByte(field: "url", byte: 0x7C, offset: 2)) {
            try FrameCodec.encode(.request(RequestFrame(method: .get, id: 1, url: "/a|b")))
        }
        #expect(throws: FrameError.invalidByte(field: "room", byte: 0x20, offset: 1)) {
            try FrameCodec.encode(.push(PushFrame(url: "/a", room: "a b")))
        }
        #expect(throws: FrameError.fieldTooLong(field: "room", length: 256, max: 255)) {
            try FrameCodec.encode(.ack(AckFrame(room: String(repeating: "r", count: 256), epoch: 0, offset: 0)))
        }
    }

    @Test("decoded data is a slice of the input, not a copy")
    func dataIsSlice() throws {
        let bytes = try FrameCodec.encode(.request(RequestFrame(method: .post, id: 1, url: "/u", data: [1, 2, 3, 4])))
        guard case .request(let frame) = try FrameCodec.decode(bytes) else { Issue.record("not a request"); return }
        bytes.withUnsafeBufferPointer { original in
            frame.data.withUnsafeBufferPointer { data in
                #expect(data.baseAddress == original.baseAddress.map { $0 + frame.data.startIndex })
            }
        }
    }

    @Test("text rendering for logs")
    func rendering() {
        #expect(Frame.request(RequestFrame(method: .get, id: 17, url: "/boards/7", data: ArraySlice(repeating: 0, count: 42))).description
            == "GET #17 /boards/7 (42 bytes)")
        #expect(Frame.push(PushFrame(url: "/n", data: [1])).description == "PUSH /n -@0:0 (1 bytes)")
        #expect(Frame.batch([.ack(AckFrame(room: "r", epoch: 1, offset: 2))]).description == "BATCH 1 frame")
        #expect(FrameError.fieldTooLong(field: "url", length: 3000, max: 2048).description == "url too long: 3000 bytes, maximum 2048")
    }
}

@Suite("Close frame rule")
struct CloseFrameRuleTests {
    @Test("a close body gives the peer's valid code, 1000 when empty, 1002 when malformed")
    func replyCodes() {
        #expect(CloseFrameRule.replyCode(forBody: [UInt8]()) == 1000)
        #expect(CloseFrameRule.replyCode(forBody: [0x03, 0xE9]) == 1001)
        #expect(CloseFrameRule.replyCode(forBody: [0x0F, 0xA0] + Array("bye".utf8)) == 4000)
        #expect(CloseFrameRule.replyCode(forBody: [0x03]) == 1002)
        #expect(CloseFrameRule.replyCode(forBody: [0x03, 0xED]) == 1002)   // 1005 may not be sent
        #expect(CloseFrameRule.replyCode(forBody: [0x03, 0xE8, 0xC3]) == 1002)  // reason not UTF-8
    }
}
