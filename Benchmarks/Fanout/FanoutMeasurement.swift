/// What one mode (and, for Switchboard, one delivery class) measured in one round.
struct FanoutMeasurement {
    var mode: ServerMode
    /// Switchboard's delivery class; `nil` for the bare server.
    var delivery: FanoutDelivery?
    /// The round (1-based) it was measured in.
    var round = 1
    var connections: Int
    var broadcasts: Int
    var connectSeconds = 0.0
    /// One broadcast at a time: trigger to last delivery, per broadcast.
    var latenciesMs: [Double] = []
    /// First trigger to last delivery of the one-at-a-time broadcasts.
    var sequentialSeconds = 0.0
    /// K back to back: trigger to the moment j × members deliveries had arrived, per j.
    var burstLatenciesMs: [Double] = []
    var burstSeconds = 0.0
    var serverMicrosSequential = 0.0
    /// The user-space part of `serverMicrosSequential` (the rest is the kernel's: the write
    /// system calls and, on loopback, the receiving side's TCP work).
    var serverUserMicrosSequential = 0.0
    var clientMicrosSequential = 0.0
    var serverMicrosBurst = 0.0
    var clientMicrosBurst = 0.0
    /// The server's own count of what it did, over the measured broadcasts (a cluster node
    /// counts broadcasts only: the bus encodes and delivers).
    var account = BroadcastAccount()
    /// What the cluster's Redis did over the measured broadcasts (cluster mode only).
    var redis: RedisStats?
    var deliveries = 0
    var expectedDeliveries = 0
    var messages = 0
    var payloadBytes = 0
    /// `payloadBytes` with each message's WebSocket frame header.
    var wireBytes = 0
    /// Frame bytes (header and payload) received in the one-at-a-time phase: one message per
    /// push and member.
    var wireBytesSequential = 0
    /// The same in the burst (a member's pushes may come batched).
    var wireBytesBurst = 0
    /// Messages that came compressed (RSV1 set).
    var compressedMessages = 0
    /// Members whose first compressed push inflated to the expected push, and those whose did not.
    var inflateChecks = (matched: 0, mismatched: 0)
    var perMember = (min: 0, max: 0)
    var expectedPerMember = 0

    /// `bare`, or `switchboard/<class>`.
    var label: String { delivery.map { "\(mode.rawValue)/\($0.rawValue)" } ?? mode.rawValue }

    var measuredDeliveries: Int { connections * broadcasts }

    /// One broadcast's deliveries per second at its median latency.
    var singleRate: Double { Double(connections) / (median(latenciesMs) / 1000) }
    /// K back-to-back broadcasts' deliveries per second, trigger to last delivery.
    var burstRate: Double { Double(measuredDeliveries) / burstSeconds }
    var serverMicrosPerDeliverySequential: Double { serverMicrosSequential / Double(measuredDeliveries) }
    var serverMicrosPerDeliveryBurst: Double { serverMicrosBurst / Double(measuredDeliveries) }
    var serverUserMicrosPerDeliverySequential: Double { serverUserMicrosSequential / Double(measuredDeliveries) }
    var clientMicrosPerDelivery: Double { (clientMicrosSequential + clientMicrosBurst) / Double(2 * measuredDeliveries) }
    var bytesEncodedPerBroadcast: Double { Double(account.bytesEncoded) / Double(max(1, account.broadcasts)) }
    var encodingsPerBroadcast: Double { Double(account.encodings) / Double(max(1, account.broadcasts)) }
    /// Redis calls of `command` per measured broadcast (1× and burst).
    func redisCallsPerBroadcast(_ command: String) -> Double {
        Double(redis?.calls[command] ?? 0) / Double(2 * broadcasts)
    }
    /// Redis's CPU time per measured delivery.
    var redisMicrosPerDelivery: Double { (redis?.cpuMicros ?? .nan) / Double(2 * measuredDeliveries) }
    /// Payload bytes received per delivery.
    var payloadBytesPerDelivery: Double { Double(payloadBytes) / Double(max(1, deliveries)) }
    /// Frame bytes (header and payload) received per delivery over the whole server run.
    var wireBytesPerDelivery: Double { Double(wireBytes) / Double(max(1, deliveries)) }
    /// Frame bytes received per delivery, one broadcast at a time.
    var wireBytesPerDeliverySequential: Double { Double(wireBytesSequential) / Double(measuredDeliveries) }
    /// Frame bytes received per delivery in the burst.
    var wireBytesPerDeliveryBurst: Double { Double(wireBytesBurst) / Double(measuredDeliveries) }
    /// With compression: every message came compressed and every member's first compressed
    /// push inflated to the push; without: none came compressed.
    var compressionChecked: Bool {
        mode.compresses
            ? compressedMessages == messages && inflateChecks.matched == connections && inflateChecks.mismatched == 0
            : compressedMessages == 0
    }
    var isComplete: Bool {
        deliveries == expectedDeliveries && perMember.min == expectedPerMember && perMember.max == expectedPerMember
            && (mode == .cluster || account.recipients == 2 * measuredDeliveries) && compressionChecked
    }
}

/// The median (upper middle) of `values`.
func median(_ values: [Double]) -> Double { percentile(values, 0.5) }

/// The nearest-rank percentile `p` (0...1) of `values`.
func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let rank = Int((p * Double(sorted.count)).rounded(.up))
    return sorted[min(sorted.count - 1, max(0, rank - 1))]
}
