/// One extension of a `Sec-WebSocket-Extensions` header (RFC 6455 §9.1): its name and its
/// parameters, as written (`permessage-deflate; client_max_window_bits=10`).
package struct ExtensionElement: Sendable, Equatable {
    /// One `key` or `key=value` parameter; the key lowercased, the value without quotes.
    package struct Parameter: Sendable, Equatable {
        /// The parameter's name, lowercased; empty for an empty parameter (`a;;b`).
        package var key: String
        /// The value after `=`, without surrounding quotes; `nil` when there is none.
        package var value: Substring?
    }

    /// The extension's name, lowercased.
    package var name: String
    /// The parameters in the order written.
    package var parameters: [Parameter]

    /// Every element of the header values `headerValues`, in order (one header may list
    /// several, separated by commas).
    package static func parse(_ headerValues: [String]) -> [ExtensionElement] {
        headerValues.flatMap { value in
            value.split(separator: ",").map { element in
                let parts = element.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
                let parameters = parts.dropFirst().map { part in
                    let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingWhitespace() }
                    return Parameter(key: pair.first?.lowercased() ?? "", value: pair.count == 2 ? unquoted(pair[1]) : nil)
                }
                return ExtensionElement(name: parts.first?.lowercased() ?? "", parameters: parameters)
            }
        }
    }

    /// A window size parameter's value: 8 to 15, digits only, no leading zero.
    package static func windowBits(_ text: Substring) -> Int? {
        guard let first = text.first, first != "0", text.allSatisfy({ $0.isASCII && $0.isNumber }), let bits = Int(text), (8...15).contains(bits) else {
            return nil
        }
        return bits
    }

    private static func unquoted(_ text: Substring) -> Substring {
        guard text.count >= 2, text.first == "\"", text.last == "\"" else { return text }
        return text.dropFirst().dropLast()
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
