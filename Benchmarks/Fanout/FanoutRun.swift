import Foundation
import NIOCore

/// `switchboard-fanout run`: for each mode (and round), starts its servers, opens the members,
/// joins them to the room, and measures broadcasts at the clients, for Switchboard once per
/// delivery class on the same connections.
struct FanoutRun {
    /// Broadcasts before measuring, one at a time, not counted.
    static let warmup = 2

    let options: RunOptions

    func run() throws {
        try OpenFiles.raiseLimit(atLeast: options.connections + 200)
        var measurements: [FanoutMeasurement] = []
        for round in 1...options.rounds {
            for mode in options.modes {
                progress("round \(round)/\(options.rounds): \(mode.rawValue), \(options.connections) connections")
                measurements.append(contentsOf: try measure(mode, round: round))
            }
        }
        print(FanoutReport(options: options, measurements: measurements).text)
    }

    /// The delivery classes measured for `mode` in `round`, in order: every other round
    /// reversed, so neither class always runs first on a fresh server.
    private func classes(for mode: ServerMode, round: Int) -> [FanoutDelivery?] {
        guard mode != .bare else { return [nil] }
        return round % 2 == 1 ? options.deliveries : options.deliveries.reversed()
    }

    /// One mode's servers (one process, or two cluster nodes): connects the members, warms
    /// up, then measures each delivery class on the same connections and room.
    private func measure(_ mode: ServerMode, round: Int) throws -> [FanoutMeasurement] {
        let members = options.connections
        let timeout = options.timeoutSeconds
        let nodes = try FanoutNodes(mode: mode, members: members, options: options)
        defer { nodes.stop() }
        let server = nodes.trigger

        let counter = DeliveryCounter(perBroadcast: members)
        let connectStart = Clock.nanoseconds()
        let client = try FanoutClient.connect(
            ports: nodes.ports, count: members, sources: options.sources, offersDeflate: mode.compresses,
            expectedBody: FanoutPush.body(size: options.payload, kind: options.body), counter: counter, timeout: .seconds(Int64(timeout))
        )
        defer { client.close() }
        let connectSeconds = Self.seconds(Clock.nanoseconds() - connectStart)

        let joined = try nodes.prepare()
        guard joined == members else { throw UsageError(description: "the room has \(joined) members, expected \(members)") }
        let classes = classes(for: mode, round: round)
        var delivered = 0
        for _ in 0..<Self.warmup {
            delivered += members
            _ = try broadcast(1, delivery: classes.first ?? nil, server: server, counter: counter, until: delivered)
        }

        var results: [FanoutMeasurement] = []
        for delivery in classes {
            var result = FanoutMeasurement(mode: mode, delivery: delivery, connections: members, broadcasts: options.broadcasts)
            result.connectSeconds = connectSeconds
            result.round = round

            // One broadcast at a time: trigger, wait for the last delivery, repeat.
            let redisBefore = try nodes.redis?.stats()
            var cpu = CPUSample(servers: nodes.pids)
            var wire = counter.wireByteCount
            let first = Clock.nanoseconds()
            var last = first
            for _ in 0..<options.broadcasts {
                delivered += members
                let (triggered, done, account) = try broadcast(1, delivery: delivery, server: server, counter: counter, until: delivered)
                result.latenciesMs.append(Self.milliseconds(done - triggered))
                result.account.add(account)
                last = done
            }
            result.sequentialSeconds = Self.seconds(last - first)
            result.serverUserMicrosSequential = cpu.serverUserSinceLast
            (result.serverMicrosSequential, result.clientMicrosSequential) = cpu.take()
            // Every delivery of the phase has been counted, and nothing else was sent.
            (result.wireBytesSequential, wire) = (counter.wireByteCount - wire, counter.wireByteCount)

            // K broadcasts back to back, from one command.
            let burstBase = delivered
            delivered += members * options.broadcasts
            let triggered = Clock.nanoseconds()
            server.send(Self.command(options.broadcasts, delivery))
            for index in 1...options.broadcasts {
                let time = try wait(counter, for: burstBase + index * members, mode: mode)
                result.burstLatenciesMs.append(Self.milliseconds(time - triggered))
            }
            result.burstSeconds = (result.burstLatenciesMs.last ?? 0) / 1000
            guard let burstAccount = BroadcastAccount(line: try server.expectLine("sent ", timeout: timeout)) else {
                throw UsageError(description: "bad broadcast answer")
            }
            result.account.add(burstAccount)
            result.wireBytesBurst = counter.wireByteCount - wire
            (result.serverMicrosBurst, result.clientMicrosBurst) = cpu.take()
            if let redisBefore, let after = try nodes.redis?.stats() { result.redis = after.since(redisBefore) }
            results.append(result)
            usleep(200_000)  // let the burst's last writes settle before the next class's CPU sample
        }

        usleep(200_000)  // let anything extra (a duplicate) arrive before checking
        // Deliveries and the per-member count cover the whole server run (every class).
        let range = try client.receivedRange()
        for index in results.indices {
            results[index].deliveries = counter.deliveries
            results[index].expectedDeliveries = delivered
            results[index].messages = counter.messageCount
            results[index].payloadBytes = counter.payloadByteCount
            results[index].wireBytes = counter.wireByteCount
            results[index].compressedMessages = counter.compressedMessageCount
            results[index].inflateChecks = counter.inflateChecks
            results[index].perMember = range
            results[index].expectedPerMember = Self.warmup + classes.count * 2 * options.broadcasts
        }
        return results
    }

    /// The `broadcast` command for `count` pushes of class `delivery` (none for the bare server).
    static func command(_ count: Int, _ delivery: FanoutDelivery?) -> String {
        delivery.map { "broadcast \(count) \($0.rawValue)" } ?? "broadcast \(count)"
    }

    /// Sends `broadcast <count>` and waits for `total` deliveries: (trigger time, last delivery
    /// time, the server's account).
    private func broadcast(_ count: Int, delivery: FanoutDelivery?, server: ServerChild, counter: DeliveryCounter, until total: Int) throws -> (UInt64, UInt64, BroadcastAccount) {
        let triggered = Clock.nanoseconds()
        server.send(Self.command(count, delivery))
        let done = try wait(counter, for: total, mode: nil)
        let line = try server.expectLine("sent ", timeout: options.timeoutSeconds)
        guard let account = BroadcastAccount(line: line) else { throw UsageError(description: "bad broadcast answer: \(line)") }
        return (triggered, done, account)
    }

    private func wait(_ counter: DeliveryCounter, for total: Int, mode: ServerMode?) throws -> UInt64 {
        let deadline = Clock.nanoseconds() + UInt64(options.timeoutSeconds * 1e9)
        guard let time = counter.waitFor(total, deadline: deadline) else {
            throw UsageError(description: "only \(counter.deliveries) of \(total) deliveries arrived within \(options.timeoutSeconds) s")
        }
        return time
    }

    private func progress(_ line: String) {
        FileHandle.standardError.write(Data(("· " + line + "\n").utf8))
    }

    static func seconds(_ nanoseconds: UInt64) -> Double { Double(nanoseconds) / 1e9 }
    static func milliseconds(_ nanoseconds: UInt64) -> Double { Double(nanoseconds) / 1e6 }
}

/// CPU time of the server processes (summed) and of this (client) process since the last sample.
struct CPUSample {
    let servers: [Int32]
    private var serverMicros: (user: Double, system: Double)
    private var clientMicros: Double

    init(servers: [Int32]) {
        self.servers = servers
        self.serverMicros = Self.times(of: servers)
        self.clientMicros = ProcessCPU.microseconds(pid: nil) ?? 0
    }

    /// The servers' user time (µs) since the last sample, without taking the sample.
    var serverUserSinceLast: Double { Self.times(of: servers).user - serverMicros.user }

    private static func times(of servers: [Int32]) -> (user: Double, system: Double) {
        servers.reduce((0, 0)) { sum, pid in
            let times = ProcessCPU.times(pid: pid) ?? (0, 0)
            return (sum.0 + times.user, sum.1 + times.system)
        }
    }

    /// (server µs, client µs) since the last sample.
    mutating func take() -> (Double, Double) {
        let serverNow = Self.times(of: servers)
        let clientNow = ProcessCPU.microseconds(pid: nil) ?? 0
        defer { (serverMicros, clientMicros) = (serverNow, clientNow) }
        return (serverNow.user + serverNow.system - serverMicros.user - serverMicros.system, clientNow - clientMicros)
    }
}

extension BroadcastAccount {
    mutating func add(_ other: BroadcastAccount) {
        broadcasts += other.broadcasts
        recipients += other.recipients
        encodings += other.encodings
        bytesEncoded += other.bytesEncoded
        frameSize = other.frameSize
    }
}
