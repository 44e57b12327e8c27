#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwitchboardCore

/// A push from the server, as a listener sees it.
public struct ClientPush: Sendable, Hashable {
    /// Where the server addressed it, e.g. `/boards/7/tasks`.
    public let url: String
    /// The room it was published to (`client-…` for a push to one connection).
    public let room: String
    /// The room history's epoch (0 when the push is not kept in history).
    public let epoch: UInt32
    /// The push's position in the room's history, from 1 (0 when not kept).
    public let offset: UInt64
    /// The body's bytes (JSON by convention).
    public let body: [UInt8]
    /// The values the listener's pattern captured (`:id` → `params["id"]`, `*`, `**`),
    /// percent-decoded.
    public let params: [String: String]

    /// A push.
    public init(url: String, room: String, epoch: UInt32, offset: UInt64, body: [UInt8], params: [String: String]) {
        self.url = url
        self.room = room
        self.epoch = epoch
        self.offset = offset
        self.body = body
        self.params = params
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body decoded from JSON as `type`.
    /// - Throws: ``SwitchboardClientError/decodingFailed(_:)``.
    public func decode<Value: Decodable>(_ type: Value.Type = Value.self) throws(SwitchboardClientError) -> Value {
        do {
            return try JSONDecoder().decode(Value.self, from: Data(body))
        } catch {
            throw .decodingFailed("\(Value.self): \(error)")
        }
    }
}
