/// Identifies one WebSocket connection, unique across every node of a cluster.
public struct ConnectionID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The id's text, e.g. `n1a2b-17`.
    public let rawValue: String

    /// An id with the given text.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    public static func < (lhs: ConnectionID, rhs: ConnectionID) -> Bool { lhs.rawValue < rhs.rawValue }
}
