/// What the handshake of one TCP connection came to, shared on its event loop between the
/// decision (``HandshakeEvaluation``), the ``HandshakeHandler`` that acts on it, and the
/// channel's close callback (which gives a held slot back).
enum HandshakeOutcome {
    /// No upgrade was asked for (yet).
    case undecided
    /// A connection slot is reserved and the token check or the upgrade hook is running.
    case deciding
    /// The upgrade was refused and is answered over HTTP (``PlainHTTPHandler``).
    case refused
    /// The upgrade was refused for an application reason and the client asked for refusals as
    /// a close (``RefusalByClose``): the WebSocket opens only to be closed with this refusal.
    case refusedByClose(HandshakeRefusal)
    /// The upgrade was accepted. A feature request the server refuses still upgrades (the
    /// refusal is a WebSocket close code, 1008), then closes.
    case accepted(identity: Identity?, clientId: String?, features: Result<FeatureHandshake, FeatureHandshakeError>)
    /// The channel closed; its slot, if it held one, is back. A decision that ends later is
    /// dropped.
    case closed

    /// Whether the connection holds one of ``Configuration/maxConnections``' slots, given back
    /// when its channel closes: while it is decided and once accepted (a refusal gives its slot
    /// back at once).
    var holdsSlot: Bool {
        switch self {
        case .deciding, .accepted: true
        default: false
        }
    }
}
