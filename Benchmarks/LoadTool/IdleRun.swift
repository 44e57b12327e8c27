import NIOCore
import NIOPosix

/// Opens many idle WebSockets and reads the server's resident memory before and after.
struct IdleRun: Sendable {
    let group: any EventLoopGroup
    let target: LoadTarget
    let count: Int
    let sourceAddressCount: Int
    let settleSeconds: Double
    let serverPid: Int32

    /// Why the run could not read the server's memory.
    struct NoProcess: Error, CustomStringConvertible {
        let pid: Int32
        var description: String { "cannot read /proc/\(pid)/status: is the server running on this machine?" }
    }

    func run() async throws -> IdleReport {
        let phase = LoadPhase()
        let connector = Connector(
            group: group,
            target: target,
            sourceHosts: sourceAddressCount > 1 ? (1...sourceAddressCount).map { "127.0.0.\($0)" } : [],
            makeHandler: { LoadConnectionHandler(template: [0, 0, 0, 0, 0, 0], inflight: 0, phase: phase) }
        )
        guard let before = ProcessStats.residentKiB(pid: serverPid) else { throw NoProcess(pid: serverPid) }
        let cpuBefore = ProcessStats.cpuMicroseconds(pid: serverPid)
        let start = NIODeadline.now()
        let open = try await connector.open(count: count, parallel: 128)
        let opened = NIODeadline.now()
        let cpuOpened = ProcessStats.cpuMicroseconds(pid: serverPid)
        try await Task.sleep(for: .seconds(settleSeconds))
        guard let with = ProcessStats.residentKiB(pid: serverPid) else { throw NoProcess(pid: serverPid) }
        phase.enter(.stopping)
        for connection in open {
            let handler = connection.handler
            connection.channel.eventLoop.execute { handler.value.close() }
        }
        for connection in open {
            _ = try? await connection.channel.closeFuture.get()
        }
        try await Task.sleep(for: .seconds(settleSeconds))
        let after = ProcessStats.residentKiB(pid: serverPid)
        return IdleReport(
            url: target.description,
            connections: count,
            sourceAddresses: sourceAddressCount,
            secondsToOpen: Double(opened.uptimeNanoseconds - start.uptimeNanoseconds) / 1e9,
            serverPid: serverPid,
            rssBeforeKib: before,
            rssWithConnectionsKib: with,
            rssAfterCloseKib: after,
            kibPerConnection: Double(with - before) / Double(count),
            serverCpuMicrosecondsPerConnection: cpuBefore.flatMap { before in cpuOpened.map { ($0 - before) / Double(count) } }
        )
    }
}
