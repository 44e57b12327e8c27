/// The cluster part of the report: cluster ÷ single node, and what Redis did per broadcast.
extension FanoutReport {
    static let clusterLegend = """
          cluster: two nodes over one redis-server, half of the members on each, every broadcast triggered on node a; \
        srv CPU = both nodes; Redis: INFO commandstats and INFO cpu before and after the measured broadcasts (1× and burst)
        """

    /// Per delivery class: cluster ÷ switchboard, then Redis's calls per broadcast and CPU per
    /// delivery (medians over the rounds).
    func clusterLines(_ medians: [String: Medians]) -> [String] {
        var lines: [String] = []
        for delivery in FanoutDelivery.allCases {
            let label = "\(ServerMode.cluster.rawValue)/\(delivery.rawValue)"
            let runs = measurements.filter { $0.label == label }
            guard let cluster = medians[label] else { continue }
            if let single = medians["\(ServerMode.switchboard.rawValue)/\(delivery.rawValue)"] {
                lines.append(
                    "cluster ÷ switchboard (\(delivery.rawValue)): 1× deliveries/s \(Self.fixed(cluster.single / single.single, 2)), "
                        + "burst deliveries/s \(Self.fixed(cluster.burst / single.burst, 2)); server CPU per delivery "
                        + "1× \(Self.fixed(cluster.cpu1 / single.cpu1, 2)), burst \(Self.fixed(cluster.cpuBurst / single.cpuBurst, 2))"
                )
            }
            let commands = Set(runs.flatMap { $0.redis?.calls.keys.map { $0 } ?? [] })
            let perBroadcast = commands.map { command in (command, median(runs.map { $0.redisCallsPerBroadcast(command) })) }
                .sorted { ($0.1, $1.0) > ($1.1, $0.0) }
                .map { "\($0.0) \(Self.fixed($0.1, 2))" }
            lines.append("Redis per broadcast (\(label)): \(perBroadcast.joined(separator: ", "))")
            lines.append(
                "Redis CPU (\(label)): \(Self.fixed(median(runs.map(\.redisMicrosPerDelivery)), 3)) µs per delivery, "
                    + "\(Self.fixed(median(runs.map { $0.redisMicrosPerDelivery * Double($0.connections) }), 0)) µs per broadcast"
            )
        }
        return lines
    }
}
