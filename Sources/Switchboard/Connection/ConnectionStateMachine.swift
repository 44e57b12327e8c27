import NIOCore

/// The limits and life of one WebSocket connection, as a pure state machine: the
/// ``ConnectionHandler`` feeds it events and executes the actions it returns.
///
/// It counts requests waiting for an asynchronous handler (the in-flight limit), malformed
/// frames per window (the flood limit), silent ping intervals (the idle limit), and tracks the
/// close handshake and graceful shutdown.
struct ConnectionStateMachine {
    enum State: Equatable {
        /// Serving requests.
        case open
        /// Shutting down: answering the requests in flight, refusing new ones.
        case draining
        /// A close frame was sent; waiting for the peer's.
        case closing
        /// The channel is closed.
        case closed
    }

    /// What to do with a request whose handler must be awaited.
    enum PendingAction: Equatable {
        /// Run it.
        case run
        /// Answer 429: too many in flight.
        case refuseTooMany
        /// Answer 503: the server is shutting down.
        case refuseShuttingDown
        /// Drop it: the connection is closing.
        case drop
    }

    /// What to do with an answer that has just become available.
    enum CompletionAction: Equatable {
        /// Write it.
        case write
        /// Write it, then close with 1001: it was the last one awaited by a shutdown.
        case writeAndCloseGoingAway
        /// Drop it: the connection is closing or closed.
        case drop
    }

    /// What to do after a malformed frame.
    enum MalformedAction: Equatable {
        /// Answer with an error frame (400); the connection stays open.
        case answerWithError
        /// Close with 1008: too many within the window.
        case closeForFlood
        /// Nothing: the connection is closing.
        case ignore
    }

    /// What to do when shutdown is requested.
    enum ShutdownAction: Equatable {
        /// Close with 1001 now: nothing is in flight.
        case closeGoingAway
        /// Wait for the requests in flight; the last completion closes.
        case waitForInFlight
        /// Nothing: already closing.
        case none
    }

    /// What to do at a ping tick.
    enum PingAction: Equatable {
        /// The peer spoke since the last tick: nothing to do.
        case none
        /// Send a ping.
        case ping
        /// Close with 1001 `idle timeout`: silent for too long.
        case closeIdle
    }

    private(set) var state: State = .open
    private(set) var inFlight = 0
    private let maxInFlight: Int
    private let maxMalformed: Int
    private let malformedWindow: TimeAmount
    private var malformedWindowStart: NIODeadline?
    private var malformedCount = 0
    private let silentTicksAllowed: Int
    private var silentTicks = 0
    private var heardSinceTick = false

    init(configuration: Configuration) {
        self.maxInFlight = configuration.maxInFlightRequests
        self.maxMalformed = configuration.maxMalformedFrames
        self.malformedWindow = configuration.malformedFrameWindow
        if let interval = configuration.pingInterval, interval.nanoseconds > 0 {
            let ticks = configuration.idleTimeout.nanoseconds / interval.nanoseconds
            self.silentTicksAllowed = Int(max(1, ticks))
        } else {
            self.silentTicksAllowed = .max
        }
    }

    /// Whether requests and messages are still being accepted.
    var isServing: Bool { state == .open }

    /// Whether frames may still be written.
    var canWrite: Bool { state == .open || state == .draining }

    /// A request's handler returned a pending operation.
    mutating func pendingStarted() -> PendingAction {
        switch state {
        case .open:
            guard inFlight < maxInFlight else { return .refuseTooMany }
            inFlight += 1
            return .run
        case .draining: return .refuseShuttingDown
        case .closing, .closed: return .drop
        }
    }

    /// A pending operation produced its answer.
    mutating func pendingCompleted() -> CompletionAction {
        inFlight -= 1
        switch state {
        case .open: return .write
        case .draining: return inFlight == 0 ? .writeAndCloseGoingAway : .write
        case .closing, .closed: return .drop
        }
    }

    /// The peer sent a frame that could not be decoded.
    mutating func malformedFrame(at now: NIODeadline) -> MalformedAction {
        guard canWrite else { return .ignore }
        if let start = malformedWindowStart, now - start < malformedWindow {
            malformedCount += 1
        } else {
            malformedWindowStart = now
            malformedCount = 1
        }
        return malformedCount > maxMalformed ? .closeForFlood : .answerWithError
    }

    /// The peer sent a frame of any kind.
    mutating func heardFromPeer() {
        heardSinceTick = true
    }

    /// The ping timer fired.
    mutating func pingTick() -> PingAction {
        guard canWrite else { return .none }
        if heardSinceTick {
            heardSinceTick = false
            silentTicks = 0
            return .none
        }
        silentTicks += 1
        return silentTicks > silentTicksAllowed ? .closeIdle : .ping
    }

    /// A graceful shutdown began.
    mutating func shutdownRequested() -> ShutdownAction {
        switch state {
        case .open:
            if inFlight == 0 { return .closeGoingAway }
            state = .draining
            return .waitForInFlight
        case .draining, .closing, .closed: return .none
        }
    }

    /// The server is about to send a close frame. Returns `false` when one was already sent.
    mutating func closeSent() -> Bool {
        switch state {
        case .open, .draining:
            state = .closing
            return true
        case .closing, .closed: return false
        }
    }

    /// The channel closed.
    mutating func channelClosed() {
        state = .closed
    }
}
