import Switchboard

/// The demo's chat: rooms named `chat-<name>`, joined and left with the built-in
/// `POST /_switchboard/rooms/join` / `leave`; `POST /chats/:name/messages` `{"text": …}` pushes
/// ``DemoEvents/chatMessage`` (`/chats/<name>/new-message`) to every member, sender included
/// unless the body says `"echo": false`. Only members may post (403 otherwise). Who is online
/// comes from the built-in presence feature.
enum ChatRoutes {
    struct Draft: Decodable {
        var text: String
        var echo: Bool?
    }

    /// One chat message as pushed.
    struct ChatMessage: Codable, Sendable {
        var room: String
        var userId: String
        var text: String
        var sentAt: Int64
    }

    /// Adds the chat routes to `router`.
    static func register(on router: inout Router) {
        router.post("/chats/:name/messages") { req, res in
            let name = try req.params.require("name")
            guard req.connection.joinedRooms.contains(RoomName.chat(name)) else {
                throw HTTPError(.forbidden, "join \(RoomName.chat(name)) before posting to it")
            }
            guard let draft = try? req.decode(Draft.self), !draft.text.isEmpty, draft.text.utf8.count <= 2000 else {
                throw HTTPError(.badRequest, "body must be {\"text\": \"…\"} (1 to 2000 bytes)")
            }
            let message = ChatMessage(room: name, userId: req.identity?.userId ?? "", text: draft.text, sentAt: RoomRegistry.millisecondsSince1970())
            let excluded = draft.echo == false ? req.connection.id : nil
            res.push(try DemoEvents.chatMessage.message(id: name, message, createdAt: message.sentAt), to: .room(.chat(name), excluding: excluded))
            res.status(.accepted).end()
        }
    }
}
