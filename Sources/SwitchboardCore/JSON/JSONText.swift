/// Minimal JSON text building for small, fixed-shape bodies (error messages), without
/// going through an encoder.
package enum JSONText {
    /// `value` as a JSON string literal, quotes included.
    package static func string(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A JSON object of string members, keys sorted.
    package static func object(_ members: [String: String]) -> String {
        "{" + members.keys.sorted().map { string($0) + ":" + string(members[$0] ?? "") }.joined(separator: ",") + "}"
    }
}
