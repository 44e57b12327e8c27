/// Minimal JSON text building for small, fixed-shape bodies (error messages), without
/// going through an encoder.
package enum JSONText {
    /// `value` as a JSON string literal, quotes included.
    package static func string(_ value: String) -> String {
        if !value.utf8.contains(where: needsEscape) { return "\"" + value + "\"" }
        var out: [UInt8] = []
        append(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `value` as a JSON string literal, quotes included, to `out`.
    package static func append(_ value: String, to out: inout [UInt8]) {
        out.reserveCapacity(out.count + value.utf8.count + 2)
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            guard needsEscape(byte) else {
                out.append(byte)
                continue
            }
            out.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
            case UInt8(ascii: "\n"): out.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): out.append(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): out.append(UInt8(ascii: "t"))
            default:
                let digits = Array("0123456789abcdef".utf8)
                out += [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), digits[Int(byte >> 4)], digits[Int(byte & 0xF)]]
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Whether a UTF-8 byte must be escaped in a JSON string: a quote, a backslash, a control
    /// character. (The bytes of other characters are written as they are.)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20
    }

    /// A JSON object of string members, keys sorted.
    package static func object(_ members: [String: String]) -> String {
        "{" + members.keys.sorted().map { string($0) + ":" + string(members[$0] ?? "") }.joined(separator: ",") + "}"
    }
}
