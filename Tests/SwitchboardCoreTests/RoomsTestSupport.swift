import Synchronization
@testable import SwitchboardCore

extension RoomName {
    /// The rooms the tests use, as an application would declare them.
    static let board = RoomName.family("board")
    static let tasks = RoomName.family("tasks")
    static let sprints = RoomName.family("sprints")
}

/// A connection as handlers see it, for tests.
final class TestConnection: ConnectionContext {
    let id: ConnectionID
    let clientId: String?
    let identity: Identity?
    let roomRegistry = RoomRegistry()

    func publish(_ pushes: [Push]) {}

    init(_ id: String, clientId: String? = nil, user: String? = nil) {
        self.id = ConnectionID(id)
        self.clientId = clientId
        self.identity = user.map { Identity(userId: $0) }
    }
}

/// A transport that records what it was asked to deliver.
final class RecordingTransport: PushTransport {
    private let recorded = Mutex<[PushDelivery<String>]>([])

    func deliver(_ deliveries: [PushDelivery<String>]) {
        recorded.withLock { $0.append(contentsOf: deliveries) }
    }

    var deliveries: [PushDelivery<String>] { recorded.withLock { $0 } }

    /// The frames each connection received, decoded (batches unpacked).
    func frames(of id: String) throws -> [Frame] {
        var frames: [Frame] = []
        for delivery in deliveries where delivery.recipients.contains(where: { $0.id.rawValue == id }) {
            switch try FrameCodec.decode(delivery.bytes) {
            case .batch(let inner): frames += inner
            case let frame: frames.append(frame)
            }
        }
        return frames
    }
}

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let now = Mutex<Int64>(1_000)
    func read() -> Int64 { now.withLock { $0 } }
    func advance(to value: Int64) { now.withLock { $0 = value } }
}

extension Frame {
    /// The url of a push frame, or nil.
    var pushURL: String? {
        if case .push(let push) = self { return push.url }
        return nil
    }

    /// The body text of a push frame, or nil.
    var pushBody: String? {
        if case .push(let push) = self { return String(decoding: push.data, as: UTF8.self) }
        return nil
    }
}

/// Sorted ids for comparisons.
func ids(_ recipients: [Recipient<String>]) -> [String] { recipients.map(\.id.rawValue).sorted() }
func ids(_ set: Set<ConnectionID>) -> [String] { set.map(\.rawValue).sorted() }
