import NIOHTTP1

/// The HTTP side of one connection until it is a WebSocket or answered as plain HTTP, as a
/// pure state machine: ``HandshakeHandler`` feeds it the request's parts and the server's
/// decision, and carries out the action each returns.
///
/// A request without `Upgrade` is plain HTTP; one with an `Upgrade` that does not name
/// `websocket` is refused with 400; otherwise the server decides (checks, capacity, token, the
/// upgrade hook). The upgrade happens once it is decided and the request has ended; a refusal is
/// answered as soon as it is known. A body, or a second head, on an upgrade request breaks the
/// handshake: the connection is closed.
struct HandshakeStateMachine {
    /// Where the handshake is.
    enum State: Equatable {
        /// No request head yet.
        case awaitingHead
        /// The head asks for a WebSocket; the server is deciding.
        case deciding(HTTPRequestHead, sawEnd: Bool)
        /// Decided to upgrade; waiting for the request's end.
        case awaitingEnd
        /// Upgraded, handed to plain HTTP, failed, or closed: nothing more to do.
        case finished
    }

    /// What the handler does next.
    enum Action: Equatable {
        /// Nothing yet.
        case none
        /// Run the server's decision for this head, then report it with ``decided(refusal:)``.
        case decide(HTTPRequestHead)
        /// Hand the connection to the plain HTTP handlers: pass them `parts`, answering
        /// `refusal` when there is one, else the request itself.
        case answerOverHTTP(refusal: HandshakeRefusal?, parts: [HTTPServerRequestPart])
        /// Send the 101 and open the WebSocket.
        case upgrade
        /// Close the connection: the request broke the handshake.
        case close
    }

    /// The reason of the 400 for an `Upgrade` that does not name `websocket`.
    static let otherProtocolReason = "invalid upgrade request: this server upgrades only to websocket"

    private(set) var state = State.awaitingHead

    /// A part of the request arrived.
    mutating func read(_ part: HTTPServerRequestPart) -> Action {
        switch (state, part) {
        case (.awaitingHead, .head(let head)):
            let upgrades = head.headers[canonicalForm: "Upgrade"]
            if upgrades.isEmpty {
                state = .finished
                return .answerOverHTTP(refusal: nil, parts: [.head(head)])
            }
            guard upgrades.contains(where: { $0.lowercased() == "websocket" }) else {
                state = .finished
                return .answerOverHTTP(refusal: HandshakeRefusal(status: .badRequest, reason: Self.otherProtocolReason), parts: [.head(head)])
            }
            state = .deciding(head, sawEnd: false)
            return .decide(head)
        case (.deciding(let head, sawEnd: false), .end):
            state = .deciding(head, sawEnd: true)
            return .none
        case (.awaitingEnd, .end):
            state = .finished
            return .upgrade
        case (.finished, _):
            return .none
        default:
            // A body or a second head on an upgrade request, or a part before any head.
            state = .finished
            return .close
        }
    }

    /// The server decided: `refusal` is `nil` when a 101 follows (an accepted connection, or a
    /// refusal told as a close), else the refusal to answer over HTTP.
    mutating func decided(refusal: HandshakeRefusal?) -> Action {
        guard case .deciding(let head, let sawEnd) = state else { return .none }
        if let refusal {
            state = .finished
            return .answerOverHTTP(refusal: refusal, parts: sawEnd ? [.head(head), .end(nil)] : [.head(head)])
        }
        if sawEnd {
            state = .finished
            return .upgrade
        }
        state = .awaitingEnd
        return .none
    }

    /// The request could not be parsed: whether to answer it with a 400 (nothing was handed on
    /// or answered yet). The connection closes either way.
    mutating func parseFailed() -> Bool {
        defer { state = .finished }
        return state != .finished
    }

    /// Whether the connection should read no more for now: the upgrade request has ended and
    /// the decision is pending, so anything read would only pile up (bounded again once the
    /// kernel's receive buffer is full).
    var holdsReads: Bool {
        if case .deciding(_, sawEnd: true) = state { return true }
        return false
    }

    /// The connection closed: a decision that comes later is dropped.
    mutating func closed() {
        state = .finished
    }
}
