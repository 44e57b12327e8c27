/// A parsed route path pattern such as `/boards/:id/files/**`.
///
/// Syntax (see ``Router`` for matching rules): segments are separated by `/`; empty segments
/// are ignored, so `/a//b/` is `/a/b`. A segment is
/// - static text, matched byte for byte (case-sensitive, compared with the still
///   percent-encoded request segment);
/// - `:name`, a parameter matching one non-empty segment, read as `req.params["name"]`;
/// - `*`, a wildcard matching one non-empty segment, read as `req.params["*"]`;
/// - `**`, a catch-all matching one or more remaining segments, only as the last segment, read
///   as `req.params.catchAll` (or `req.params["**"]`).
struct PathPattern: Sendable, Hashable, CustomStringConvertible {
    /// One segment of a pattern.
    enum Segment: Sendable, Hashable {
        case literal([UInt8])
        case parameter(String)
        case wildcard
        case catchAll

        /// Whether two segments match the same request segments (parameter names aside).
        func hasSameShape(as other: Segment) -> Bool {
            switch (self, other) {
            case (.literal(let a), .literal(let b)): a == b
            case (.parameter, .parameter), (.wildcard, .wildcard), (.catchAll, .catchAll): true
            default: false
            }
        }
    }

    /// The segments, in order.
    private(set) var segments: [Segment]

    /// The names under which the captured segments are read, in capture order.
    var captureNames: [String] {
        segments.compactMap {
            switch $0 {
            case .literal: nil
            case .parameter(let name): name
            case .wildcard: "*"
            case .catchAll: "**"
            }
        }
    }

    /// The canonical text, e.g. `/boards/:id`.
    var description: String {
        guard !segments.isEmpty else { return "/" }
        return segments.map { segment -> String in
            switch segment {
            case .literal(let bytes): "/" + String(decoding: bytes, as: UTF8.self)
            case .parameter(let name): "/:" + name
            case .wildcard: "/*"
            case .catchAll: "/**"
            }
        }.joined()
    }

    /// Parses `text`, or stops the program with a message naming the mistake: a malformed
    /// pattern is a programming error found at the first registration.
    init(_ text: String) {
        switch PathPattern.parse(text) {
        case .success(let pattern): self = pattern
        case .failure(let problem): preconditionFailure("invalid route pattern \"\(text)\": \(problem)")
        }
    }

    private init(segments: [Segment]) { self.segments = segments }

    /// Parses `text`, describing what is wrong with it on failure.
    static func parse(_ text: String) -> Result<PathPattern, PatternError> {
        var segments: [Segment] = []
        var names: Set<String> = []
        for part in text.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if segments.last == .catchAll {
                return .failure(PatternError("`**` must be the last segment"))
            }
            let bytes = Array(part)
            if bytes == [UInt8(ascii: "*")] {
                segments.append(.wildcard)
            } else if bytes == [UInt8(ascii: "*"), UInt8(ascii: "*")] {
                segments.append(.catchAll)
            } else if bytes.first == UInt8(ascii: ":") {
                let name = String(decoding: bytes.dropFirst(), as: UTF8.self)
                guard !name.isEmpty else { return .failure(PatternError("a parameter needs a name after `:`")) }
                guard names.insert(name).inserted else {
                    return .failure(PatternError("parameter `:\(name)` appears twice"))
                }
                segments.append(.parameter(name))
            } else if bytes.contains(UInt8(ascii: "?")) {
                return .failure(PatternError("a pattern cannot contain `?`"))
            } else {
                segments.append(.literal(bytes))
            }
        }
        return .success(PathPattern(segments: segments))
    }

    /// This pattern followed by `other`.
    func appending(_ other: PathPattern) -> PathPattern {
        PathPattern(segments: segments + other.segments)
    }

    /// This pattern without its first `count` segments.
    func dropping(_ count: Int) -> PathPattern {
        PathPattern(segments: Array(segments.dropFirst(count)))
    }

    /// Whether every request path matched by this pattern starts with a path matched by
    /// `prefix`, judged segment by segment.
    func starts(with prefix: PathPattern) -> Bool {
        guard prefix.segments.count <= segments.count else { return false }
        return zip(prefix.segments, segments).allSatisfy { $0.hasSameShape(as: $1) }
    }
}

/// What is wrong with a route pattern.
struct PatternError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
