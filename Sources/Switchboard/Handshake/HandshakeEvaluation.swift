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
    /// outcome in `outcome` and returns the extra response headers of an accepted upgrade, or
    /// `nil` to refuse (the plain HTTP handler then answers). A refusal told as a close
    /// (``RefusalByClose``) upgrades without holding a connection slot.
    static func evaluate(
        _ head: HTTPRequestHead,
        channel: any Channel,
        components: ServerComponents,
        outcome: NIOLoopBoundBox<HandshakeOutcome>
    ) -> EventLoopFuture<HTTPHeaders?> {
        let eventLoop = channel.eventLoop
        if case .refusedByClose = outcome.value {
            return eventLoop.makeSucceededFuture(upgradeHeaders(clientId: nil, components: components))
        }
        let request: UpgradeRequest
        if case .checked(let checked) = outcome.value {
            request = checked
        } else {
            request = UpgradeRequest(head: head, remoteAddress: channel.remoteAddress)
        }
        switch components.slots.reserve() {
        case .success:
            break
        case .failure(.atCapacity(let limit)):
            return eventLoop.makeSucceededFuture(conclude(.failure(HandshakeRefusal(status: .serviceUnavailable, reason: "server at capacity (\(limit) connections); retry later")), reserved: false, head: head, request: request, channel: channel, components: components, outcome: outcome))
        case .failure(.shuttingDown):
            return eventLoop.makeSucceededFuture(conclude(.failure(HandshakeRefusal(status: .serviceUnavailable, reason: "server is shutting down; retry later")), reserved: false, head: head, request: request, channel: channel, components: components, outcome: outcome))
        }
        if components.authentication == nil && components.upgradeHook == nil {
            return eventLoop.makeSucceededFuture(conclude(.success((nil, nil)), reserved: true, head: head, request: request, channel: channel, components: components, outcome: outcome))
        }
        let promise = eventLoop.makePromise(of: Result<(Identity?, String?), HandshakeRefusal>.self)
        // With the loop's executor, at once: a check that does not suspend decides without a thread hop.
        Task.start(preferring: components.executors?.value(on: eventLoop)) {
            promise.succeed(await decide(request, components: components))
        }
        return promise.futureResult.map { decision in
            conclude(decision, reserved: true, head: head, request: request, channel: channel, components: components, outcome: outcome)
        }
    }

    /// Turns the decision (identity and a client id chosen by the hook, or a refusal) into the
    /// outcome and the 101's extra headers; gives the reserved slot back on a refusal (an
    /// accepted connection's slot goes back when its channel closes, see
    /// ``HandshakeOutcome/holdsSlot``). A refusal the client asked to hear as a close returns
    /// the upgrade's headers with the outcome ``HandshakeOutcome/refusedByClose(_:)``.
    private static func conclude(
        _ decision: Result<(Identity?, String?), HandshakeRefusal>,
        reserved: Bool,
        head: HTTPRequestHead,
        request: UpgradeRequest,
        channel: any Channel,
        components: ServerComponents,
        outcome: NIOLoopBoundBox<HandshakeOutcome>
    ) -> HTTPHeaders? {
        let accepted = decision.flatMap { identity, hookClientId in
            ClientIdAssignment.clientId(requested: request.query["clientId"], identity: identity, decidedByHook: hookClientId).map { (identity, $0) }
        }
        let connections = components.slots
        switch accepted {
        case .success(let (identity, clientId)):
            let features = Result { () throws(FeatureHandshakeError) in try components.features.handshake(query: head.uri) }
            // The slot goes back when the channel closes (ServerPipeline's close callback).
            outcome.value = .accepted(identity: identity, clientId: clientId, features: features)
            return upgradeHeaders(clientId: clientId, components: components)
        case .failure(let refusal):
            if reserved { connections.release() }
            log(refusal, components: components, request: request)
            if wantsRefusalByClose(request) {
                outcome.value = .refusedByClose(refusal)
                return upgradeHeaders(clientId: nil, components: components)
            }
            outcome.value = .refused(refusal)
            return nil
        }
    }

    /// The 101 answer's extra headers: the effective client id, when there is one, and the
    /// subprotocol.
    private static func upgradeHeaders(clientId: String?, components: ServerComponents) -> HTTPHeaders {
        var headers = HTTPHeaders()
        if let clientId { headers.add(name: ClientIdAssignment.header, value: clientId) }
        if !components.configuration.rawEchoMode { headers.add(name: "Sec-WebSocket-Protocol", value: FrameCodec.subprotocol) }
        return headers
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

    /// Token authentication, then the upgrade hook: the identity, and the client id when the
    /// hook chose one.
    static func decide(_ request: UpgradeRequest, components: ServerComponents) async -> Result<(Identity?, String?), HandshakeRefusal> {
        var request = request
        if let authentication = components.authentication {
            if let token = request.bearerToken {
                guard let identity = await authentication.verifyToken(token) else {
                    return .failure(HandshakeRefusal(status: .unauthorized, reason: "invalid token"))
                }
                guard !identity.isExpired() else {
                    return .failure(HandshakeRefusal(status: .unauthorized, reason: "token expired"))
                }
                request.identity = identity
            } else if authentication.isRequired {
                return .failure(HandshakeRefusal(status: .unauthorized, reason: "missing credentials: send Authorization: Bearer <token>, a token query parameter or a token cookie"))
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
}
