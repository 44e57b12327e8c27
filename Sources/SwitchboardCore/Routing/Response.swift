import Foundation

/// The response to one request, Express style: `res.status(.created).json(board)`.
///
/// Exactly one response leaves per request: the first `send`/`json`/`end` fixes it, and later
/// ones are ignored and reported to the router's diagnostics sink. A value, cheap to copy;
/// every copy writes the same response.
public struct Response: Sendable {
    let exchange: Exchange
    let diagnostics: @Sendable (String) -> Void

    /// The status the response is sent with (200 unless changed with ``status(_:)``).
    public var statusCode: Status { exchange.withLock { $0.status } }

    /// Whether the response was already sent.
    public var isSent: Bool { exchange.withLock { $0.isSent } }

    /// Sets the status for the send to come. Ignored (and reported) once sent.
    @discardableResult
    public func status(_ status: Status) -> Response {
        let accepted = exchange.withLock { state in
            guard !state.isSent else { return false }
            state.status = status
            return true
        }
        if !accepted { report("status(\(status)) after the response was sent is ignored") }
        return self
    }

    /// Sends `body` as the response.
    public func send(_ body: ArraySlice<UInt8>) {
        switch exchange.withLock({ $0.send(body) }) {
        case .accepted(let delivery): delivery?.perform()
        case .duplicate: report("a second response was sent and ignored")
        case .tooLate: report("a response sent after the deadline's 504 is ignored")
        }
    }

    /// Sends `body` as the response.
    public func send(_ body: [UInt8]) { send(body[...]) }

    /// Sends `text`, UTF-8 encoded, as the response.
    public func send(_ text: String) { send(Array(text.utf8)[...]) }

    /// Sends an empty response, e.g. `res.status(.noContent).end()`.
    public func end() { send(ArraySlice<UInt8>()) }

    /// Sends `value` encoded as JSON. Throws the encoder's error (a 500 once it reaches the
    /// router).
    public func json<Value: Encodable>(_ value: Value) throws {
        send(ArraySlice(try JSONEncoder().encode(value)))
    }

    private func report(_ problem: String) {
        let (method, url) = exchange.withLock { ($0.method, $0.url) }
        diagnostics("Switchboard: \(method) \(url): \(problem)")
    }
}
