// switchboard-publish-cost: the server-side work of publishing pushes of one class to a room
// and writing each member's queue, without sockets, for instruction counts under callgrind.
// See Benchmarks/DELIVERY.md.
import Foundation
import SwitchboardCore

/// `switchboard-publish-cost`: the server-side work of publishing bursts of pushes to
/// one room and writing each member's queue, in one process without sockets, for instruction
/// counts under `valgrind --tool=callgrind` (stable on a loaded machine, unlike CPU time).
///
/// Each round publishes `pushes` pushes of one class to a room of `members` connections through
/// `PushPublisher.publish` (the lock, the offset, the history, the members), queues each
/// delivery in its member's queue (a reference to the one encoded frame, as the server's
/// per-connection outbox does) and flushes every queue: per member, the queue's ordering rule
/// (`QueuedPush.ordered`) and one batch frame, as a server connection writes a burst. A run
/// with `--rounds 0` does the same setup and nothing else: subtract its count.
@main
enum PublishCost {
    static func main() {
        do {
            try run(try PublishCostOptions(parsing: Array(CommandLine.arguments.dropFirst())))
        } catch {
            FileHandle.standardError.write(Data("switchboard-publish-cost: \(error)\n\(PublishCostOptions.usage)\n".utf8))
            exit(64)
        }
    }

    static func run(_ options: PublishCostOptions) throws {
        let connections = ConnectionRegistry<Int>()
        let rooms = RoomRegistry()
        let room = RoomName("board-1")
        for index in 0..<options.members {
            connections.add(id: ConnectionID("c\(index)"), handle: index)
            rooms.join(room, ConnectionID("c\(index)"))
        }
        // `--rooms N`: N other rooms holding one push each, and the total bound set to what they
        // hold, so that every push of the rounds is kept at the bound.
        var policy = DeliveryPolicy()
        let idle = Array(#"{"id":1,"note":"kept"}"#.utf8)
        if options.rooms > 0 {
            policy.maxTotalBytes = options.rooms * (try PushMessage(url: "/idle", body: idle).encodedFrame(room: RoomName("idle-0"))).count
        }
        let history = HistoryStore(policy: policy)
        for index in 0..<options.rooms {
            var frame = try PushMessage(url: "/idle", body: idle).encodedFrame(room: RoomName("idle-\(index)"))
            _ = history.appendReliable(&frame, to: RoomName("idle-\(index)"))
        }
        // `--acks`: every member has a session and acknowledges the room's latest offset after
        // each round. `--parked N`: N parked sessions (each listing a room of its own and the
        // board) and N idle histories of rooms without members; each round sweeps the histories
        // once (the server does at most once a second), asking whether parked sessions hold them.
        let sessions = SessionRegistry()
        if options.acks {
            for index in 0..<options.members { _ = sessions.open(ConnectionID("c\(index)"), userId: nil) }
        }
        for index in 0..<options.parked {
            let id = ConnectionID("p\(index)")
            _ = sessions.open(id, userId: "u\(index)")
            sessions.park(id, rooms: [RoomName("own-\(index)"), room], isActive: true)
            _ = history.position(of: RoomName("gone-\(index)"))
        }
        let publisher = PushPublisher(connections: connections, rooms: rooms, history: history)
        var queues = [[QueuedPush<[UInt8]>]](repeating: [], count: options.members)
        var written = (messages: 0, bytes: 0)
        let body = Array(#"{"id":7,"name":"Roadmap","updatedAt":1764676800000}"#.utf8)
        for _ in 0..<options.rounds {
            let pushes = (0..<options.pushes).map { _ in
                Push(PushMessage(url: "/boards/1/updated", body: body, delivery: options.delivery), to: .room(room))
            }
            publisher.publish(pushes) { deliveries in
                for delivery in deliveries {
                    let queued = QueuedPush(
                        payload: delivery.bytes, createdAt: delivery.createdAt, sequence: 0, latestKey: delivery.latestKey, historyRoom: delivery.historyRoom
                    )
                    for recipient in delivery.recipients {
                        var item = queued
                        item.sequence = UInt64(queues[recipient.handle].count + 1)
                        queues[recipient.handle].append(item)
                    }
                }
            }
            if options.acks {
                let position = history.position(of: room)
                for index in 0..<options.members {
                    publisher.acknowledge(room, epoch: position.epoch, offset: position.offset, from: ConnectionID("c\(index)"), sessions: sessions)
                }
            }
            if options.parked > 0 { history.sweep(force: true) { rooms.exists($0) || sessions.parkedSessionsHold($0) } }
            for member in queues.indices where !queues[member].isEmpty {
                let ordered = QueuedPush.ordered(queues[member])
                let frame = ordered.count == 1 ? ordered[0].payload : FrameCodec.batch(ofEncoded: ordered.map(\.payload))
                written.messages += ordered.count
                written.bytes += frame.count
                queues[member].removeAll(keepingCapacity: true)
            }
        }
        let deliveries = options.rounds * options.pushes * options.members
        print("publish-cost: \(options.rounds) rounds × \(options.pushes) \(options.deliveryName) pushes × \(options.members) members = \(deliveries) deliveries; \(written.messages) messages, \(written.bytes) bytes written")
    }
}

struct PublishCostOptions {
    static let usage = """
        usage: switchboard-publish-cost [--members N] [--pushes K] [--rounds R] [--delivery reliable|volatile] [--rooms N]
                                        [--acks yes] [--parked N]
          --members   connections in the room (default 1000)
          --pushes    pushes per round, coalesced per member (default 20)
          --rounds    rounds (default 20; 0 = setup only)
          --delivery  the pushes' class (default reliable)
          --rooms     other rooms with a kept push each, the histories' total bound set to what
                      they hold: every push is kept at the bound (default 0: no bound reached)
          --acks      yes: every member acknowledges the room's latest offset after each round
          --parked    parked sessions and idle histories; each round sweeps the histories once
        """

    var members = 1_000
    var pushes = 20
    var rounds = 20
    var delivery: DeliveryClass = .reliable
    var deliveryName = "reliable"
    var rooms = 0
    var acks = false
    var parked = 0

    init(parsing arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw PublishCostOptions.Invalid(reason: "\(flag) needs a value") }
            switch flag {
            case "--members": members = try Self.int(value, flag, in: 1...1_000_000)
            case "--pushes": pushes = try Self.int(value, flag, in: 1...10_000)
            case "--rounds": rounds = try Self.int(value, flag, in: 0...1_000_000)
            case "--rooms": rooms = try Self.int(value, flag, in: 0...1_000_000)
            case "--acks": acks = value == "yes"
            case "--parked": parked = try Self.int(value, flag, in: 0...1_000_000)
            case "--delivery":
                switch value {
                case "reliable": delivery = .reliable
                case "volatile": delivery = .volatile
                default: throw PublishCostOptions.Invalid(reason: "--delivery is reliable or volatile")
                }
                deliveryName = value
            default: throw PublishCostOptions.Invalid(reason: "unknown option \(flag)")
            }
        }
    }

    /// A bad command line.
    struct Invalid: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    static func int(_ text: String, _ flag: String, in range: ClosedRange<Int>) throws -> Int {
        guard let value = Int(text), range.contains(value) else { throw Invalid(reason: "\(flag) must be an integer in \(range)") }
        return value
    }
}
