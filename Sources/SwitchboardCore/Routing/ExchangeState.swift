/// The state of one request/response exchange while it is routed: what the response holds,
/// what middleware stored on the request, and whether and how the reply has left.
///
/// A pure state machine: its methods change the state and return what the caller must do
/// (resume a waiting transport with a reply), so ``Exchange`` can act outside its lock and the
/// rules are testable on their own. The rules:
/// - the first `send` fixes the reply; later sends are refused (``SendOutcome/duplicate``);
/// - the reply leaves once the chain has returned *and* a reply was sent (so code after
///   `next()` has run), or at the deadline, with the sent reply if there is one, else 504;
/// - it leaves at most once.
struct ExchangeState: Sendable {
    /// A reply to hand to the transport waiting for it.
    struct Delivery: Sendable {
        let continuation: CheckedContinuation<Reply, Never>
        let reply: Reply
        let timer: Task<Void, Never>?

        /// Hands the reply over and stops the deadline timer.
        func perform() {
            timer?.cancel()
            continuation.resume(returning: reply)
        }
    }

    /// What happened to a `send`.
    enum SendOutcome: Sendable {
        /// The reply is set; deliver it if there is a delivery.
        case accepted(Delivery?)
        /// A reply was already sent; this one is dropped.
        case duplicate
        /// The deadline passed and the 504 already left; this one is dropped.
        case tooLate
    }

    /// The request's method and url, for diagnostics.
    let method: Method
    let url: String
    /// Whether replies go out without a body (HEAD).
    let headOnly: Bool

    /// The status the next `send` uses.
    var status: Status = .ok
    /// The reply, once sent.
    private(set) var reply: Reply?

    /// The identity set by middleware, if any (`hasIdentity` tells `nil` set from unset).
    var identity: Identity?
    var hasIdentity = false
    /// Typed per-request storage.
    var storage: [ObjectIdentifier: any Sendable] = [:]

    private var chainFinished = false
    private var expired = false
    private var delivered = false
    private var waiter: CheckedContinuation<Reply, Never>?
    private var timer: Task<Void, Never>?

    init(method: Method, url: String) {
        self.method = method
        self.url = url
        self.headOnly = method == .head
    }

    /// Whether a reply was sent, or the reply already left (the 504 at the deadline).
    var isSent: Bool { reply != nil || delivered }

    /// The reply sent at deadline time when there is none: 504.
    static let timeoutReply = Reply(
        status: .gatewayTimeout,
        body: HTTPError(.gatewayTimeout, "the handler did not answer before its deadline").body
    )

    /// Records a reply with the current status.
    mutating func send(_ body: ArraySlice<UInt8>) -> SendOutcome {
        guard reply == nil else { return .duplicate }
        guard !delivered else { return .tooLate }
        reply = Reply(status: status, body: headOnly ? [] : body)
        return .accepted(chainFinished ? deliver() : nil)
    }

    /// The chain returned (synchronously): the reply, when one was sent, leaves now.
    mutating func finishInline() -> Reply? {
        chainFinished = true
        guard let reply, !delivered else { return nil }
        delivered = true
        return reply
    }

    /// The chain returned (asynchronously).
    mutating func finishChain() -> Delivery? {
        chainFinished = true
        return reply != nil ? deliver() : nil
    }

    /// The transport waits for the reply through `continuation`.
    mutating func wait(_ continuation: CheckedContinuation<Reply, Never>) -> Delivery? {
        waiter = continuation
        return (chainFinished && reply != nil) || expired ? deliver() : nil
    }

    /// The deadline timer started. Returns `false` when the reply already left (the caller
    /// cancels the timer).
    mutating func startTimer(_ task: Task<Void, Never>) -> Bool {
        guard !delivered else { return false }
        timer = task
        return true
    }

    /// The deadline passed. Returns the delivery, if the reply had not left yet.
    mutating func expire() -> Delivery? {
        guard !delivered else { return nil }
        expired = true
        return deliver()
    }

    private mutating func deliver() -> Delivery? {
        guard !delivered, let continuation = waiter else { return nil }
        delivered = true
        waiter = nil
        let pendingTimer = timer
        timer = nil
        return Delivery(continuation: continuation, reply: reply ?? Self.timeoutReply, timer: pendingTimer)
    }
}
