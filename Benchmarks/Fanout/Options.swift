import Foundation
import Switchboard

/// A command-line mistake, with what to type instead.
struct UsageError: Error, CustomStringConvertible {
    var description: String
}

/// Which server a run measures.
enum ServerMode: String, Sendable, CaseIterable {
    /// A bare SwiftNIO WebSocket server writing one pre-encoded frame per channel.
    case bare
    /// Switchboard's `Server`, pushing to a room through `PushPublisher` and its transport.
    case switchboard
    /// The same with permessage-deflate (`Configuration.compression`, `serverNoContextTakeover`,
    /// so a push is compressed once for all members), offered by every member.
    case switchboardDeflate = "switchboard-deflate"
    /// Two Switchboard nodes over one Redis (`RedisClusterBus`), half of the members on each;
    /// every broadcast is triggered on the first node, so half of the deliveries cross Redis.
    case cluster

    /// Whether the members offer permessage-deflate.
    var compresses: Bool { self == .switchboardDeflate }
}

/// What a push body holds.
enum BodyKind: String, Sendable, CaseIterable {
    /// `0123456789abcdef` repeated (compresses to almost nothing).
    case hex
    /// A JSON array of small objects, like a list of cards (compresses like typical JSON).
    case json
}

/// The delivery class of Switchboard's broadcasts (`PushMessage.delivery`); the bare server
/// has none.
enum FanoutDelivery: String, Sendable, CaseIterable {
    /// Offset assigned under the publisher's lock, push kept in the room's history.
    case reliable
    /// Offset 0, not kept.
    case volatile

    /// The class the push names.
    var deliveryClass: DeliveryClass {
        switch self {
        case .reliable: .reliable
        case .volatile: .volatile
        }
    }
}

/// Options of `switchboard-fanout run`.
struct RunOptions {
    static let usage = """
        usage: switchboard-fanout run [--connections N] [--broadcasts K] [--payload BYTES]
                                      [--modes bare,switchboard] [--rounds R] [--sources S]
                                      [--delivery reliable|volatile|both] [--timeout SECONDS]
                                      [--body hex|json]
          --connections  members of the room, one WebSocket connection each (default 10000)
          --broadcasts   K: broadcasts one at a time, then K back to back (default 20)
          --payload      push body bytes (default 64)
          --modes        servers to measure, in order (default bare,switchboard); also
                         switchboard-deflate: Switchboard with permessage-deflate negotiated;
                         cluster: two Switchboard nodes over a redis-server the run starts
          --body         push body: hex (a repeated alphabet) or json (default hex)
          --rounds       repeat the modes, alternating, and report medians (default 1)
          --sources      spread client connections over 127.0.0.1 ... 127.0.0.S (default 1)
          --delivery     class of Switchboard's pushes; both: each class in turn on the same
                         connections and room, order alternating by round (default reliable)
          --timeout      bound on each wait (connecting, one broadcast, the burst) (default 30)
        """

    var connections = 10_000
    var broadcasts = 20
    var payload = 64
    var modes: [ServerMode] = [.bare, .switchboard]
    var rounds = 1
    var sources = 1
    var timeoutSeconds = 30.0
    var deliveries: [FanoutDelivery] = [.reliable]
    var body = BodyKind.hex

    init(parsing arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw UsageError(description: "\(flag) needs a value\n\(Self.usage)") }
            switch flag {
            case "--connections": connections = try Self.int(value, flag, in: 1...60_000)
            case "--broadcasts": broadcasts = try Self.int(value, flag, in: 1...10_000)
            case "--payload": payload = try Self.int(value, flag, in: 0...60_000)
            case "--rounds": rounds = try Self.int(value, flag, in: 1...20)
            case "--sources": sources = try Self.int(value, flag, in: 1...250)
            case "--timeout":
                guard let seconds = Double(value), seconds > 0 else { throw UsageError(description: "\(flag) takes seconds, got \(value)") }
                timeoutSeconds = seconds
            case "--delivery":
                switch value {
                case "both": deliveries = [.reliable, .volatile]
                default:
                    guard let delivery = FanoutDelivery(rawValue: value) else {
                        throw UsageError(description: "--delivery takes reliable, volatile or both, got \(value)")
                    }
                    deliveries = [delivery]
                }
            case "--body":
                guard let kind = BodyKind(rawValue: value) else { throw UsageError(description: "--body takes hex or json, got \(value)") }
                body = kind
            case "--modes":
                modes = try value.split(separator: ",").map { name in
                    guard let mode = ServerMode(rawValue: String(name)) else {
                        throw UsageError(description: "unknown mode \(name); use bare, switchboard, switchboard-deflate and/or cluster")
                    }
                    return mode
                }
            default: throw UsageError(description: "unknown option \(flag)\n\(Self.usage)")
            }
        }
    }

    static func int(_ value: String, _ flag: String, in range: ClosedRange<Int>) throws -> Int {
        guard let number = Int(value), range.contains(number) else {
            throw UsageError(description: "\(flag) takes an integer in \(range), got \(value)")
        }
        return number
    }
}

/// Options of `switchboard-fanout server` (set by `run`, which spawns it).
struct ServerOptions {
    static let usage = """
        usage: switchboard-fanout server bare|switchboard|switchboard-deflate <connections> <payload-bytes> hex|json
               switchboard-fanout server cluster <connections> <payload-bytes> hex|json <redis-port> <node-id>
        """

    var mode: ServerMode
    /// The connections this server waits for (a cluster node: its share of the members).
    var connections: Int
    var payload: Int
    var body: BodyKind
    /// The cluster's Redis port and this node's id (cluster mode only).
    var node: (redisPort: Int, id: String)?

    init(parsing arguments: [String]) throws {
        guard let name = arguments.first, let mode = ServerMode(rawValue: name), arguments.count == (mode == .cluster ? 6 : 4),
              let body = BodyKind(rawValue: arguments[3]) else {
            throw UsageError(description: Self.usage)
        }
        self.mode = mode
        self.connections = try RunOptions.int(arguments[1], "connections", in: 1...60_000)
        self.payload = try RunOptions.int(arguments[2], "payload", in: 0...60_000)
        self.body = body
        if mode == .cluster {
            node = (try RunOptions.int(arguments[4], "redis-port", in: 1...65_535), arguments[5])
        }
    }
}
