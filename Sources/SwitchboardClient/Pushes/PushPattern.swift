import SwitchboardCore

/// A url pattern for push listeners, with the router's syntax: static segments, `:name`
/// (one segment), `*` (one segment) and a trailing `**` (one or more). Matched against the
/// push url's path (its query ignored); empty segments are ignored, as in routes.
struct PushPattern: Sendable, Hashable {
    private enum Segment: Sendable, Hashable {
        case literal(Substring)
        case parameter(String)
        case wildcard
        case catchAll
    }

    private let segments: [Segment]

    /// Parses `text`; a `**` that is not last matches like `*`.
    init(_ text: String) {
        segments = text.split(separator: "/").map { part in
            switch part {
            case "*": .wildcard
            case "**": .catchAll
            default: part.hasPrefix(":") ? .parameter(String(part.dropFirst())) : .literal(part)
            }
        }
    }

    /// The captured values when `url` matches, else `nil`.
    func match(_ url: String) -> [String: String]? {
        let path = url.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let parts = path.split(separator: "/")
        var params: [String: String] = [:]
        for (index, segment) in segments.enumerated() {
            if case .catchAll = segment, index == segments.count - 1 {
                guard parts.count > index else { return nil }
                params["**"] = parts[index...].map { PercentEncoding.decode($0.utf8) ?? String($0) }.joined(separator: "/")
                return params
            }
            guard index < parts.count else { return nil }
            let part = parts[index]
            switch segment {
            case .literal(let literal):
                guard part == literal else { return nil }
            case .parameter(let name):
                params[name] = PercentEncoding.decode(part.utf8) ?? String(part)
            case .wildcard, .catchAll:
                params["*"] = PercentEncoding.decode(part.utf8) ?? String(part)
            }
        }
        return parts.count == segments.count ? params : nil
    }
}
