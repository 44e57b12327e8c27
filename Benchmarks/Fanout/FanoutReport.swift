import Foundation

/// The table `run` prints: one row per mode (Switchboard: per delivery class) and round, the
/// medians of each, the ratios Switchboard ÷ bare, reliable ÷ volatile when both ran, and
/// cluster ÷ single node with Redis's work when the cluster ran.
struct FanoutReport {
    /// The medians of one label's rounds: deliveries/s 1× and burst, server CPU µs per delivery
    /// 1×, burst, and 1× user space only.
    typealias Medians = (single: Double, burst: Double, cpu1: Double, cpuBurst: Double, user1: Double)

    let options: RunOptions
    let measurements: [FanoutMeasurement]

    var text: String {
        var lines: [String] = []
        let n = options.connections
        let k = options.broadcasts
        let frame = measurements.first?.account.frameSize ?? 0
        lines.append("")
        lines.append("Fan-out: \(n) members in one room, a \(options.payload)-byte push body (\(frame)-byte frame), K = \(k); \(ProcessInfo.processInfo.activeProcessorCount) cores, server and client processes on the same machine")
        lines.append("  1×: one broadcast at a time, trigger → last delivery at the clients (p50 / p99 of \(k))")
        lines.append("  burst: K broadcasts back to back, trigger → last of the \(n * k) deliveries")
        lines.append("  CPU: µs per delivery from /proc/<pid>/stat (10 ms ticks); enc: FrameCodec encodings and bytes per broadcast, as the server counted them")
        if options.modes.contains(.cluster) { lines.append(Self.clusterLegend) }
        lines.append("")
        let header = ["mode", "round", "1× p50 ms", "1× p99 ms", "1× deliv/s", "burst ms", "burst deliv/s", "srv µs/d 1×", "srv µs/d burst", "cli µs/d", "enc/bc", "bytes/bc", "recv B/d", "wire B/d 1×", "wire B/d burst", "complete"]
        var rows: [[String]] = [header]
        for m in measurements { rows.append(row(m, label: String(m.round))) }
        lines.append(contentsOf: Self.format(rows))
        lines.append("")

        var labels: [String] = []
        for m in measurements where !labels.contains(m.label) { labels.append(m.label) }
        var medians: [String: Medians] = [:]
        var summary: [[String]] = [["mode (median of \(options.rounds))", "1× p50 ms", "1× deliv/s", "burst deliv/s", "srv µs/d 1×", "user µs/d 1×", "srv µs/d burst"]]
        for label in labels {
            let runs = measurements.filter { $0.label == label }
            let value = (
                single: median(runs.map(\.singleRate)),
                burst: median(runs.map(\.burstRate)),
                cpu1: median(runs.map(\.serverMicrosPerDeliverySequential)),
                cpuBurst: median(runs.map(\.serverMicrosPerDeliveryBurst)),
                user1: median(runs.map(\.serverUserMicrosPerDeliverySequential))
            )
            medians[label] = value
            summary.append([
                label, Self.fixed(median(runs.map { median($0.latenciesMs) }), 1), Self.grouped(value.single),
                Self.grouped(value.burst), Self.fixed(value.cpu1, 2), Self.fixed(value.user1, 2), Self.fixed(value.cpuBurst, 2),
            ])
        }
        lines.append(contentsOf: Self.format(summary))
        lines.append("")
        if let bare = medians[ServerMode.bare.rawValue] {
            for label in labels where label != ServerMode.bare.rawValue {
                guard let switchboard = medians[label] else { continue }
                lines.append("\(label) ÷ bare: 1× deliveries/s \(Self.fixed(switchboard.single / bare.single, 2)), burst deliveries/s \(Self.fixed(switchboard.burst / bare.burst, 2)); server CPU per delivery 1× \(Self.fixed(switchboard.cpu1 / bare.cpu1, 2)) (user space \(Self.fixed(switchboard.user1 / bare.user1, 2))), burst \(Self.fixed(switchboard.cpuBurst / bare.cpuBurst, 2))")
            }
        }
        for delivery in FanoutDelivery.allCases {
            guard let plain = medians["switchboard/\(delivery.rawValue)"], let deflate = medians["switchboard-deflate/\(delivery.rawValue)"] else { continue }
            let bytes = { (mode: ServerMode, phase: KeyPath<FanoutMeasurement, Double>) -> Double in
                median(self.measurements.filter { $0.label == "\(mode.rawValue)/\(delivery.rawValue)" }.map { $0[keyPath: phase] })
            }
            let (deflate1, plain1) = (bytes(.switchboardDeflate, \.wireBytesPerDeliverySequential), bytes(.switchboard, \.wireBytesPerDeliverySequential))
            let (deflateBurst, plainBurst) = (bytes(.switchboardDeflate, \.wireBytesPerDeliveryBurst), bytes(.switchboard, \.wireBytesPerDeliveryBurst))
            lines.append("deflate ÷ plain (\(delivery.rawValue)): server CPU per delivery 1× \(Self.fixed(deflate.cpu1, 2)) vs \(Self.fixed(plain.cpu1, 2)) µs (\(Self.fixed(deflate.cpu1 / plain.cpu1, 2)); user space \(Self.fixed(deflate.user1, 2)) vs \(Self.fixed(plain.user1, 2)) µs), burst \(Self.fixed(deflate.cpuBurst, 2)) vs \(Self.fixed(plain.cpuBurst, 2)) µs (\(Self.fixed(deflate.cpuBurst / plain.cpuBurst, 2))); frame bytes received per delivery 1× \(Self.fixed(deflate1, 0)) vs \(Self.fixed(plain1, 0)) (\(Self.fixed(deflate1 / plain1, 2))), burst \(Self.fixed(deflateBurst, 0)) vs \(Self.fixed(plainBurst, 0)) (\(Self.fixed(deflateBurst / plainBurst, 2)))")
        }
        if let reliable = medians["switchboard/reliable"], let volatile = medians["switchboard/volatile"] {
            lines.append("reliable ÷ volatile (same server and connections): server CPU per delivery 1× \(Self.fixed(reliable.cpu1 / volatile.cpu1, 2)), burst \(Self.fixed(reliable.cpuBurst / volatile.cpuBurst, 2)); deliveries/s 1× \(Self.fixed(reliable.single / volatile.single, 2)), burst \(Self.fixed(reliable.burst / volatile.burst, 2))")
        }
        lines.append(contentsOf: clusterLines(medians))
        if let switchboard = measurements.last(where: { $0.mode != .bare && $0.mode != .cluster }) {
            let a = switchboard.account
            lines.append("Switchboard encodings: \(a.encodings) for \(a.broadcasts) broadcasts, \(a.bytesEncoded) bytes encoded = \(Self.fixed(switchboard.bytesEncodedPerBroadcast, 0)) per broadcast (one \(a.frameSize)-byte frame), written to \(a.recipients) recipients")
        }
        if let m = measurements.last(where: { $0.mode.compresses }) {
            lines.append("switchboard-deflate checks (last round): \(m.compressedMessages) of \(m.messages) messages came compressed (RSV1); \(m.inflateChecks.matched) of \(m.connections) members inflated their first compressed push whole to the \(options.payload)-byte body (FrameCodec-decoded, url and room checked), \(m.inflateChecks.mismatched) did not")
        }
        let incomplete = measurements.filter { !$0.isComplete }
        for m in incomplete {
            lines.append("INCOMPLETE \(m.label): \(m.deliveries) of \(m.expectedDeliveries) deliveries; per member \(m.perMember.min)…\(m.perMember.max), expected \(m.expectedPerMember); compression checks \(m.compressionChecked ? "passed" : "FAILED") (\(m.compressedMessages) of \(m.messages) compressed, inflated \(m.inflateChecks.matched) matched / \(m.inflateChecks.mismatched) not)")
        }
        return lines.joined(separator: "\n")
    }

    private func row(_ m: FanoutMeasurement, label: String) -> [String] {
        [
            m.label, label,
            Self.fixed(median(m.latenciesMs), 1), Self.fixed(percentile(m.latenciesMs, 0.99), 1), Self.grouped(m.singleRate),
            Self.fixed(m.burstSeconds * 1000, 0), Self.grouped(m.burstRate),
            Self.fixed(m.serverMicrosPerDeliverySequential, 2), Self.fixed(m.serverMicrosPerDeliveryBurst, 2),
            Self.fixed(m.clientMicrosPerDelivery, 2),
            m.mode == .cluster ? "-" : Self.fixed(m.encodingsPerBroadcast, 0), m.mode == .cluster ? "-" : Self.fixed(m.bytesEncodedPerBroadcast, 0),
            Self.fixed(m.payloadBytesPerDelivery, 0), Self.fixed(m.wireBytesPerDeliverySequential, 0), Self.fixed(m.wireBytesPerDeliveryBurst, 0),
            m.isComplete ? "yes" : "NO",
        ]
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        value.isFinite ? String(format: "%.\(digits)f", value) : "-"
    }

    static func grouped(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        var digits = String(Int(value.rounded()))
        var groups: [Substring] = []
        while digits.count > 3 {
            groups.insert(Substring(digits.suffix(3)), at: 0)
            digits.removeLast(3)
        }
        groups.insert(Substring(digits), at: 0)
        return groups.joined(separator: ",")
    }

    static func format(_ rows: [[String]]) -> [String] {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).enumerated().map { index, pair in
                let pad = String(repeating: " ", count: pair.1 - pair.0.count)
                return index == 0 ? pair.0 + pad : pad + pair.0
            }.joined(separator: "  ")
        }
    }
}
