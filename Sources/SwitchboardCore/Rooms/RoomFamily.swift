/// A family of rooms named `<prefix>-<id>`, such as `board-7`, `board-8`: one place that
/// names them and recognises them.
///
/// ```swift
/// extension RoomName { static let board = RoomName.family("board") }
/// try req.connection.join(.board("7"))                       // board-7
/// RoomAccessPolicy.allowing { _, room in RoomName.board.contains(room) ? .allowed : .denied("boards only") }
/// ```
public struct RoomFamily: Sendable, Hashable, CustomStringConvertible {
    /// The family's prefix, e.g. `board`.
    public let prefix: String

    /// The family of rooms `<prefix>-<id>`.
    public init(_ prefix: String) { self.prefix = prefix }

    /// Users' rooms, `user-<userId>`.
    public static let user = RoomFamily("user")
    /// Clients' rooms, `client-<clientId>`.
    public static let client = RoomFamily("client")

    /// The family's room for `id`, e.g. `board-7`.
    public func callAsFunction(_ id: String) -> RoomName { RoomName(prefix + "-" + id) }

    /// The room shared by two ids in either order, `<prefix>-<a>-<b>` with the smaller id
    /// first, e.g. a direct chat both users name alike. Ids containing `-` make the name
    /// ambiguous to read back with ``id(of:)``.
    public func pair(_ first: String, _ second: String) -> RoomName {
        callAsFunction(first <= second ? first + "-" + second : second + "-" + first)
    }

    /// Whether `room` belongs to the family (its name starts with `<prefix>-` and has an id).
    public func contains(_ room: RoomName) -> Bool { id(of: room) != nil }

    /// The id of a room of the family (`7` for `board-7`), or `nil` for another room.
    public func id(of room: RoomName) -> String? {
        let name = room.rawValue.utf8
        let head = (prefix + "-").utf8
        guard name.count > head.count, name.starts(with: head) else { return nil }
        return String(decoding: name.dropFirst(head.count), as: UTF8.self)
    }

    /// `<prefix>-…`.
    public var description: String { prefix + "-…" }
}
