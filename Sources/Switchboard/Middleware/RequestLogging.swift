import Logging
import SwitchboardCore

/// Logs every request that reaches the routes registered after it: one record per request,
/// with its method, url, id, connection, status and duration in milliseconds.
///
/// ```swift
/// router.use(RequestLogging(logger: logger))
/// ```
///
/// Synchronous, so routes behind it stay on the inline fast path. A request is logged when the
/// chain returns: with the status sent, or the status of an error thrown below it (an
/// `HTTPError`'s, else 500), or `-` when the handler answers later, outside the chain. Like
/// any path-less middleware it also sees the router's own 404/405/OPTIONS replies.
public struct RequestLogging: Sendable {
    /// Where records go.
    public var logger: Logger
    /// The level of each record. Default `.info`.
    public var level: Logger.Level

    /// Request logging to `logger` at `level`.
    public init(logger: Logger, level: Logger.Level = .info) {
        self.logger = logger
        self.level = level
    }

    /// The start of a request, kept in its storage.
    private enum StartKey: RequestStorageKey {
        typealias Value = ContinuousClock.Instant
    }

    /// The middleware, outermost first: the error logger, then the timer.
    var middleware: [Middleware] {
        let logging = self
        return [
            .error { error, request, _ in
                let status = (error as? any HTTPErrorConvertible)?.httpError.status ?? .internalServerError
                logging.log(request, status: "\(status.code)")
            },
            .sync(
                before: { request, _ in request.storage[StartKey.self] = ContinuousClock.now },
                after: { request, response in
                    logging.log(request, status: response.isSent ? "\(response.statusCode.code)" : "-")
                }
            ),
        ]
    }

    private func log(_ request: Request, status: String) {
        var metadata: Logger.Metadata = [
            "method": "\(request.method)", "url": "\(request.url)", "id": "\(request.id)",
            "connection": "\(request.connection.id)", "status": "\(status)",
        ]
        if let start = request.storage[StartKey.self] {
            let milliseconds = (ContinuousClock.now - start) / .milliseconds(1)
            metadata["durationMs"] = "\((milliseconds * 1_000).rounded() / 1_000)"
        }
        logger.log(level: level, "request", metadata: metadata)
    }
}

extension Router {
    /// Logs every request to the routes registered after this call (see ``RequestLogging``).
    public mutating func use(_ logging: RequestLogging) {
        for middleware in logging.middleware { use(middleware) }
    }
}
