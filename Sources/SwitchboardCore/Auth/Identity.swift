import Foundation

/// Who is on the other end of a connection, as established at the handshake or by auth
/// middleware.
public struct Identity: Sendable, Hashable {
    /// The authenticated user's id; every connection of a user shares it.
    public var userId: String
    /// Roles used by role checks (e.g. `admin`).
    public var roles: Set<String>
    /// When the credentials stop being valid; `nil` for never.
    public var expiresAt: Date?
    /// Anything else the application learned (e.g. organization id).
    public var attributes: [String: String]

    /// An identity.
    public init(userId: String, roles: Set<String> = [], expiresAt: Date? = nil, attributes: [String: String] = [:]) {
        self.userId = userId
        self.roles = roles
        self.expiresAt = expiresAt
        self.attributes = attributes
    }

    /// Whether the credentials have expired at `now`.
    public func isExpired(at now: Date = Date()) -> Bool {
        guard let expiresAt else { return false }
        return expiresAt <= now
    }
}
