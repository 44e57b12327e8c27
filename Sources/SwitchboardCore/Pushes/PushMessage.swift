import Foundation

/// A one-way message to push: where the client routes it (`url`), its body, when it was
/// created, and whether it is ephemeral.
///
/// Ephemeral messages (typing indicators, cursors, presence counts) describe a current state:
/// when several with the same url and room are queued for one connection, a ``SocketQueue``
/// delivers only the last one.
public struct PushMessage: Sendable, Hashable {
    /// Where the client routes the push, e.g. `/boards/7/updated`.
    public var url: String
    /// The body: JSON by convention.
    public var body: [UInt8]
    /// When the message was created, in milliseconds since 1970; queued messages are
    /// delivered in this order.
    public var createdAt: Int64
    /// Whether a later message with the same url (and room) replaces this one in a queue.
    public var isEphemeral: Bool

    /// A message with a raw body.
    public init(url: String, body: [UInt8] = [], createdAt: Int64 = RoomRegistry.millisecondsSince1970(), isEphemeral: Bool = false) {
        self.url = url
        self.body = body
        self.createdAt = createdAt
        self.isEphemeral = isEphemeral
    }

    /// A message whose body is `value` as JSON (keys sorted).
    public init<Body: Encodable>(url: String, json value: Body, createdAt: Int64 = RoomRegistry.millisecondsSince1970(), isEphemeral: Bool = false) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.init(url: url, body: Array(try encoder.encode(value)), createdAt: createdAt, isEphemeral: isEphemeral)
    }

    /// The message as a push frame published to `room`, encoded (the one encoding of a push).
    /// - Throws: ``FrameError`` when the url or room cannot go on the wire.
    public func encodedFrame(room: RoomName? = nil) throws(FrameError) -> [UInt8] {
        try FrameCodec.encode(.push(PushFrame(url: url, room: room?.rawValue ?? "", data: body[...])))
    }

    /// The key under which ephemeral messages replace each other for one connection.
    func ephemeralKey(room: RoomName?) -> String? {
        isEphemeral ? (room?.rawValue ?? "") + "|" + url : nil
    }
}
