import NIOCore
import NIOHTTP1

/// Decides one WebSocket handshake: the server's checks, capacity, token authentication, the
/// application's upgrade hook, then the effective client id. Runs without a task unless an
/// upgrade hook or a token verifier that may suspend is configured; their task starts at once
/// on the connection's event loop while ``Configuration/runsAsyncHandlersOnEventLoop`` is on,
/// so a check that does not suspend costs no thread hop.
enum HandshakeEvaluation {
    /// Decides the upgrade `head` asks for: the server's synchronous checks
    /// (``HandshakeChecks``), capacity, then authentication and the hook. Records the outcome
    /// in `outcome` and calls `decided` on the event loop with the refusal to answer over HTTP,
    /// or `nil` when a 101 follows (an accepted upgrade, or a refusal told as a close,
    /// ``RefusalByClose``, which holds no connection slot). `decided` is called at once when
    /// nothing needs to suspend; it is not called when the channel closed first.
    static func evaluate(
        _ head: HTTPRequestHead,
        channel: any Channel,
        components: ServerComponents,
        outcome: NIOLoopBoundBox<HandshakeOutcome>,
        decided: @escaping (HandshakeRefusal?) -> Void
    ) {
        let eventLoop = channel.eventLoop
        let request = UpgradeRequest(head: head, remoteAddress: channel.remoteAddress)
        let configuration = components.configuration
        if let refusal = HandshakeChecks.protocolRefusal(for: head) ?? HandshakeChecks.endpointRefusal(for: request, configuration: configuration) {
            // The request's form: always answered over HTTP.
            return decided(refuse(refusal, request: request, byCloseIfAsked: false, components: components, outcome: outcome))
        }
        if let refusal = HandshakeChecks.originRefusal(for: request, configuration: configuration) {
            return decided(refuse(refusal, request: request, byCloseIfAsked: true, components: components, outcome: outcome))
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
    /// ``HandshakeOutcome/holdsSlot``). Returns the refusal to answer over HTTP, or `nil` when
    /// a 101 follows.
    private static func conclude(
        _ decision: Result<(Identity?, String?), HandshakeRefusal>,
        head: HTTPRequestHead,
        request: UpgradeRequest,
        components: ServerComponents,
        outcome: NIOLoopBoundBox<HandshakeOutcome>
    ) -> HandshakeRefusal? {
        let accepted = decision.flatMap { identity, hookClientId in
            ClientIdAssignment.clientId(requested: request.query["clientId"], identity: identity, decidedByHook: hookClientId).map { (identity, $0) }
        }
        switch accepted {
        case .success(let (identity, clientId)):
            let features = Result { () throws(FeatureHandshakeError) in try components.features.handshake(query: head.uri) }
            // The slot goes back when the channel closes (ServerPipeline's close callback).
            outcome.value = .accepted(identity: identity, clientId: clientId, features: features)
            return nil
        case .failure(let refusal):
            if case .deciding = outcome.value { components.slots.release() }
            return refuse(refusal, request: request, byCloseIfAsked: true, components: components, outcome: outcome)
        }
    }

    /// Logs and records `refusal`: as a close when allowed and the client asked for it
    /// (``HandshakeOutcome/refusedByClose(_:)``, returns `nil`: a 101 follows), else as an HTTP
    /// answer (returns the refusal).
    private static func refuse(
        _ refusal: HandshakeRefusal,
        request: UpgradeRequest,
        byCloseIfAsked: Bool,
        components: ServerComponents,
        outcome: NIOLoopBoundBox<HandshakeOutcome>
    ) -> HandshakeRefusal? {
        log(refusal, components: components, request: request)
        if byCloseIfAsked && wantsRefusalByClose(request) {
            outcome.value = .refusedByClose(refusal)
            return nil
        }
        outcome.value = .refused
        return refusal
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
