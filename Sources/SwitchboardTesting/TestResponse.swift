import Foundation
import SwitchboardCore

/// The reply a ``TestClient`` request got.
public struct TestResponse: Sendable {
    /// The reply status.
    public let status: Status
    /// The reply body.
    public let body: [UInt8]
    /// Whether the router answered inline (``Dispatch/completed(_:)``, the synchronous fast
    /// path) rather than through a task (``Dispatch/pending(_:)``).
    public let wasAnsweredInline: Bool

    /// A response.
    public init(status: Status, body: [UInt8], wasAnsweredInline: Bool) {
        self.status = status
        self.body = body
        self.wasAnsweredInline = wasAnsweredInline
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body decoded from JSON.
    public func decode<Value: Decodable>(_ type: Value.Type = Value.self) throws -> Value {
        try JSONDecoder().decode(type, from: Data(body))
    }

    /// The `error` member of an error body (`{"error": "…"}`), or `nil`.
    public var errorMessage: String? {
        struct ErrorBody: Decodable { let error: String }
        return try? decode(ErrorBody.self).error
    }

    /// The `allowed` member of a 405 or OPTIONS body, or `nil`.
    public var allowedMethods: [String]? {
        struct AllowedBody: Decodable { let allowed: [String] }
        return try? decode(AllowedBody.self).allowed
    }
}
