import ArgumentParser
import NIOCore
import NIOPosix
import SwitchboardCore

/// `switchboard-load`: drives WebSocket request/response load at a Switchboard route (or any
/// server that echoes our frames), or holds many idle connections to measure server memory.
@main
struct SwitchboardLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-load",
        abstract: "Closed-loop WebSocket load against a loopback Switchboard server (or a bare echo).",
        discussion: """
            Load mode: --connections × --inflight POST requests to --path kept in flight; after \
            --warmup seconds, --duration seconds are measured. Idle mode (--idle N): opens N idle \
            WebSockets and reports the server's RSS per connection (needs --server-pid).
            """
    )

    @Option(help: "WebSocket url; loopback hosts only.")
    var url = "ws://127.0.0.1:8080/ws"

    @Option(help: "Route path of the requests (the frame's url).")
    var path = "/echo"

    @Option(help: "Connections (1…20000).")
    var connections = 50

    @Option(help: "Requests in flight per connection (1…4096).")
    var inflight = 16

    @Option(help: "Request body size in bytes (0…1048576).")
    var body = 64

    @Option(help: "Warm-up seconds, not measured (0…60).")
    var warmup = 2.0

    @Option(help: "Measured seconds (0.1…600).")
    var duration = 10.0

    @Option(help: "Client event-loop threads (default: one per core).")
    var threads = System.coreCount

    @Option(help: "Server process id: its CPU time (and in idle mode its RSS) is read from /proc.")
    var serverPid: Int32?

    @Option(help: "Idle mode: open this many idle WebSockets (1…60000) and report server RSS per connection.")
    var idle: Int?

    @Option(help: "Loopback source addresses to spread connections over (127.0.0.1, .2, …; default: one per 5000 connections in idle mode, else 1).")
    var sourceAddresses: Int?

    @Option(help: "Idle mode: seconds to wait after the last upgrade before reading RSS (0…60).")
    var settle = 2.0

    @Flag(help: "Print one line of JSON instead of the table.")
    var json = false

    func validate() throws {
        _ = try parsedTarget()
        guard (1...20_000).contains(connections) else { throw ValidationError("--connections must be 1…20000") }
        guard (1...4096).contains(inflight) else { throw ValidationError("--inflight must be 1…4096") }
        guard (0...1 << 20).contains(body) else { throw ValidationError("--body must be 0…1048576") }
        guard (0...60).contains(warmup) else { throw ValidationError("--warmup must be 0…60") }
        guard (0.1...600).contains(duration) else { throw ValidationError("--duration must be 0.1…600") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be 1…64") }
        guard (0...60).contains(settle) else { throw ValidationError("--settle must be 0…60") }
        if let idle {
            guard (1...60_000).contains(idle) else { throw ValidationError("--idle must be 1…60000") }
            guard serverPid != nil else { throw ValidationError("--idle needs --server-pid to read the server's RSS") }
        }
        if let sourceAddresses, !(1...250).contains(sourceAddresses) {
            throw ValidationError("--source-addresses must be 1…250")
        }
    }

    private func parsedTarget() throws -> LoadTarget {
        do {
            return try LoadTarget(url: url)
        } catch {
            throw ValidationError(error.description)
        }
    }

    mutating func run() async throws {
        let target = try parsedTarget()
        let openFiles = ProcessStats.raiseOpenFileLimit()
        let wanted = idle ?? connections
        if openFiles < UInt64(wanted + 64) {
            throw ValidationError("open-file limit \(openFiles) is too low for \(wanted) connections; raise `ulimit -n`")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let output: String
        do {
            output = try await measure(target: target, group: group)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
        print(output)
    }

    private func measure(target: LoadTarget, group: MultiThreadedEventLoopGroup) async throws -> String {
        if let idle, let serverPid {
            let run = IdleRun(
                group: group,
                target: target,
                count: idle,
                sourceAddressCount: sourceAddresses ?? max(1, (idle + 4999) / 5000),
                settleSeconds: settle,
                serverPid: serverPid
            )
            let report = try await run.run()
            return json ? jsonLine(report) : report.text
        }
        let template = try FrameCodec.encode(.request(RequestFrame(method: .post, id: 0, url: path, data: Self.body(size: body)[...])))
        let run = LoadRun(
            group: group,
            target: target,
            path: path,
            template: template,
            connections: connections,
            inflight: inflight,
            bodyBytes: body,
            warmupSeconds: warmup,
            durationSeconds: duration,
            sourceAddressCount: sourceAddresses ?? 1,
            serverPid: serverPid
        )
        let report = try await run.run()
        return json ? jsonLine(report) : report.text
    }

    /// A JSON string of exactly `size` bytes (`"xx…"`), or `size` spaces below 2.
    static func body(size: Int) -> [UInt8] {
        guard size >= 2 else { return Array(repeating: UInt8(ascii: " "), count: size) }
        return [UInt8(ascii: "\"")] + Array(repeating: UInt8(ascii: "x"), count: size - 2) + [UInt8(ascii: "\"")]
    }
}
