/// Bearer-token authentication, used at the handshake and by the in-band credential refresh.
///
/// At the handshake the server reads ``UpgradeRequest/bearerToken`` (`Authorization: Bearer`,
/// `token` query parameter, or `token` cookie) and calls ``verifyToken``; an unknown or expired
/// token is refused with 401. On a live connection a request `POST /_switchboard/auth` whose
/// body is a new token is checked by the same ``verifyToken`` and, when valid and for the same
/// user, replaces the connection's identity (see ``CredentialRefresh``).
public struct TokenAuthentication: Sendable {
    /// Turns a token into an identity, or `nil` when the token is not valid.
    public var verifyToken: @Sendable (String) async -> Identity?
    /// Whether a handshake without any token is refused with 401 (default); when `false` it is
    /// accepted with no identity.
    public var isRequired: Bool

    /// Authentication with the given verify function.
    public init(isRequired: Bool = true, verifyToken: @escaping @Sendable (String) async -> Identity?) {
        self.isRequired = isRequired
        self.verifyToken = verifyToken
    }
}
