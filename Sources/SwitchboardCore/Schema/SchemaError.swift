/// Why a ``Schema`` could not be built, or could not encode or decode a value.
public enum SchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A fixed field's size is not 1, 2, 4 or 8 bytes.
    case invalidSize(field: String, size: Int)
    /// Two fields share a name.
    case duplicateField(String)
    /// The schema has two variable fields (their names).
    case multipleVariableFields(String, String)
    /// The variable field is not the last field.
    case variableFieldNotLast(String)
    /// Encoding: a fixed field has no value.
    case missingField(String)
    /// Encoding: a value was given for a field the schema does not have.
    case unknownField(String)
    /// Encoding: a value does not fit in its field.
    case valueTooLarge(field: String, value: UInt64, size: Int)
    /// Decoding: the input ends inside `field`.
    case inputTooShort(field: String, needed: Int, available: Int)
    /// Decoding: a schema without a variable field got more bytes than it describes.
    case trailingBytes(Int)

    public var description: String {
        switch self {
        case .invalidSize(let field, let size): "field '\(field)' has size \(size); fixed sizes are 1, 2, 4 or 8 bytes"
        case .duplicateField(let name): "field '\(name)' appears twice"
        case .multipleVariableFields(let a, let b): "fields '\(a)' and '\(b)' are both variable; at most one may be"
        case .variableFieldNotLast(let name): "variable field '\(name)' must be the last field"
        case .missingField(let name): "no value for field '\(name)'"
        case .unknownField(let name): "the schema has no field '\(name)'"
        case .valueTooLarge(let field, let value, let size): "value \(value) does not fit field '\(field)' of \(size) byte(s)"
        case .inputTooShort(let field, let needed, let available): "input too short: field '\(field)' needs \(needed) bytes of header, got \(available)"
        case .trailingBytes(let count): "\(count) byte(s) after the last field"
        }
    }
}
