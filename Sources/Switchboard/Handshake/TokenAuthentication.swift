/// Bearer-token authentication, used at the handshake and by the in-band credential refresh.
///
/// At the handshake the server reads ``UpgradeRequest/bearerToken`` (`Authorization: Bearer`,
/// `token` query parameter, or `token` cookie) and calls ``verifyToken(_:)``; an unknown or
/// expired token is refused with 401. On a live connection a request `POST /_switchboard/auth`
/// whose body is a new token is checked by the same function and, when valid and for the same
/// user, replaces the connection's identity (see ``CredentialRefresh``).
///
/// A check that never waits (a signature or a lookup in memory) is best given to
/// ``init(isRequired:verifyTokenWithoutSuspending:)``: the handshake then decides at once,
/// without starting a task per connection.
public struct TokenAuthentication: Sendable {
    /// How a token is verified.
    enum Verifier: Sendable {
        case suspending(@Sendable (String) async -> Identity?)
        case withoutSuspending(@Sendable (String) -> Identity?)
    }

    let verifier: Verifier
    /// Whether a handshake without any token is refused with 401 (default); when `false` it is
    /// accepted with no identity.
    public var isRequired: Bool

    /// Authentication with a verify function that may suspend (e.g. ask another service).
    public init(isRequired: Bool = true, verifyToken: @escaping @Sendable (String) async -> Identity?) {
        self.isRequired = isRequired
        self.verifier = .suspending(verifyToken)
    }

    /// Authentication with a verify function that returns at once (e.g. checks a signature):
    /// handshakes are decided without a task.
    public init(isRequired: Bool = true, verifyTokenWithoutSuspending verify: @escaping @Sendable (String) -> Identity?) {
        self.isRequired = isRequired
        self.verifier = .withoutSuspending(verify)
    }

    /// The identity `token` stands for, or `nil` when the token is not valid.
    public func verifyToken(_ token: String) async -> Identity? {
        switch verifier {
        case .suspending(let verify): await verify(token)
        case .withoutSuspending(let verify): verify(token)
        }
    }
}
