import Foundation

/// A one-way message to push: where the client routes it (`url`), its body, when it was
/// created, and how it is delivered (``DeliveryClass``: reliable, latest per key, volatile).
///
/// Latest-class messages (cursors, presence counts) describe a current state: when several
/// with the same key and room are queued for one connection, only the last one is delivered.
public struct PushMessage: Sendable, Hashable {
    /// Where the client routes the push, e.g. `/boards/7/updated`.
    public var url: String
    /// The body: JSON by convention.
    public var body: [UInt8]
    /// When the message was created, in milliseconds since 1970; queued messages are
    /// delivered in this order.
    public var createdAt: Int64
    /// How it is delivered and kept; `nil` (the default) uses the room's default class from the
    /// server's ``DeliveryPolicy``.
    public var delivery: DeliveryClass?

    /// A message with a raw body.
    public init(url: String, body: [UInt8] = [], createdAt: Int64 = RoomRegistry.millisecondsSince1970(), delivery: DeliveryClass? = nil) {
        self.url = url
        self.body = body
        self.createdAt = createdAt
        self.delivery = delivery
    }

    /// A message whose body is `value` as JSON (keys sorted).
    public init<Body: Encodable>(url: String, json value: Body, createdAt: Int64 = RoomRegistry.millisecondsSince1970(), delivery: DeliveryClass? = nil) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.init(url: url, body: Array(try encoder.encode(value)), createdAt: createdAt, delivery: delivery)
    }

    /// The message as a push frame published to `room`, encoded (the one encoding of a push),
    /// with epoch and offset 0 (a reliable push gets its offset written in by the history,
    /// ``FrameCodec/setPushPosition(epoch:offset:in:)``).
    /// - Throws: ``FrameError`` when the url or room cannot go on the wire.
    public func encodedFrame(room: RoomName? = nil) throws(FrameError) -> [UInt8] {
        try FrameCodec.encode(.push(PushFrame(url: url, room: room?.rawValue ?? "", data: body[...])))
    }

    /// The supersede key of a latest-class push as given (an empty key means the url).
    public func latestKey(of delivery: DeliveryClass) -> String? {
        guard case .latest(let key) = delivery else { return nil }
        return key.isEmpty ? url : key
    }

    /// The key under which latest-class messages replace each other in one connection's queue.
    public func queueKey(of delivery: DeliveryClass, room: RoomName?) -> String? {
        latestKey(of: delivery).map { (room?.rawValue ?? "") + "|" + $0 }
    }
}
