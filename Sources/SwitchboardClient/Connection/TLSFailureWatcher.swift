import NIOCore
import NIOSSL
import NIOTLS

/// Sits right after the TLS handler of a `wss://` connection until its handshake completes:
/// a TLS error before then fails the attempt with a ``TLSHandshakeFailure`` that says what
/// went wrong, instead of the generic failure of the upgrade it interrupted.
final class TLSFailureWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let host: String
    private let failure: EventLoopPromise<UpgradeResult>

    init(host: String, failing failure: EventLoopPromise<UpgradeResult>) {
        self.host = host
        self.failure = failure
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let reason = Self.reason(for: error, host: host) {
            failure.fail(TLSHandshakeFailure(reason: reason))
        }
        context.fireErrorCaught(error)
    }

    /// What a TLS error means, in words; `nil` for errors that are not TLS's.
    static func reason(for error: any Error, host: String) -> String? {
        switch error {
        case let error as NIOSSLExtraError where error == .failedToValidateHostname:
            return "the server's certificate is not valid for \(host) (\(error))"
        case NIOSSLError.handshakeFailed(let detail):
            let text = "\(detail)"
            if text.contains("CERTIFICATE_VERIFY_FAILED") {
                return "the server's certificate is not trusted: it does not chain to a trusted certificate authority, or it has expired (\(text))"
            }
            return "the TLS handshake was refused (\(text))"
        case let error as NIOSSLError:
            return "\(error)"
        case let error as NIOSSLExtraError:
            return "\(error)"
        default:
            return nil
        }
    }
}

/// A `wss://` attempt whose TLS handshake failed; ``reason`` says why.
struct TLSHandshakeFailure: Error {
    var reason: String
}

@available(*, unavailable)
extension TLSFailureWatcher: Sendable {}
