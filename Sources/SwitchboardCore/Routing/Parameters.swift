/// The values a request's path gave to its route's `:name`, `*` and `**` segments (and the
/// parameters of several-part segments such as `:name.:ext`).
///
/// Values are kept as byte ranges into the url and percent-decoded when read, so routing
/// allocates nothing for them until a handler asks. The router has already checked every
/// escape: a malformed one (`%G1`, a lone `%`) was answered 400 before any handler ran.
public struct Parameters: Sendable {
    private let url: String
    /// Capture names in capture order, shared with the route.
    public let names: [String]
    /// `2 * i` and `2 * i + 1` bound capture `i`, as UTF-8 offsets into `url`.
    private let bounds: [Int32]

    /// No parameters.
    public init() {
        self.url = ""
        self.names = []
        self.bounds = []
    }

    init(url: String, names: [String], bounds: [Int32]) {
        self.url = url
        self.names = names
        self.bounds = bounds
    }

    /// How many values there are.
    public var count: Int { names.count }

    /// The decoded value of the parameter `name` (`"id"` for `:id`, `"*"` for the first
    /// wildcard, `"**"` for the catch-all), or `nil` when the route has no such parameter or an
    /// optional `:name?` was absent from the path.
    public subscript(name: String) -> String? {
        guard let index = names.firstIndex(of: name) else { return nil }
        return value(at: index)
    }

    /// The decoded value of capture `index`, in pattern order: `nil` for an optional `:name?`
    /// the path did not give, `""` for a `**?` that matched no segment.
    public func value(at index: Int) -> String? {
        guard names.indices.contains(index) else { return nil }
        guard bounds[2 * index] >= 0 else { return names[index] == "**" ? "" : nil }
        let utf8 = url.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: Int(bounds[2 * index]))
        let end = utf8.index(utf8.startIndex, offsetBy: Int(bounds[2 * index + 1]))
        return PercentEncoding.decode(utf8[start..<end])
    }

    /// What the trailing `**` matched: the rest of the path, decoded, without a trailing slash
    /// (`"a/b.txt"` for `/files/a/b.txt` against `/files/**`; `""` for `/files` against
    /// `/files/**?`).
    public var catchAll: String? { self["**"] }

    /// The value of `name`, or a 400 ``HTTPError`` when it is missing.
    public func require(_ name: String) throws -> String {
        guard let value = self[name] else {
            throw HTTPError(.badRequest, "missing path parameter '\(name)'")
        }
        return value
    }

    /// The value of `name` converted to `type` (e.g. `Int`), or a 400 ``HTTPError`` when it is
    /// missing or does not convert.
    public func require<Value: LosslessStringConvertible>(_ name: String, as type: Value.Type) throws -> Value {
        let text = try require(name)
        guard let value = Value(text) else {
            throw HTTPError(.badRequest, "path parameter '\(name)' is not a valid \(Value.self)")
        }
        return value
    }

    /// All values by name, decoded.
    public var dictionary: [String: String] {
        var result: [String: String] = [:]
        for index in names.indices { result[names[index]] = value(at: index) }
        return result
    }
}
