/// An ordered list of named binary fields: fixed-size unsigned big-endian integers, optionally
/// followed by one variable-size field that takes the rest of the bytes.
///
/// This is the layout language the wire protocol is written in (see PROTOCOL.md):
/// ```swift
/// let schema = try Schema([.fixed("status", size: 1), .fixed("method", size: 1), .variable("body")])
/// let bytes = try schema.encode(["status": 0x40, "method": 1], variable: Array("hi".utf8))
/// let record = try schema.decode(bytes)   // record["status"] == 0x40, record.variable == "hi"
/// ```
/// Schemas are checked when built: sizes must be 1, 2, 4 or 8, names unique, and at most one
/// variable field, which must be last.
public struct Schema: Sendable, Hashable {
    /// One field of a schema.
    public struct Field: Sendable, Hashable {
        /// The field's name, used by ``Schema/encode(_:variable:)`` and ``Schema/Record``.
        public let name: String
        /// Size in bytes for a fixed field; `nil` for the variable field.
        public let size: Int?

        /// A fixed-size unsigned big-endian integer field of `size` bytes (1, 2, 4 or 8).
        public static func fixed(_ name: String, size: Int) -> Field { Field(name: name, size: size) }
        /// The variable-size trailing field, holding all bytes after the fixed fields.
        public static func variable(_ name: String) -> Field { Field(name: name, size: nil) }
    }

    /// The fields in wire order.
    public let fields: [Field]
    /// The fixed fields' byte offsets, in the order of ``fields``.
    @usableFromInline let offsets: [Int]
    /// Total size of the fixed fields: the smallest valid input.
    public let fixedSize: Int
    /// Whether the schema ends with a variable field.
    public var hasVariableField: Bool { fields.last?.size == nil }

    /// Builds a schema, rejecting invalid layouts.
    /// - Throws: ``SchemaError`` naming the offending field.
    public init(_ fields: [Field]) throws(SchemaError) {
        var seen = Set<String>()
        for (index, field) in fields.enumerated() {
            guard seen.insert(field.name).inserted else { throw .duplicateField(field.name) }
            if let size = field.size {
                guard [1, 2, 4, 8].contains(size) else { throw .invalidSize(field: field.name, size: size) }
            } else if index != fields.count - 1 {
                if let second = fields[(index + 1)...].first(where: { $0.size == nil }) {
                    throw .multipleVariableFields(field.name, second.name)
                }
                throw .variableFieldNotLast(field.name)
            }
        }
        var offsets: [Int] = []
        var offset = 0
        for field in fields {
            offsets.append(offset)
            offset += field.size ?? 0
        }
        self.fields = fields
        self.offsets = offsets
        self.fixedSize = offset
    }

    /// Encodes `values` (by field name) and the variable field's bytes.
    /// - Throws: ``SchemaError/missingField(_:)`` when a fixed field has no value,
    ///   ``SchemaError/valueTooLarge(field:value:size:)`` when a value does not fit its size,
    ///   ``SchemaError/unknownField(_:)`` for a value the schema does not name.
    public func encode(_ values: [String: UInt64], variable: some Collection<UInt8> = [UInt8]()) throws(SchemaError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(fixedSize + variable.count)
        try encode(values, variable: variable, into: &out)
        return out
    }

    /// Appends the encoding of `values` and `variable` to `buffer`.
    public func encode(_ values: [String: UInt64], variable: some Collection<UInt8>, into buffer: inout [UInt8]) throws(SchemaError) {
        for name in values.keys where !fields.contains(where: { $0.name == name }) {
            throw .unknownField(name)
        }
        for field in fields {
            guard let size = field.size else { break }
            guard let value = values[field.name] else { throw .missingField(field.name) }
            guard Schema.fits(value, size: size) else { throw .valueTooLarge(field: field.name, value: value, size: size) }
            Schema.appendBigEndian(value, size: size, to: &buffer)
        }
        if hasVariableField {
            buffer.append(contentsOf: variable)
        } else if !variable.isEmpty {
            throw .unknownField("(variable)")
        }
    }

    /// Decodes `bytes` into a ``Record``. The variable field is a slice of `bytes`, not a copy.
    /// - Throws: ``SchemaError/inputTooShort(field:needed:available:)`` naming the first field
    ///   that does not fit, or ``SchemaError/trailingBytes(_:)`` when a schema without a variable
    ///   field is given more bytes than it describes.
    public func decode(_ bytes: ArraySlice<UInt8>) throws(SchemaError) -> Record {
        try checkLength(bytes)
        var values: [UInt64] = []
        values.reserveCapacity(fields.count)
        for index in fields.indices where fields[index].size != nil {
            values.append(read(index, in: bytes))
        }
        let tail = bytes[(bytes.startIndex + fixedSize)...]
        return Record(schema: self, values: values, variable: tail)
    }

    /// Decodes `bytes` into a ``Record``; see ``decode(_:)-(ArraySlice<UInt8>)``.
    public func decode(_ bytes: [UInt8]) throws(SchemaError) -> Record { try decode(bytes[...]) }

    /// Throws unless `bytes` is long enough for every fixed field (and, without a variable
    /// field, no longer than that).
    @inlinable
    public func checkLength(_ bytes: ArraySlice<UInt8>) throws(SchemaError) {
        if bytes.count < fixedSize {
            let index = offsets.indices.first { offsets[$0] + (fields[$0].size ?? 0) > bytes.count } ?? 0
            throw .inputTooShort(field: fields[index].name, needed: fixedSize, available: bytes.count)
        }
        if !hasVariableField && bytes.count > fixedSize { throw .trailingBytes(bytes.count - fixedSize) }
    }

    /// Reads fixed field number `index` from `bytes`, which ``checkLength(_:)`` has accepted.
    @inlinable
    public func read(_ index: Int, in bytes: ArraySlice<UInt8>) -> UInt64 {
        let start = bytes.startIndex + offsets[index]
        var value: UInt64 = 0
        for position in start..<(start + (fields[index].size ?? 0)) {
            value = value << 8 | UInt64(bytes[position])
        }
        return value
    }

    /// Whether `value` fits in `size` bytes.
    @inlinable
    public static func fits(_ value: UInt64, size: Int) -> Bool {
        size >= 8 || value < (UInt64(1) << (UInt64(size) * 8))
    }

    /// Appends the low `size` bytes of `value`, most significant first.
    @inlinable
    public static func appendBigEndian<Buffer: RangeReplaceableCollection<UInt8>>(_ value: UInt64, size: Int, to buffer: inout Buffer) {
        var shift = (size - 1) * 8
        while shift >= 0 {
            buffer.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
            shift -= 8
        }
    }

    /// Decoded values of one input, readable by field name.
    public struct Record: Sendable {
        /// The schema the record was decoded with.
        public let schema: Schema
        /// The fixed fields' values, in schema order.
        public let values: [UInt64]
        /// The variable field's bytes (a slice of the input; empty when the schema has none).
        public let variable: ArraySlice<UInt8>

        /// The value of the fixed field called `name`, or `nil` when there is none.
        public subscript(name: String) -> UInt64? {
            guard let index = schema.fields.firstIndex(where: { $0.name == name && $0.size != nil }) else { return nil }
            return values[index]
        }
    }
}
