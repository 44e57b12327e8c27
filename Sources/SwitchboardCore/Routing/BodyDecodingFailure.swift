import Foundation

/// The words that say why a JSON request body did not decode, as ``Request/decode(_:)`` puts
/// them after `the request body is not a valid <Type>: `.
///
/// Field paths join keys with `.` and show array positions as `[i]` (`items[2].title`):
/// - a missing key: `missing field "title"`;
/// - a value of the wrong type: `field "a.b": expected Int` (`the body: expected an object`
///   when the whole body has the wrong shape);
/// - `null` where a value is required: `field "a.b": expected String, found null`;
/// - a value the type refuses (e.g. an unknown enum case): `field "state": ` and the decoder's
///   description;
/// - text that is not JSON: `invalid JSON: ` and the parser's description with its position
///   (`invalid JSON: Invalid value around character 10`).
enum BodyDecodingFailure {
    /// The reason `error`, thrown by `JSONDecoder` for `body`, gives in words.
    static func reason(for error: any Error, body: Data) -> String {
        guard let error = error as? DecodingError else { return String(describing: error) }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field \"\(path(context.codingPath + [key]))\""
        case .typeMismatch(let type, let context):
            return "\(place(context.codingPath)): expected \(name(of: type))"
        case .valueNotFound(let type, let context):
            return "\(place(context.codingPath)): expected \(name(of: type)), found null"
        case .dataCorrupted(let context):
            guard context.codingPath.isEmpty else {
                return "\(place(context.codingPath)): \(context.debugDescription)"
            }
            return "invalid JSON: \(syntaxProblem(in: body) ?? context.debugDescription)"
        @unknown default:
            return String(describing: error)
        }
    }

    private static func place(_ codingPath: [any CodingKey]) -> String {
        codingPath.isEmpty ? "the body" : "field \"\(path(codingPath))\""
    }

    /// `a.items[2].title`.
    private static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text
    }

    private static func name(of type: Any.Type) -> String {
        if type is [String: Any].Type { return "an object" }
        if type is [Any].Type { return "an array" }
        return String(describing: type)
    }

    /// What `JSONSerialization` says is wrong with `body`, with the position, or `nil` when it
    /// parses (`JSONDecoder` on Linux does not report where the fault is).
    private static func syntaxProblem(in body: Data) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: body, options: .fragmentsAllowed)
            return nil
        } catch {
            let nsError = error as NSError
            let text = nsError.userInfo[NSDebugDescriptionErrorKey] as? String ?? nsError.localizedDescription
            return text.hasSuffix(".") ? String(text.dropLast()) : text
        }
    }
}
