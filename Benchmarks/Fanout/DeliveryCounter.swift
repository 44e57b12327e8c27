import Dispatch
import Synchronization

/// Deliveries counted at the clients, across all connections and event loops, with the time
/// each multiple of `perBroadcast` was reached (the time "broadcast j" was fully delivered,
/// counting in arrival order).
final class DeliveryCounter: Sendable {
    /// Deliveries that make one broadcast (the room's member count).
    let perBroadcast: Int
    private let total = Atomic<Int>(0)
    private let payloadBytes = Atomic<Int>(0)
    private let messages = Atomic<Int>(0)
    private let compressedMessages = Atomic<Int>(0)
    private let wireBytes = Atomic<Int>(0)
    private let inflateMatches = Atomic<Int>(0)
    private let inflateMismatches = Atomic<Int>(0)
    private let milestones = Mutex<[UInt64]>([])
    private let reached = DispatchSemaphore(value: 0)

    init(perBroadcast: Int) {
        self.perBroadcast = perBroadcast
    }

    /// Records one read's worth of deliveries from one connection.
    func add(deliveries: Int, messages: Int, compressedMessages: Int, payloadBytes: Int, wireBytes: Int) {
        guard deliveries > 0 else { return }
        _ = self.messages.wrappingAdd(messages, ordering: .relaxed)
        _ = self.compressedMessages.wrappingAdd(compressedMessages, ordering: .relaxed)
        _ = self.payloadBytes.wrappingAdd(payloadBytes, ordering: .relaxed)
        _ = self.wireBytes.wrappingAdd(wireBytes, ordering: .relaxed)
        let now = Clock.nanoseconds()
        let new = total.wrappingAdd(deliveries, ordering: .relaxed).newValue
        let old = new - deliveries
        let crossed = new / perBroadcast - old / perBroadcast
        guard crossed > 0 else { return }
        milestones.withLock { $0.append(contentsOf: repeatElement(now, count: crossed)) }
        reached.signal()
    }

    /// Deliveries so far.
    var deliveries: Int { total.load(ordering: .relaxed) }
    /// WebSocket messages carrying them (a batch message carries several).
    var messageCount: Int { messages.load(ordering: .relaxed) }
    /// Bytes of those messages' payloads (compressed ones as received).
    var payloadByteCount: Int { payloadBytes.load(ordering: .relaxed) }
    /// Of those messages, the ones that came compressed (RSV1 set).
    var compressedMessageCount: Int { compressedMessages.load(ordering: .relaxed) }
    /// Bytes of those messages as WebSocket frames: payload and frame header.
    var wireByteCount: Int { wireBytes.load(ordering: .relaxed) }
    /// Members whose first compressed push inflated to the expected push: (matched, not matched).
    var inflateChecks: (matched: Int, mismatched: Int) {
        (inflateMatches.load(ordering: .relaxed), inflateMismatches.load(ordering: .relaxed))
    }

    /// Records whether one member's first compressed push inflated to the expected push.
    func recordInflateCheck(matched: Bool) {
        if matched {
            _ = inflateMatches.wrappingAdd(1, ordering: .relaxed)
        } else {
            _ = inflateMismatches.wrappingAdd(1, ordering: .relaxed)
        }
    }

    /// Waits until `count` deliveries (a multiple of ``perBroadcast``) have arrived and returns
    /// when that was (``Clock/nanoseconds()``); `nil` when `deadline` passes first.
    func waitFor(_ count: Int, deadline: UInt64) -> UInt64? {
        let index = count / perBroadcast - 1
        while true {
            if let time = milestones.withLock({ index < $0.count ? $0[...index].max() : nil }) { return time }
            let now = Clock.nanoseconds()
            guard now < deadline else { return nil }
            _ = reached.wait(timeout: .now() + .nanoseconds(Int(min(deadline - now, 50_000_000))))
        }
    }
}

/// A monotonic clock in nanoseconds.
enum Clock {
    static func nanoseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}
