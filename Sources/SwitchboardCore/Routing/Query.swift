/// The query string of a request url (after `?`), parsed when read.
///
/// `a=1&b=2&a=3`: keys may repeat and keep their order (`all("a") == ["1", "3"]`). Keys and
/// values are percent-decoded, and `+` is a space (`q=red+shoes%21` is `red shoes!`; a literal
/// plus is `%2B`). A key without `=` has the empty value.
///
/// A malformed escape (`%G1`, `%4`, a lone `%`) is an error where the app meets it: reading a
/// value that has one, or passing a key that has one while looking a name up, throws a 400
/// ``HTTPError`` naming the parameter as received:
/// `malformed percent-encoding in query parameter "page"`. Items the app never reaches are not
/// checked, so a request whose unused parameters are malformed still runs.
public struct Query: Sendable {
    private let text: Substring

    /// The query in `url`, empty when it has no `?`.
    public init(url: String) {
        if let mark = url.utf8.firstIndex(of: UInt8(ascii: "?")) {
            text = url[url.utf8.index(after: mark)...]
        } else {
            text = ""
        }
    }

    /// The raw (still encoded) query string, without the `?`.
    public var rawValue: Substring { text }

    /// Whether there are no items.
    public var isEmpty: Bool { text.isEmpty }

    /// Every item, in order, decoded; throws 400 when any key or value has a malformed escape.
    public var items: [(name: String, value: String)] {
        get throws(HTTPError) {
            var result: [(name: String, value: String)] = []
            try forEachItem { (key, value) throws(HTTPError) in
                let name = try Query.decode(key, in: key)
                result.append((name, try Query.decode(value, in: key)))
                return true
            }
            return result
        }
    }

    /// The first value for `name`, or `nil`; throws 400 when that value, or a key before it,
    /// has a malformed escape.
    public subscript(name: String) -> String? {
        get throws(HTTPError) {
            var found: String?
            try forEachItem { (key, value) throws(HTTPError) in
                guard try Query.decode(key, in: key) == name else { return true }
                found = try Query.decode(value, in: key)
                return false
            }
            return found
        }
    }

    /// Every value for `name`, in order; throws 400 when one of them, or any key, has a
    /// malformed escape.
    public func all(_ name: String) throws(HTTPError) -> [String] {
        var values: [String] = []
        try forEachItem { (key, value) throws(HTTPError) in
            if try Query.decode(key, in: key) == name { values.append(try Query.decode(value, in: key)) }
            return true
        }
        return values
    }

    /// Whether `name` appears; throws 400 when a key before it has a malformed escape.
    public func contains(_ name: String) throws(HTTPError) -> Bool {
        var found = false
        try forEachItem { (key, _) throws(HTTPError) in
            found = try Query.decode(key, in: key) == name
            return !found
        }
        return found
    }

    /// `part` decoded, or the 400 for the parameter whose key is `key`.
    private static func decode(_ part: Substring.UTF8View, in key: Substring.UTF8View) throws(HTTPError) -> String {
        guard let decoded = PercentEncoding.decode(part, plusAsSpace: true) else {
            throw HTTPError(.badRequest, "malformed percent-encoding in query parameter \"\(String(decoding: key, as: UTF8.self))\"")
        }
        return decoded
    }

    /// Calls `body` per `key=value` item until it returns `false`.
    private func forEachItem(
        _ body: (Substring.UTF8View, Substring.UTF8View) throws(HTTPError) -> Bool
    ) throws(HTTPError) {
        for item in text.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let key: Substring.UTF8View
            let value: Substring.UTF8View
            if let equals = item.firstIndex(of: UInt8(ascii: "=")) {
                key = item[..<equals]
                value = item[item.index(after: equals)...]
            } else {
                key = item
                value = item[item.endIndex...]
            }
            if try !body(key, value) { return }
        }
    }
}
