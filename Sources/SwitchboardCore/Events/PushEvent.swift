/// A push the application declares once — its name, url pattern, body type and delivery
/// class — so the handlers that push it and the clients that listen for it agree.
///
/// An application keeps its events in one catalogue, a namespace of static constants:
///
/// ```swift
/// enum BoardEvents {
///     static let created = PushEvent<Board>("create-board", url: "/boards/:id/created")
///     static let updated = PushEvent<ResourceUpdate>("update-board", url: "/boards/:id/updated")
/// }
/// let update = try ResourceUpdate(id: "7", from: old, to: new, updatedAt: new.updatedAt)
/// res.push(try BoardEvents.updated.message(id: "7", update), to: .room(RoomName("board-7")))
/// ```
///
/// Clients listen on ``urlPattern`` (`/boards/:id/updated`). An event whose body is a
/// ``ResourceUpdate`` pushes the diff of a change with its update timestamp, not the data.
public struct PushEvent<Body: Encodable & Sendable>: Sendable, CustomStringConvertible {
    /// The event's name, e.g. `update-board`.
    public let name: String
    /// The url pattern clients listen on, e.g. `/boards/:id/updated` (syntax as in ``Router``).
    public let urlPattern: String
    /// How the event's pushes are delivered (see ``PushMessage/delivery``); `nil` uses the
    /// room's default.
    public let delivery: DeliveryClass?
    let pattern: PathPattern

    /// An event; stops the program if `url` is not a valid pattern.
    public init(_ name: String, url: String, delivery: DeliveryClass? = nil) {
        self.name = name
        self.urlPattern = url
        self.delivery = delivery
        self.pattern = PathPattern(url)
    }

    /// The event's name.
    public var description: String { name }

    /// The push url: each `:name` of the pattern replaced by `params[name]`, percent-encoded.
    public func url(params: [String: String]) throws(RouteURLError) -> String {
        try pattern.url(params: params)
    }

    /// The push url for a pattern with one `:id` parameter, e.g. `/boards/7/updated`.
    public func url(id: String) throws(RouteURLError) -> String {
        try url(params: ["id": id])
    }

    /// A push of this event with `body` as JSON (keys sorted).
    /// - Throws: ``RouteURLError`` for a missing or empty parameter, or the encoder's error.
    public func message(params: [String: String], _ body: Body, createdAt: Int64 = RoomRegistry.millisecondsSince1970()) throws -> PushMessage {
        try PushMessage(url: url(params: params), json: body, createdAt: createdAt, delivery: delivery)
    }

    /// A push of this event for a pattern with one `:id` parameter.
    /// - Throws: ``RouteURLError`` for an empty id, or the encoder's error.
    public func message(id: String, _ body: Body, createdAt: Int64 = RoomRegistry.millisecondsSince1970()) throws -> PushMessage {
        try message(params: ["id": id], body, createdAt: createdAt)
    }
}
