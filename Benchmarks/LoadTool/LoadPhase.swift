import Synchronization

/// The phase of a load run, shared by every connection and read once per response.
///
/// Connections keep requests in flight through every phase until ``Value/stopping``; only
/// responses that arrive while ``Value/measuring`` count towards throughput and latency.
final class LoadPhase: Sendable {
    /// A phase of the run.
    enum Value: Int {
        /// Connections send and receive, nothing is recorded.
        case warmingUp = 0
        /// Responses are counted and their latency recorded.
        case measuring = 1
        /// No new requests; the ones in flight are let to finish.
        case stopping = 2
    }

    private let raw = Atomic<Int>(Value.warmingUp.rawValue)

    /// The current phase.
    var value: Value {
        Value(rawValue: raw.load(ordering: .relaxed)) ?? .stopping
    }

    /// Moves to `phase`.
    func enter(_ phase: Value) {
        raw.store(phase.rawValue, ordering: .releasing)
    }
}
