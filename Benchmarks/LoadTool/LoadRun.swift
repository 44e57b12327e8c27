import NIOCore
import NIOPosix

/// One closed-loop load run: open the connections, warm up, measure, drain, close.
struct LoadRun: Sendable {
    let group: any EventLoopGroup
    let target: LoadTarget
    let path: String
    let template: [UInt8]
    let connections: Int
    let inflight: Int
    let bodyBytes: Int
    let warmupSeconds: Double
    let durationSeconds: Double
    let sourceAddressCount: Int
    let serverPid: Int32?

    func run() async throws -> LoadReport {
        let phase = LoadPhase()
        let template = self.template
        let inflight = self.inflight
        let connector = Connector(
            group: group,
            target: target,
            sourceHosts: sourceAddressCount > 1 ? (1...sourceAddressCount).map { "127.0.0.\($0)" } : [],
            makeHandler: { LoadConnectionHandler(template: template, inflight: inflight, phase: phase) }
        )
        let open = try await connector.open(count: connections)
        for connection in open {
            let handler = connection.handler
            connection.channel.eventLoop.execute { handler.value.start() }
        }
        try await Task.sleep(for: .seconds(warmupSeconds))

        phase.enter(.measuring)
        let start = NIODeadline.now()
        let serverStart = serverPid.flatMap(ProcessStats.cpuMicroseconds(pid:))
        let clientStart = ProcessStats.ownCPUMicroseconds()
        try await Task.sleep(for: .seconds(durationSeconds))
        phase.enter(.stopping)
        let end = NIODeadline.now()
        let serverEnd = serverPid.flatMap(ProcessStats.cpuMicroseconds(pid:))
        let clientEnd = ProcessStats.ownCPUMicroseconds()

        // Let the requests in flight finish (bounded) so the server is idle when it stops.
        let drainDeadline = NIODeadline.now() + .seconds(5)
        for connection in open {
            while NIODeadline.now() < drainDeadline, try await !connection.withHandler({ $0.isDrained }) {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        var total = ConnectionStats()
        for connection in open {
            total.add(try await connection.withHandler { $0.stats })
            try await connection.withHandler { $0.close() }
        }
        for connection in open {
            _ = try? await connection.channel.closeFuture.get()
        }

        let seconds = Double(end.uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let requests = total.completed
        let perRequest = { (micros: Double) in requests > 0 ? micros / Double(requests) : 0 }
        return LoadReport(
            url: target.description,
            path: path,
            connections: connections,
            inflight: inflight,
            bodyBytes: bodyBytes,
            warmupSeconds: warmupSeconds,
            measuredSeconds: seconds,
            requests: requests,
            requestsPerSecond: Double(requests) / seconds,
            p50Microseconds: Double(total.latency.valueAtPercentile(50)) / 1000,
            p99Microseconds: Double(total.latency.valueAtPercentile(99)) / 1000,
            p999Microseconds: Double(total.latency.valueAtPercentile(99.9)) / 1000,
            maxMicroseconds: Double(total.latency.max) / 1000,
            errors: total.errors,
            errorReplies: total.errorReplies,
            unexpectedReplies: total.unexpectedReplies,
            disconnects: total.disconnected,
            serverPid: serverPid,
            serverCpuMicrosecondsPerRequest: serverStart.flatMap { start in serverEnd.map { perRequest($0 - start) } },
            serverCpuUtilisation: serverStart.flatMap { start in serverEnd.map { ($0 - start) / (seconds * 1e6) } },
            clientCpuMicrosecondsPerRequest: perRequest(clientEnd - clientStart)
        )
    }
}
