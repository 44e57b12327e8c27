/// Answers requests: the seam between the transport (server, test client) and routing.
///
/// ``Router`` is the responder applications use; transports depend only on this protocol.
public protocol Responder: Sendable {
    /// Routes one request.
    ///
    /// Returns ``Dispatch/completed(_:)`` when the answer was produced inline, on the caller's
    /// thread, without entering Swift concurrency (the fast path for synchronous handlers and
    /// middleware), and ``Dispatch/pending(_:)`` when the answer needs a task: the caller
    /// starts it (or awaits it) through the returned ``PendingReply``.
    func respond(to request: Request) -> Dispatch

    /// Routes one request as ``respond(to:)`` does, and names the route that answers it in
    /// `pattern`: the registered pattern with any mount and group prefixes (`/boards/:id`), or
    /// `nil` when no route matched (404, 405, automatic OPTIONS). Transports label metrics and
    /// traces with it, so the raw url (unbounded) never becomes a label. The default
    /// implementation, for responders without routes, sets it to `nil`.
    func respond(to request: Request, pattern: inout String?) -> Dispatch
}

extension Responder {
    /// Routes `request` with ``respond(to:)`` and reports no pattern (`nil`).
    public func respond(to request: Request, pattern: inout String?) -> Dispatch {
        pattern = nil
        return respond(to: request)
    }
}

/// The outcome of ``Responder/respond(to:)``.
public enum Dispatch: Sendable {
    /// Answered inline.
    case completed(Reply)
    /// Needs a task; it never fails (errors become replies) and carries the responder's
    /// deadline.
    case pending(PendingReply)
}

/// What goes back to the client for one request: a status and a body.
public struct Reply: Sendable, Hashable {
    /// The response status.
    public var status: Status
    /// The response body: JSON by convention.
    public var body: ArraySlice<UInt8>

    /// A reply.
    public init(status: Status, body: ArraySlice<UInt8> = []) {
        self.status = status
        self.body = body
    }
}
