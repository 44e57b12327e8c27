/// A parsed route path pattern such as `/boards/:id/files/**`.
///
/// Syntax (see ``Router`` for matching rules): segments are separated by `/`; empty segments
/// are ignored, so `/a//b/` is `/a/b`. A segment is
/// - static text, matched byte for byte (case-sensitive, compared with the still
///   percent-encoded request segment);
/// - `:name`, a parameter matching one non-empty segment, read as `req.params["name"]` (the
///   names `*` and `**` are reserved for the wildcard and the catch-all);
/// - `*`, a wildcard matching one non-empty segment, read as `req.params["*"]`;
/// - `**`, a catch-all matching one or more remaining segments, only as the last segment, read
///   as `req.params.catchAll` (or `req.params["**"]`);
/// - `:name.:ext`, `:from-:to`, `:id.json`: several parameters in one segment, split on the
///   literal text between them, which starts with `.` or `-` (a segment starting with `:` ends
///   its parameter names at `.` and `-`).
///
/// The last segment may be optional: `:name?` (the route also matches without that segment)
/// or `**?` (a catch-all of zero or more segments).
struct PathPattern: Sendable, Hashable, CustomStringConvertible {
    /// One segment of a pattern.
    enum Segment: Sendable, Hashable {
        case literal([UInt8])
        case parameter(String)
        case wildcard
        case catchAll
        /// Parameters and literal text in one segment, e.g. `:name.:ext`.
        case compound([Piece])

        /// Whether two segments match the same request segments (parameter names aside).
        func hasSameShape(as other: Segment) -> Bool {
            switch (self, other) {
            case (.literal(let a), .literal(let b)): a == b
            case (.parameter, .parameter), (.wildcard, .wildcard), (.catchAll, .catchAll): true
            case (.compound(let a), .compound(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.hasSameShape(as: $1) }
            default: false
            }
        }
    }

    /// A part of a compound segment.
    enum Piece: Sendable, Hashable {
        case literal([UInt8])
        case parameter(String)

        func hasSameShape(as other: Piece) -> Bool {
            switch (self, other) {
            case (.literal(let a), .literal(let b)): a == b
            case (.parameter, .parameter): true
            default: false
            }
        }
    }

    /// The segments, in order.
    private(set) var segments: [Segment]
    /// Whether the last segment (a parameter or a catch-all) may be absent: `:name?`, `**?`.
    private(set) var lastIsOptional = false

    /// The names under which the captured segments are read, in capture order.
    var captureNames: [String] {
        segments.flatMap { segment -> [String] in
            switch segment {
            case .literal: []
            case .parameter(let name): [name]
            case .wildcard: ["*"]
            case .catchAll: ["**"]
            case .compound(let pieces): pieces.compactMap { if case .parameter(let name) = $0 { name } else { nil } }
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
            case .compound(let pieces):
                "/" + pieces.map { piece in
                    switch piece {
                    case .literal(let bytes): String(decoding: bytes, as: UTF8.self)
                    case .parameter(let name): ":" + name
                    }
                }.joined()
            }
        }.joined() + (lastIsOptional ? "?" : "")
    }

    /// Parses `text`, or stops the program with a message naming the mistake: a malformed
    /// pattern is a programming error found at the first registration.
    init(_ text: String) {
        switch PathPattern.parse(text) {
        case .success(let pattern): self = pattern
        case .failure(let problem): preconditionFailure("invalid route pattern \"\(text)\": \(problem)")
        }
    }

    private init(segments: [Segment], lastIsOptional: Bool = false) {
        self.segments = segments
        self.lastIsOptional = lastIsOptional
    }

    /// Parses `text`, describing what is wrong with it on failure.
    static func parse(_ text: String) -> Result<PathPattern, PatternError> {
        var segments: [Segment] = []
        var names: Set<String> = []
        var lastIsOptional = false
        func named(_ name: String) -> PatternError? {
            guard !name.isEmpty else { return PatternError("a parameter needs a name after `:`") }
            // `*` and `**` are the names the wildcard and the catch-all are read by.
            guard name != "*" && name != "**" else {
                return PatternError("parameter name `:\(name)` is reserved: `params[\"*\"]` and `params[\"**\"]` read the wildcard and the catch-all")
            }
            guard names.insert(name).inserted else { return PatternError("parameter `:\(name)` appears twice") }
            return nil
        }
        for part in text.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if segments.last == .catchAll {
                return .failure(PatternError("`**` must be the last segment"))
            }
            if lastIsOptional {
                return .failure(PatternError("only the last segment can be optional"))
            }
            var bytes = Array(part)
            if bytes.count > 1, bytes.last == UInt8(ascii: "?"), bytes.first == UInt8(ascii: ":") || bytes == Array("**?".utf8) {
                bytes.removeLast()
                lastIsOptional = true
            }
            if bytes == [UInt8(ascii: "*")] {
                segments.append(.wildcard)
            } else if bytes == [UInt8(ascii: "*"), UInt8(ascii: "*")] {
                segments.append(.catchAll)
            } else if bytes.contains(UInt8(ascii: "?")) {
                return .failure(PatternError("a pattern cannot contain `?` except after a last `:name` or `**`"))
            } else if bytes.first == UInt8(ascii: ":") {
                let pieces = splitPieces(bytes)
                for case .parameter(let name) in pieces {
                    if let problem = named(name) { return .failure(problem) }
                }
                for (a, b) in zip(pieces, pieces.dropFirst()) {
                    if case .parameter = a, case .parameter = b {
                        return .failure(PatternError("parameters in one segment must be separated by text starting with `.` or `-`"))
                    }
                }
                if pieces.count == 1, case .parameter(let name) = pieces[0] {
                    segments.append(.parameter(name))
                } else {
                    guard !lastIsOptional else { return .failure(PatternError("a segment with several parts cannot be optional")) }
                    segments.append(.compound(pieces))
                }
            } else {
                segments.append(.literal(bytes))
            }
        }
        if lastIsOptional && segments.isEmpty {
            return .failure(PatternError("only the last segment can be optional"))
        }
        return .success(PathPattern(segments: segments, lastIsOptional: lastIsOptional))
    }

    /// `:name.:ext` as parameter `name`, literal `.`, parameter `ext`: a parameter name ends at
    /// `.` or `-`, and literal text runs to the next `:`.
    private static func splitPieces(_ bytes: [UInt8]) -> [Piece] {
        var pieces: [Piece] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: ":") {
                var end = index + 1
                while end < bytes.count && bytes[end] != UInt8(ascii: ".") && bytes[end] != UInt8(ascii: "-") && bytes[end] != UInt8(ascii: ":") {
                    end += 1
                }
                pieces.append(.parameter(String(decoding: bytes[(index + 1)..<end], as: UTF8.self)))
                index = end
            } else {
                var end = index + 1
                while end < bytes.count && bytes[end] != UInt8(ascii: ":") { end += 1 }
                pieces.append(.literal(Array(bytes[index..<end])))
                index = end
            }
        }
        return pieces
    }

    /// This pattern followed by `other`.
    func appending(_ other: PathPattern) -> PathPattern {
        PathPattern(segments: segments + other.segments, lastIsOptional: other.lastIsOptional || (other.segments.isEmpty && lastIsOptional))
    }

    /// This pattern without its first `count` segments.
    func dropping(_ count: Int) -> PathPattern {
        PathPattern(segments: Array(segments.dropFirst(count)), lastIsOptional: lastIsOptional && count < segments.count)
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
