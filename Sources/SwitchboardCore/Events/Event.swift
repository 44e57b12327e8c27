/// The push events of the app, declared in one place (seed 002's list), each with its push url.
///
/// Handlers write `try Event.updateBoard.message(id: "7", json: update)` instead of a literal
/// url; clients listen on the same urls (`Event.updateBoard.urlPattern` is
/// `/boards/:id/updated`).
public enum Event: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// A user's profile changed.
    case updateUser = "update-user"
    /// An organization was created.
    case createOrganization = "create-organization"
    /// An organization changed.
    case updateOrganization = "update-organization"
    /// An organization was deleted.
    case deleteOrganization = "delete-organization"
    /// A board was created.
    case createBoard = "create-board"
    /// A board changed.
    case updateBoard = "update-board"
    /// A board was deleted.
    case deleteBoard = "delete-board"
    /// A task was created.
    case createTask = "create-task"
    /// A task changed.
    case updateTask = "update-task"
    /// A task was deleted.
    case deleteTask = "delete-task"
    /// A sprint was created.
    case createSprint = "create-sprint"
    /// A sprint changed.
    case updateSprint = "update-sprint"
    /// A sprint was deleted.
    case deleteSprint = "delete-sprint"
    /// A chat message was sent; the id is the chat's.
    case newMessage = "new-message"

    /// The kind of resource an event is about.
    public enum Resource: String, Sendable, Hashable, CaseIterable {
        /// Users, `/users/…`.
        case user
        /// Organizations, `/organizations/…`.
        case organization
        /// Boards, `/boards/…`.
        case board
        /// Tasks, `/tasks/…`.
        case task
        /// Sprints, `/sprints/…`.
        case sprint
        /// Chats, `/chats/…`.
        case chat

        /// The url path segment, e.g. `boards`.
        public var pathSegment: String { rawValue + "s" }
    }

    /// The resource the event is about (seed 002's grouping).
    public var resource: Resource {
        switch self {
        case .updateUser: .user
        case .createOrganization, .updateOrganization, .deleteOrganization: .organization
        case .createBoard, .updateBoard, .deleteBoard: .board
        case .createTask, .updateTask, .deleteTask: .task
        case .createSprint, .updateSprint, .deleteSprint: .sprint
        case .newMessage: .chat
        }
    }

    /// The last url segment: `created`, `updated`, `deleted` or `new-message`.
    public var action: String {
        switch self {
        case .createOrganization, .createBoard, .createTask, .createSprint: "created"
        case .updateUser, .updateOrganization, .updateBoard, .updateTask, .updateSprint: "updated"
        case .deleteOrganization, .deleteBoard, .deleteTask, .deleteSprint: "deleted"
        case .newMessage: "new-message"
        }
    }

    /// Whether the event's body is a ``ResourceUpdate`` (a diff with its timestamp).
    public var isUpdate: Bool { action == "updated" }

    /// The url with a `:id` parameter, e.g. `/boards/:id/updated`, for client listeners.
    public var urlPattern: String { "/" + resource.pathSegment + "/:id/" + action }

    /// The push url for one resource, e.g. `/boards/7/updated`; the id is percent-encoded.
    public func url(id: String) -> String {
        "/" + resource.pathSegment + "/" + Self.percentEncoded(id) + "/" + action
    }

    /// A push of this event with a JSON body.
    public func message<Body: Encodable>(id: String, json body: Body, createdAt: Int64 = RoomRegistry.millisecondsSince1970()) throws -> PushMessage {
        try PushMessage(url: url(id: id), json: body, createdAt: createdAt)
    }

    /// The event's name, e.g. `update-board`.
    public var description: String { rawValue }

    private static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out += "%"
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return out
    }
}
