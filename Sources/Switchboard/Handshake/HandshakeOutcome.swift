/// What the handshake of one TCP connection came to, shared on its event loop between the
/// upgrader (which decides) and the pipeline set-up that follows (which acts).
enum HandshakeOutcome {
    /// No upgrade was asked for (yet).
    case undecided
    /// The upgrade request passed the server's synchronous checks and is being decided; kept
    /// parsed for the decision.
    case checked(UpgradeRequest)
    /// The upgrade was refused; the plain HTTP handler answers with this.
    case refused(HandshakeRefusal)
    /// The upgrade was refused for an application reason and the client asked for refusals as
    /// a close (``RefusalByClose``): the WebSocket opens only to be closed with this refusal.
    case refusedByClose(HandshakeRefusal)
    /// The upgrade was accepted. A feature request the server refuses still upgrades (the
    /// refusal is a WebSocket close code, 1008), then closes.
    case accepted(identity: Identity?, clientId: String?, features: Result<FeatureHandshake, FeatureHandshakeError>)

    /// Whether the connection holds one of ``Configuration/maxConnections``' slots, given back
    /// when its channel closes: an accepted upgrade does (a refusal gives its slot back at once).
    var holdsSlot: Bool {
        if case .accepted = self { return true }
        return false
    }
}
