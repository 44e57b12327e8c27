import Switchboard

/// The demo's push events, declared in one place; clients listen on their url patterns.
///
/// Board creations and deletions carry the board; a rename carries a ``ResourceUpdate`` (the
/// JSON Merge Patch and the update timestamp), not the board.
enum DemoEvents {
    /// A board was created.
    static let boardCreated = PushEvent<Board>("create-board", url: "/boards/:id/created")
    /// A board changed.
    static let boardUpdated = PushEvent<ResourceUpdate>("update-board", url: "/boards/:id/updated")
    /// A board was deleted.
    static let boardDeleted = PushEvent<Board>("delete-board", url: "/boards/:id/deleted")
    /// A chat message was sent; the id is the chat's name.
    static let chatMessage = PushEvent<ChatRoutes.ChatMessage>("new-message", url: "/chats/:id/new-message")
}

extension RoomName {
    /// A board's room, `board-<id>`: who receives the board's changes.
    static let board = RoomName.family("board")
    /// A chat's room, `chat-<name>`.
    static let chat = RoomName.family("chat")
}
