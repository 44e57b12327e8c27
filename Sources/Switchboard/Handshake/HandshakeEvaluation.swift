import NIOCore
import NIOHTTP1

/// Decides one WebSocket handshake: the server's checks, capacity, token authentication, then
/// the application's upgrade hook. Runs without a task unless authentication or a hook is
/// configured.
enum HandshakeEvaluation {
    /// Evaluates `head`; records the outcome in `outcome` and returns the extra response headers
    /// of an accepted upgrade, or `nil` to refuse (the plain HTTP handler then answers).
    static func evaluate(
        _ head: HTTPRequestHead,
        channel: any Channel,
        components: ServerComponents,
        outcome: NIOLoopBoundBox<HandshakeOutcome>
    ) -> EventLoopFuture<HTTPHeaders?> {
        let eventLoop = channel.eventLoop
        let configuration = components.configuration
        let request = UpgradeRequest(head: head, remoteAddress: channel.remoteAddress)
        if let refusal = HandshakeChecks.refusal(for: request, configuration: configuration) {
            return refuse(refusal, outcome: outcome, components: components, request: request)
        }
        switch components.connections.reserve() {
        case .success:
            break
        case .failure(.atCapacity(let limit)):
            return refuse(HandshakeRefusal(status: .serviceUnavailable, reason: "server at capacity (\(limit) connections); retry later"), outcome: outcome, components: components, request: request)
        case .failure(.shuttingDown):
            return refuse(HandshakeRefusal(status: .serviceUnavailable, reason: "server is shutting down; retry later"), outcome: outcome, components: components, request: request)
        }
        let headers = configuration.rawEchoMode ? HTTPHeaders() : HTTPHeaders([("Sec-WebSocket-Protocol", FrameCodec.subprotocol)])
        let connections = components.connections
        if components.authentication == nil && components.upgradeHook == nil {
            outcome.value = .accepted(identity: nil, clientId: request.query["clientId"], features: features(head, components))
            channel.closeFuture.whenComplete { _ in connections.release() }
            return eventLoop.makeSucceededFuture(headers)
        }
        let promise = eventLoop.makePromise(of: Result<(Identity?, String?), HandshakeRefusal>.self)
        promise.completeWithTask { await decide(request, components: components) }
        return promise.futureResult.map { decision -> HTTPHeaders? in
            switch decision {
            case .success(let (identity, clientId)):
                outcome.value = .accepted(identity: identity, clientId: clientId, features: features(head, components))
                channel.closeFuture.whenComplete { _ in connections.release() }
                return headers
            case .failure(let refusal):
                connections.release()
                outcome.value = .refused(refusal)
                log(refusal, components: components, request: request)
                return nil
            }
        }
    }

    /// The features the upgrade request's query asks for.
    private static func features(_ head: HTTPRequestHead, _ components: ServerComponents) -> Result<FeatureHandshake, FeatureHandshakeError> {
        Result { () throws(FeatureHandshakeError) in try components.features.handshake(query: head.uri) }
    }

    private static func refuse(_ refusal: HandshakeRefusal, outcome: NIOLoopBoundBox<HandshakeOutcome>, components: ServerComponents, request: UpgradeRequest) -> EventLoopFuture<HTTPHeaders?> {
        outcome.value = .refused(refusal)
        log(refusal, components: components, request: request)
        return outcome.eventLoop.makeSucceededFuture(nil)
    }

    private static func log(_ refusal: HandshakeRefusal, components: ServerComponents, request: UpgradeRequest) {
        components.logger.info("handshake refused", metadata: [
            "status": "\(refusal.status)", "reason": "\(refusal.reason)", "remote": "\(request.remoteAddress.map { "\($0)" } ?? "-")",
        ])
    }

    /// Token authentication, then the upgrade hook.
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
            return .success((request.identity, request.query["clientId"]))
        }
        switch await hook(request) {
        case .accept(let identity, let clientId):
            return .success((identity, clientId ?? request.query["clientId"]))
        case .refuse(let status, let reason):
            return .failure(HandshakeRefusal(status: status, reason: reason))
        }
    }
}
