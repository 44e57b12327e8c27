import Switchboard

/// The demo's push events, declared in one place; clients listen on their url patterns.
///
/// Every board change carries a ``ResourceUpdate``: a JSON Merge Patch of the board (the whole
/// board for a creation, the changed fields for a rename, `null` for a deletion) and the update
/// timestamp. A client keeping the list as an object keyed by id applies each one as
/// `{"<id>": changes}`.
enum DemoEvents {
    /// A board was created.
    static let boardCreated = PushEvent<ResourceUpdate>("create-board", url: "/boards/:id/created")
    /// A board changed.
    static let boardUpdated = PushEvent<ResourceUpdate>("update-board", url: "/boards/:id/updated")
    /// A board was deleted.
    static let boardDeleted = PushEvent<ResourceUpdate>("delete-board", url: "/boards/:id/deleted")
    /// A chat message was sent; the id is the chat's name.
    static let chatMessage = PushEvent<ChatRoutes.ChatMessage>("new-message", url: "/chats/:id/new-message")
}

extension RoomName {
    /// The board list's room: who receives board creations (`GET /boards` subscribes to it).
    static let boards = RoomName("boards")
    /// A board's room, `board-<id>`: who receives the board's changes.
    static let board = RoomName.family("board")
    /// A chat's room, `chat-<name>`.
    static let chat = RoomName.family("chat")
}
