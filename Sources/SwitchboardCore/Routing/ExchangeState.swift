/// The state of one request/response exchange while it is routed: what the response holds,
/// what middleware stored on the request, and whether and how the reply has left.
///
/// A pure state machine: its methods change the state and return what the caller must do
/// (hand a reply to the transport's sink), so ``Exchange`` can act outside its lock and the
/// rules are testable on their own. The rules:
/// - the first `send` fixes the reply; later sends are refused (``SendOutcome/duplicate``);
///   one made after the reply left (the deadline's 504, or the transport gave up) does not
///   leave but is still recorded (``SendOutcome/tooLate``), so ``Idempotency`` can answer
///   repeats with it;
/// - the reply leaves once the chain has returned *and* a reply was sent (so code after
///   `next()` has run), or at the deadline, with the sent reply if there is one, else 504;
/// - it leaves at most once.
struct ExchangeState: Sendable {
    /// A reply to hand to the transport waiting for it.
    struct Delivery: Sendable {
        let sink: @Sendable (Reply) -> Void
        let reply: Reply
        /// Tasks to cancel: the deadline timer, and the chain's task when the deadline (or the
        /// transport) ended the exchange first.
        let cancelling: [Task<Void, Never>]
        /// The pushes the handler made, released with the reply.
        var pushes: [Push] = []
        var connection: (any ConnectionContext)? = nil

        /// Stops what must stop, publishes the handler's pushes and hands the reply over.
        func perform() {
            for task in cancelling { task.cancel() }
            if !pushes.isEmpty { connection?.publish(pushes) }
            sink(reply)
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
    /// The reply, once sent; also one sent after the exchange ended (it did not leave, but
    /// ``Idempotency`` keeps it for repeats of the request).
    private(set) var reply: Reply?

    /// The identity set by middleware, if any (`hasIdentity` tells `nil` set from unset).
    var identity: Identity?
    var hasIdentity = false
    /// Typed per-request storage.
    var storage: [ObjectIdentifier: any Sendable] = [:]

    /// The connection the request came from: where the handler's pushes are published.
    let connection: (any ConnectionContext)?
    /// The pushes the handler made while its reply has not left; published together when it
    /// leaves, so each recipient gets them in one message.
    private var heldPushes: [Push] = []
    private var pushesReleased = false

    private var chainFinished = false
    private var expired = false
    private var delivered = false
    private var sink: (@Sendable (Reply) -> Void)?
    private var timer: Task<Void, Never>?
    private var work: Task<Void, Never>?

    init(method: Method = .get, url: String = "", connection: (any ConnectionContext)? = nil) {
        self.method = method
        self.url = url
        self.connection = connection
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
        reply = Reply(status: status, body: headOnly ? [] : body)
        guard !delivered else { return .tooLate }
        return .accepted(chainFinished ? deliver() : nil)
    }

    /// Holds a push until the reply leaves; `false` when the reply already left (publish it
    /// now).
    mutating func hold(_ push: Push) -> Bool {
        guard !pushesReleased else { return false }
        heldPushes.append(push)
        return true
    }

    /// The chain returned (synchronously): the reply, when one was sent, leaves now, with
    /// the pushes to publish.
    mutating func finishInline() -> (reply: Reply, pushes: [Push])? {
        chainFinished = true
        guard let reply, !delivered else { return nil }
        delivered = true
        return (reply, releasePushes())
    }

    private mutating func releasePushes() -> [Push] {
        pushesReleased = true
        defer { heldPushes = [] }
        return heldPushes
    }

    /// The chain returned (asynchronously).
    mutating func finishChain() -> Delivery? {
        chainFinished = true
        return reply != nil ? deliver() : nil
    }

    /// The transport takes the reply through `sink`, called once.
    mutating func wait(_ sink: @escaping @Sendable (Reply) -> Void) -> Delivery? {
        self.sink = sink
        return (chainFinished && reply != nil) || expired ? deliver() : nil
    }

    /// The deadline timer started. Returns `false` when the reply already left (the caller
    /// cancels the timer).
    mutating func startTimer(_ task: Task<Void, Never>) -> Bool {
        guard !delivered else { return false }
        timer = task
        return true
    }

    /// The chain's task started. Returns `false` when the reply already left (the caller
    /// cancels the task).
    mutating func startWork(_ task: Task<Void, Never>) -> Bool {
        guard !delivered else { return false }
        work = task
        return true
    }

    /// The deadline passed, or the transport gave up. Returns the delivery (504 unless a
    /// reply was sent), if the reply had not left yet.
    mutating func expire() -> Delivery? {
        guard !delivered else { return nil }
        expired = true
        return deliver()
    }

    private mutating func deliver() -> Delivery? {
        guard !delivered, let sink else { return nil }
        delivered = true
        self.sink = nil
        var cancelling: [Task<Void, Never>] = []
        if let timer { cancelling.append(timer) }
        if expired, let work { cancelling.append(work) }
        timer = nil
        work = nil
        return Delivery(sink: sink, reply: reply ?? Self.timeoutReply, cancelling: cancelling, pushes: releasePushes(), connection: connection)
    }
}
