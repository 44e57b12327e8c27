/// The name of a room (group of connections), e.g. `board-7`; also the `room` of the pushes
/// published to it.
///
/// Every connection is in its user's room (``user(_:)``) and its client's room
/// (``client(_:)``); an application names its own rooms directly (`RoomName("lobby")`) or by
/// family (``family(_:)``, `board-7`). A name goes on the wire, so it must be 1…255 bytes in
/// `!`…`~` without `|` (see ``isValid``).
public struct RoomName: RawRepresentable, Sendable, Hashable, Comparable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The name's text.
    public let rawValue: String

    /// A room with the given name.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A room with the given name.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// A room with the given name.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// A single-value string, like the raw name.
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    /// Encodes the raw name as a single string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    public static func < (lhs: RoomName, rhs: RoomName) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Whether the name can go on the wire as a push's room: 1…255 bytes, each in `!`…`~`, no `|`.
    public var isValid: Bool {
        let utf8 = rawValue.utf8
        guard !utf8.isEmpty, utf8.count <= 255 else { return false }
        return utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "|") }
    }

    /// A user's room, `user-<userId>`: every connection of the user is in it.
    public static func user(_ userId: String) -> RoomName { RoomFamily.user(userId) }
    /// A client's room, `client-<clientId>`: the connection of one app instance.
    public static func client(_ clientId: String) -> RoomName { RoomFamily.client(clientId) }
    /// The client room of a connection: `client-<clientId>`, or `client-<connection id>` for a
    /// connection without a client id (in memory only: the server always decides one).
    public static func client(of connection: ConnectionID, clientId: String?) -> RoomName {
        client(clientId ?? connection.rawValue)
    }
    /// Whether this is the client room of a random client id (`client-~…`,
    /// `client-<userId>.~…`; a `~` appears in no id the server derives from a request): new on
    /// every connection, so it is never resumed and a node never has to look for its history.
    public var isRandomClientRoom: Bool {
        rawValue.hasPrefix("client-") && rawValue.utf8.contains(UInt8(ascii: "~"))
    }
    /// A family of rooms named `<prefix>-<id>`, e.g. `RoomName.family("board")("7")` is
    /// `board-7`. Declare an application's families once:
    /// `extension RoomName { static let board = RoomName.family("board") }`, then `.board("7")`.
    public static func family(_ prefix: String) -> RoomFamily { RoomFamily(prefix) }
}
