import Testing
@testable import SwitchboardCore

@Suite("Schema")
struct SchemaTests {
    let frameSchema = try! Schema([.fixed("status", size: 1), .fixed("method", size: 1), .variable("body")])

    @Test("the status/method/body schema round-trips")
    func roundTrip() throws {
        let bytes = try frameSchema.encode(["status": 0x40, "method": 1], variable: Array("hello".utf8))
        #expect(bytes == [0x40, 0x01] + Array("hello".utf8))
        let record = try frameSchema.decode(bytes)
        #expect(record["status"] == 0x40)
        #expect(record["method"] == 1)
        #expect(record["body"] == nil)
        #expect(Array(record.variable) == Array("hello".utf8))
    }

    @Test("multi-byte fields are big-endian")
    func bigEndian() throws {
        let schema = try Schema([.fixed("a", size: 2), .fixed("b", size: 4), .fixed("c", size: 8)])
        let bytes = try schema.encode(["a": 0x0102, "b": 0x0304_0506, "c": 0x0708_090A_0B0C_0D0E])
        #expect(bytes == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14])
        let record = try schema.decode(bytes)
        #expect(record.values == [0x0102, 0x0304_0506, 0x0708_090A_0B0C_0D0E])
        #expect(schema.fixedSize == 14)
        #expect(!schema.hasVariableField)
    }

    @Test("decoding does not copy the variable field")
    func variableIsSlice() throws {
        let input: [UInt8] = [9, 9, 1, 2, 3]
        let record = try frameSchema.decode(input[...])
        #expect(record.variable.startIndex == 2)
        input.withUnsafeBufferPointer { original in
            record.variable.withUnsafeBufferPointer { slice in
                #expect(slice.baseAddress == original.baseAddress.map { $0 + 2 })
            }
        }
    }

    @Test("invalid schemas are rejected when built, naming the field")
    func invalidSchemas() {
        #expect(throws: SchemaError.invalidSize(field: "x", size: 3)) { try Schema([.fixed("x", size: 3)]) }
        #expect(throws: SchemaError.variableFieldNotLast("body")) { try Schema([.variable("body"), .fixed("x", size: 1)]) }
        #expect(throws: SchemaError.multipleVariableFields("a", "b")) { try Schema([.variable("a"), .variable("b")]) }
        #expect(throws: SchemaError.duplicateField("x")) { try Schema([.fixed("x", size: 1), .fixed("x", size: 2)]) }
    }

    @Test("encoding errors name the field")
    func encodingErrors() {
        #expect(throws: SchemaError.valueTooLarge(field: "status", value: 256, size: 1)) {
            try frameSchema.encode(["status": 256, "method": 1])
        }
        #expect(throws: SchemaError.missingField("method")) { try frameSchema.encode(["status": 1]) }
        #expect(throws: SchemaError.unknownField("colour")) { try frameSchema.encode(["status": 1, "method": 1, "colour": 2]) }
        let fits = try? Schema([.fixed("big", size: 8)]).encode(["big": .max])
        #expect(fits == Array(repeating: 0xFF, count: 8))
    }

    @Test("short input names the first field that does not fit")
    func shortInput() {
        let schema = try! Schema([.fixed("a", size: 1), .fixed("b", size: 4), .variable("rest")])
        #expect(throws: SchemaError.inputTooShort(field: "b", needed: 5, available: 3)) { try schema.decode([1, 2, 3]) }
        #expect(throws: SchemaError.inputTooShort(field: "a", needed: 5, available: 0)) { try schema.decode([]) }
        #expect(throws: SchemaError.trailingBytes(1)) { try Schema([.fixed("a", size: 1)]).decode([1, 2]) }
    }

    @Test("errors read as sentences")
    func descriptions() {
        #expect(SchemaError.valueTooLarge(field: "status", value: 300, size: 1).description == "value 300 does not fit field 'status' of 1 byte(s)")
        #expect(SchemaError.variableFieldNotLast("body").description == "variable field 'body' must be the last field")
    }
}
