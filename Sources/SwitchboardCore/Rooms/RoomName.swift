/// The name of a room (group of connections), e.g. `board-7`; also the `room` of the pushes
/// published to it.
///
/// The helpers build the names seed 002 uses. A name goes on the wire, so it must be 1…255
/// bytes in `!`…`~` without `|` (see ``isValid``); ids containing `-` make the `chat-a-b`
/// form ambiguous to read back, which nothing here needs to do.
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
    public static func user(_ userId: String) -> RoomName { RoomName("user-" + userId) }
    /// A client's room, `client-<clientId>`: the connection of one app instance.
    public static func client(_ clientId: String) -> RoomName { RoomName("client-" + clientId) }
    /// An organization's room, `org-<organizationId>`.
    public static func organization(_ organizationId: String) -> RoomName { RoomName("org-" + organizationId) }
    /// A board's room, `board-<boardId>`.
    public static func board(_ boardId: String) -> RoomName { RoomName("board-" + boardId) }
    /// The room of a board's tasks, `board-<boardId>-tasks`.
    public static func boardTasks(_ boardId: String) -> RoomName { RoomName("board-" + boardId + "-tasks") }
    /// The room of a board's sprints, `board-<boardId>-sprints`.
    public static func boardSprints(_ boardId: String) -> RoomName { RoomName("board-" + boardId + "-sprints") }
    /// The chat between two users, `chat-<a>-<b>` with the smaller id first, so both users
    /// name the same room.
    public static func chat(_ first: String, _ second: String) -> RoomName {
        first <= second ? RoomName("chat-" + first + "-" + second) : RoomName("chat-" + second + "-" + first)
    }
}
