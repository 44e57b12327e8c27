import NIOCore
import NIOHTTP1

/// Decides one WebSocket handshake: the server's checks, capacity, token authentication, the
/// application's upgrade hook, then the effective client id. Runs without a task unless
/// authentication or a hook is configured; their task starts at once on the connection's event
/// loop while ``Configuration/runsAsyncHandlersOnEventLoop`` is on, so a check that does not
/// suspend costs no thread hop.
enum HandshakeEvaluation {
    /// The server's synchronous checks (``HandshakeChecks``) of `head`: records and logs a
    /// refusal in `outcome` and returns it, or returns `nil` when the handshake may go on (also
    /// when the origin is refused and the client asked for ``RefusalByClose``: the upgrade then
    /// goes on only to tell the refusal).
    static func check(_ head: HTTPRequestHead, channel: any Channel, components: ServerComponents, outcome: NIOLoopBoundBox<HandshakeOutcome>) -> HandshakeRefusal? {
        let request = UpgradeRequest(head: head, remoteAddress: channel.remoteAddress)
        let configuration = components.configuration
        if let refusal = HandshakeChecks.protocolRefusal(for: head) ?? HandshakeChecks.endpointRefusal(for: request, configuration: configuration) {
            outcome.value = .refused(refusal)
            log(refusal, components: components, request: request)
            return refusal
        }
        guard let refusal = HandshakeChecks.originRefusal(for: request, configuration: configuration) else {
            outcome.value = .checked(request)
            return nil
        }
        log(refusal, components: components, request: request)
        if wantsRefusalByClose(request) {
            outcome.value = .refusedByClose(refusal)
            return nil
        }
        outcome.value = .refused(refusal)
        return refusal
    }

    /// Evaluates `head`, which passed ``check(_:channel:components:outcome:)``; records the
    /// outcome in `outcome` and calls `decided` on the event loop with `true` when a 101
    /// follows (an accepted upgrade, or a refusal told as a close, ``RefusalByClose``, which
    /// holds no connection slot), `false` for a refusal answered over HTTP. `decided` is called
    /// at once when nothing needs to suspend; it is not called when the channel closed first.
    static func evaluate(
        _ head: HTTPRequestHead,
        channel: any Channel,
        components: ServerComponents,
        outcome: NIOLoopBoundBox<HandshakeOutcome>,
        decided: @escaping (Bool) -> Void
    ) {
        let eventLoop = channel.eventLoop
        if case .refusedByClose = outcome.value { return decided(true) }
        let request: UpgradeRequest
        if case .checked(let checked) = outcome.value {
            request = checked
        } else {
            request = UpgradeRequest(head: head, remoteAddress: channel.remoteAddress)
        }
        switch components.slots.reserve() {
        case .success:
            outcome.value = .deciding
        case .failure(.atCapacity(let limit)):
            let refusal = HandshakeRefusal(status: .serviceUnavailable, reason: "server at capacity (\(limit) connections); retry later")
            return decided(conclude(.failure(refusal), head: head, request: request, components: components, outcome: outcome))
        case .failure(.shuttingDown):
            let refusal = HandshakeRefusal(status: .serviceUnavailable, reason: "server is shutting down; retry later")
            return decided(conclude(.failure(refusal), head: head, request: request, components: components, outcome: outcome))
        }
        if let decision = decideWithoutSuspending(request, components: components) {
            return decided(conclude(decision, head: head, request: request, components: components, outcome: outcome))
        }
        let promise = eventLoop.makePromise(of: Result<(Identity?, String?), HandshakeRefusal>.self)
        // With the loop's executor, at once: a check that does not suspend decides without a thread hop.
        Task.start(preferring: components.executors?.value(on: eventLoop)) {
            promise.succeed(await decide(request, components: components))
        }
        promise.futureResult.assumeIsolated().whenSuccess { decision in
            guard case .deciding = outcome.value else { return }  // closed meanwhile: its slot is back
            decided(conclude(decision, head: head, request: request, components: components, outcome: outcome))
        }
    }

    /// Turns the decision (identity and a client id chosen by the hook, or a refusal) into the
    /// outcome; gives the slot reserved for the decision back on a refusal (an accepted
    /// connection's slot goes back when its channel closes, see
    /// ``HandshakeOutcome/holdsSlot``). Returns whether a 101 follows: an accepted upgrade, or
    /// a refusal the client asked to hear as a close (``HandshakeOutcome/refusedByClose(_:)``).
    private static func conclude(
        _ decision: Result<(Identity?, String?), HandshakeRefusal>,
        head: HTTPRequestHead,
        request: UpgradeRequest,
        components: ServerComponents,
        outcome: NIOLoopBoundBox<HandshakeOutcome>
    ) -> Bool {
        let accepted = decision.flatMap { identity, hookClientId in
            ClientIdAssignment.clientId(requested: request.query["clientId"], identity: identity, decidedByHook: hookClientId).map { (identity, $0) }
        }
        switch accepted {
        case .success(let (identity, clientId)):
            let features = Result { () throws(FeatureHandshakeError) in try components.features.handshake(query: head.uri) }
            // The slot goes back when the channel closes (ServerPipeline's close callback).
            outcome.value = .accepted(identity: identity, clientId: clientId, features: features)
            return true
        case .failure(let refusal):
            if case .deciding = outcome.value { components.slots.release() }
            log(refusal, components: components, request: request)
            if wantsRefusalByClose(request) {
                outcome.value = .refusedByClose(refusal)
                return true
            }
            outcome.value = .refused(refusal)
            return false
        }
    }

    /// Whether the request asked for ``RefusalByClose`` (its value was checked before).
    private static func wantsRefusalByClose(_ request: UpgradeRequest) -> Bool {
        (try? RefusalByClose.isRequested(by: request).get()) ?? false
    }

    private static func log(_ refusal: HandshakeRefusal, components: ServerComponents, request: UpgradeRequest) {
        components.observer.metrics.handshakeRefused(refusal.status)
        components.logger.info("handshake refused", metadata: [
            "status": "\(refusal.status)", "reason": "\(refusal.reason)", "remote": "\(request.remoteAddress.map { "\($0)" } ?? "-")",
        ])
    }

    /// The decision without a task, when nothing that runs needs to suspend: no upgrade hook,
    /// and no token or a verifier that does not suspend
    /// (``TokenAuthentication/init(isRequired:verifyTokenWithoutSuspending:)``); `nil` otherwise.
    static func decideWithoutSuspending(_ request: UpgradeRequest, components: ServerComponents) -> Result<(Identity?, String?), HandshakeRefusal>? {
        guard components.upgradeHook == nil else { return nil }
        guard let authentication = components.authentication else { return .success((nil, nil)) }
        guard let token = request.bearerToken else { return missingToken(authentication) }
        guard case .withoutSuspending(let verify) = authentication.verifier else { return nil }
        return authenticated(verify(token)).map { ($0, nil) }
    }

    /// Token authentication, then the upgrade hook: the identity, and the client id when the
    /// hook chose one.
    static func decide(_ request: UpgradeRequest, components: ServerComponents) async -> Result<(Identity?, String?), HandshakeRefusal> {
        var request = request
        if let authentication = components.authentication {
            if let token = request.bearerToken {
                switch authenticated(await authentication.verifyToken(token)) {
                case .success(let identity): request.identity = identity
                case .failure(let refusal): return .failure(refusal)
                }
            } else if case .failure(let refusal) = missingToken(authentication) {
                return .failure(refusal)
            }
        }
        guard let hook = components.upgradeHook else {
            return .success((request.identity, nil))
        }
        switch await hook(request) {
        case .accept(let identity, let clientId):
            return .success((identity, clientId))
        case .refuse(let status, let reason):
            return .failure(HandshakeRefusal(status: status, reason: reason))
        }
    }

    /// A verified token's identity, or the 401 for an unknown or expired token.
    private static func authenticated(_ identity: Identity?) -> Result<Identity, HandshakeRefusal> {
        guard let identity else { return .failure(HandshakeRefusal(status: .unauthorized, reason: "invalid token")) }
        guard !identity.isExpired() else { return .failure(HandshakeRefusal(status: .unauthorized, reason: "token expired")) }
        return .success(identity)
    }

    /// A handshake without a token: the 401 when authentication requires one, else an
    /// anonymous acceptance.
    private static func missingToken(_ authentication: TokenAuthentication) -> Result<(Identity?, String?), HandshakeRefusal> {
        guard authentication.isRequired else { return .success((nil, nil)) }
        return .failure(HandshakeRefusal(status: .unauthorized, reason: "missing credentials: send Authorization: Bearer <token>, a token query parameter or a token cookie"))
    }
}
