/// JSON Merge Patch (RFC 7396): the diff of two JSON documents as a document, and applying it.
///
/// A patch object lists the members that changed: a new value replaces, `null` removes,
/// an object merges recursively; anything that is not an object replaces the target whole
/// (arrays included). Limitation of the format: a member whose new value is `null` cannot be
/// expressed (it reads as "remove"); Swift's synthesized `Codable` omits `nil` optionals, so
/// for `Codable` models "set to nil" and "remove" are the same thing.
public enum JSONMergePatch {
    /// The patch that turns `old` into `new`; `{}` when they are equal objects.
    public static func diff(from old: JSONValue, to new: JSONValue) -> JSONValue {
        guard case .object(let before) = old, case .object(let after) = new else { return new }
        var patch: [String: JSONValue] = [:]
        for key in before.keys where after[key] == nil {
            patch[key] = .null
        }
        for (key, value) in after {
            guard let previous = before[key] else {
                patch[key] = value
                continue
            }
            if previous == value { continue }
            if case .object = previous, case .object = value {
                patch[key] = diff(from: previous, to: value)
            } else {
                patch[key] = value
            }
        }
        return .object(patch)
    }

    /// The patch that turns `old` into `new`, through their JSON encodings.
    public static func diff<Value: Encodable>(from old: Value, to new: Value) throws -> JSONValue {
        diff(from: try JSONValue(encoding: old), to: try JSONValue(encoding: new))
    }

    /// `target` with `patch` applied (RFC 7396 section 2).
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let changes) = patch else { return patch }
        var result: [String: JSONValue]
        if case .object(let members) = target { result = members } else { result = [:] }
        for (key, value) in changes {
            if value == .null {
                result[key] = nil
            } else {
                result[key] = apply(value, to: result[key] ?? .null)
            }
        }
        return .object(result)
    }

    /// `value` with `patch` applied, through its JSON encoding.
    public static func apply<Value: Codable>(_ patch: JSONValue, to value: Value) throws -> Value {
        try apply(patch, to: try JSONValue(encoding: value)).decode(as: Value.self)
    }
}
