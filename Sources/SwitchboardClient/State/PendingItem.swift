import NIOCore
import SwitchboardCore

/// A request or message accepted by the client: waiting in the send queue (`wireID == nil`) or
/// in flight under `wireID`.
struct PendingItem: Sendable {
    /// What the caller gets: a response, `nil` once a message is written, or an error.
    typealias Outcome = Result<ClientResponse?, SwitchboardClientError>

    /// Who is told how the item ended.
    enum Completion: Sendable {
        /// A caller awaiting the outcome.
        case caller(CheckedContinuation<Outcome, Never>)
        /// The client itself, rejoining `room` after a reconnect.
        case rejoin(RoomName)
        /// The client itself, resuming its session first on a new connection (a RESUME frame).
        case resume
    }

    /// A request with its method, or a one-way message.
    let method: Method?
    /// The url as written, idempotency key included.
    let url: String
    let data: [UInt8]
    /// Whether it is sent again after a reconnect when its connection was lost in flight.
    let replayable: Bool
    let timeout: Duration
    let queueTimeout: Duration
    let completion: Completion
    var timer: Scheduled<Void>?
    var wireID: UInt32?
    /// The room the request subscribed to, from the SUBSCRIBE frame before its response.
    var subscription: RoomSubscription?

    /// Whether it stays in flight until an answer with its id (requests and RESUME).
    var expectsAnswer: Bool {
        if case .resume = completion { return true }
        return method != nil
    }

    /// The frame that carries it under `id`.
    func frame(id: UInt32) -> Frame {
        if case .resume = completion {
            return .control(ControlFrame(kind: .resume, id: id, data: data[...]))
        }
        if let method {
            return .request(RequestFrame(method: method, id: id, url: url, data: data[...]))
        }
        return .message(MessageFrame(id: id, url: url, data: data[...]))
    }

    /// Tells whoever waits how the item ended.
    func complete(_ outcome: Outcome) {
        if case .caller(let continuation) = completion { continuation.resume(returning: outcome) }
    }
}
