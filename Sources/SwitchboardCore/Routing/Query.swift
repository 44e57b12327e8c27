/// The query string of a request url (after `?`), parsed when read.
///
/// `a=1&b=2&a=3`: keys may repeat and keep their order (`all("a") == ["1", "3"]`); `+` is a
/// space; `%XX` escapes are decoded, and a malformed escape leaves that key or value as
/// received. A key without `=` has the empty value.
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

    /// Every item, in order, decoded.
    public var items: [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        forEachItem { name, value in
            result.append((decode(name), decode(value)))
            return true
        }
        return result
    }

    /// The first value for `name`, or `nil`.
    public subscript(name: String) -> String? {
        var found: String?
        forEachItem { key, value in
            guard decode(key) == name else { return true }
            found = decode(value)
            return false
        }
        return found
    }

    /// Every value for `name`, in order.
    public func all(_ name: String) -> [String] {
        var values: [String] = []
        forEachItem { key, value in
            if decode(key) == name { values.append(decode(value)) }
            return true
        }
        return values
    }

    /// Whether `name` appears.
    public func contains(_ name: String) -> Bool { self[name] != nil }

    private func decode(_ part: Substring.UTF8View) -> String {
        PercentEncoding.decode(part, plusAsSpace: true) ?? String(decoding: part, as: UTF8.self)
    }

    /// Calls `body` per `key=value` item until it returns `false`.
    private func forEachItem(_ body: (Substring.UTF8View, Substring.UTF8View) -> Bool) {
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
            if !body(key, value) { return }
        }
    }
}
