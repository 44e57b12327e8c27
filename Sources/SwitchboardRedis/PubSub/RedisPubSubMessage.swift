/// A message published to a channel a ``RedisSubscriber`` listens to.
public struct RedisPubSubMessage: Sendable, Equatable {
    /// The channel it was published to.
    public var channel: String
    /// The pattern that matched the channel, for pattern subscriptions; `nil` otherwise.
    public var pattern: String?
    /// The published bytes.
    public var payload: [UInt8]

    /// Makes a message.
    public init(channel: String, pattern: String? = nil, payload: [UInt8]) {
        self.channel = channel
        self.pattern = pattern
        self.payload = payload
    }

    /// The message carried by a push (RESP3) or array (RESP2 subscribed mode) frame:
    /// `message <channel> <payload>`, `smessage <channel> <payload>` or
    /// `pmessage <pattern> <channel> <payload>`; `nil` for any other frame.
    init?(frame: RESPValue) {
        guard let items = frame.elements, let kind = items.first?.string?.lowercased() else { return nil }
        switch (kind, items.count) {
        case ("message", 3), ("smessage", 3):
            guard let channel = items[1].string, case .bulkString(let payload?) = items[2] else { return nil }
            self.init(channel: channel, payload: payload)
        case ("pmessage", 4):
            guard let pattern = items[1].string, let channel = items[2].string,
                case .bulkString(let payload?) = items[3]
            else { return nil }
            self.init(channel: channel, pattern: pattern, payload: payload)
        default:
            return nil
        }
    }

    /// The payload decoded as UTF-8.
    public var text: String { String(decoding: payload, as: UTF8.self) }
}
