#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwitchboardCore

/// The server's answer to a request: status and body.
///
/// `get`, `post` and the other method calls return it for any status; ``decode(_:)`` and
/// ``requireSuccess()`` throw ``SwitchboardClientError/status(code:message:)`` unless the status
/// is 2xx.
public struct ClientResponse: Sendable, Hashable {
    /// The HTTP status, e.g. `.ok` (`status.code` is 200).
    public let status: Status
    /// The body's bytes (JSON by convention; empty for HEAD and 204).
    public let body: [UInt8]
    /// The room the request subscribed the connection to (the server route called
    /// `req.subscribe(to:)`), with its position when the resource was read; the client resumes
    /// the room from there after a reconnect. `nil` when the request did not subscribe.
    public let subscription: RoomSubscription?

    /// A response.
    public init(status: Status, body: [UInt8], subscription: RoomSubscription? = nil) {
        self.status = status
        self.body = body
        self.subscription = subscription
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { status.isSuccess }

    /// This response when its status is 2xx.
    /// - Throws: ``SwitchboardClientError/status(code:message:)`` with the body's `"error"` reason otherwise.
    @discardableResult
    public func requireSuccess() throws(SwitchboardClientError) -> ClientResponse {
        guard status.isSuccess else {
            throw .status(code: status.code, message: ErrorBody.reason(in: body[...]))
        }
        return self
    }

    /// The body decoded from JSON as `type`.
    /// - Throws: ``SwitchboardClientError/status(code:message:)`` when the status is not 2xx,
    ///   ``SwitchboardClientError/decodingFailed(_:)`` when the body does not decode.
    public func decode<Value: Decodable>(_ type: Value.Type = Value.self) throws(SwitchboardClientError) -> Value {
        try requireSuccess()
        do {
            return try JSONDecoder().decode(Value.self, from: Data(body))
        } catch {
            throw .decodingFailed("\(Value.self): \(error)")
        }
    }
}
