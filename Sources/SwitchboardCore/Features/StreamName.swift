/// The name of the stream a feature serves, `type:id:field`, e.g.
/// `board:7:presence`; nested resources repeat `type:id`, e.g. `stream:123:thread:345:chat`.
///
/// Segments are non-empty and made of `A`–`Z`, `a`–`z`, `0`–`9`, `-`, `_` and `.`; the whole
/// name is at most 255 bytes, so it can be a room name as is (``room``).
public struct StreamName: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The name's text.
    public let rawValue: String
    /// The `(type, id)` pairs, outermost first, e.g. `[("board", "7")]`.
    public let path: [(type: String, id: String)]
    /// The last segment, what about the resource is streamed, e.g. `presence`.
    public let field: String

    /// Parses and validates a stream name.
    /// - Throws: ``StreamNameError`` saying what is wrong.
    public init(_ text: String) throws(StreamNameError) {
        guard !text.isEmpty else { throw .empty }
        guard text.utf8.count <= 255 else { throw .tooLong(text.utf8.count) }
        let segments = text.split(separator: ":", omittingEmptySubsequences: false)
        for (index, segment) in segments.enumerated() {
            guard !segment.isEmpty else { throw .emptySegment(index: index) }
            if let bad = segment.unicodeScalars.first(where: { !Self.isAllowed($0) }) {
                throw .invalidCharacter(Character(bad), segment: index)
            }
        }
        guard segments.count >= 3, segments.count % 2 == 1 else { throw .wrongSegmentCount(segments.count) }
        rawValue = text
        path = stride(from: 0, to: segments.count - 1, by: 2).map { (String(segments[$0]), String(segments[$0 + 1])) }
        field = String(segments[segments.count - 1])
    }

    /// The room whose members are the connections on this stream (same text).
    public var room: RoomName { RoomName(rawValue) }

    public var description: String { rawValue }

    public static func == (lhs: StreamName, rhs: StreamName) -> Bool { lhs.rawValue == rhs.rawValue }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    public static func < (lhs: StreamName, rhs: StreamName) -> Bool { lhs.rawValue < rhs.rawValue }

    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "-", "_", ".": true
        default: false
        }
    }
}

/// Why a text is not a ``StreamName``.
public enum StreamNameError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text is empty.
    case empty
    /// The text is longer than 255 bytes.
    case tooLong(Int)
    /// Segment `index` (from 0) is empty, e.g. `board::presence`.
    case emptySegment(index: Int)
    /// Segment `segment` holds a character outside `A-Z a-z 0-9 - _ .`.
    case invalidCharacter(Character, segment: Int)
    /// The name has the wrong number of `:`-separated segments.
    case wrongSegmentCount(Int)

    public var description: String {
        switch self {
        case .empty: "the stream name is empty"
        case .tooLong(let count): "the stream name is \(count) bytes, maximum 255"
        case .emptySegment(let index): "segment \(index + 1) is empty"
        case .invalidCharacter(let character, let segment): "segment \(segment + 1) has '\(character)' (allowed: A-Z a-z 0-9 - _ .)"
        case .wrongSegmentCount(let count): "\(count) segment(s); expected type:id:field (or type:id:type:id:field)"
        }
    }
}
