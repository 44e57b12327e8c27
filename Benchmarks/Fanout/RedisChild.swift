import Foundation
import NIOCore
import NIOPosix

/// The `redis-server` a cluster run starts: a free loopback port, nothing stored, stopped at
/// the end; read with `redis-cli` (both come in the same package).
final class RedisChild {
    private let process = Process()
    let port: Int

    /// Starts `redis-server` and waits until it answers PING (at most 10 s).
    init() throws {
        guard let server = Self.executable("redis-server"), Self.executable("redis-cli") != nil else {
            throw UsageError(description: "the cluster mode needs redis-server and redis-cli on PATH (apt-get install -y redis-server)")
        }
        port = try Self.freePort()
        process.executableURL = URL(fileURLWithPath: server)
        process.arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while (try? command("PING")) != "PONG" {
            guard process.isRunning, Date() < deadline else {
                stop()
                throw UsageError(description: "redis-server did not answer PING on port \(port) within 10 s")
            }
            usleep(20_000)
        }
    }

    /// Calls per command since the start and Redis's own CPU time (`INFO commandstats`, `INFO cpu`).
    func stats() throws -> RedisStats {
        var stats = RedisStats()
        for line in try command("INFO", "commandstats").split(whereSeparator: \.isNewline) {
            // cmdstat_evalsha:calls=42,usec=…
            guard line.hasPrefix("cmdstat_"), let colon = line.firstIndex(of: ":") else { continue }
            let name = line[line.index(line.startIndex, offsetBy: 8)..<colon]
            let calls = line[colon...].split(separator: ",").first?.split(separator: "=").last.flatMap { Int($0) }
            stats.calls[String(name)] = calls ?? 0
        }
        for line in try command("INFO", "cpu").split(whereSeparator: \.isNewline) {
            let pair = line.split(separator: ":")
            guard pair.count == 2, pair[0] == "used_cpu_sys" || pair[0] == "used_cpu_user", let seconds = Double(pair[1]) else { continue }
            stats.cpuMicros += seconds * 1e6
        }
        return stats
    }

    /// Stops the server (SIGTERM, SIGKILL after 5 s) and waits for it.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// One `redis-cli` call; its raw output.
    private func command(_ words: String...) throws -> String {
        let cli = Process()
        let output = Pipe()
        cli.executableURL = URL(fileURLWithPath: Self.executable("redis-cli") ?? "redis-cli")
        cli.arguments = ["-h", "127.0.0.1", "-p", String(port), "--raw"] + words
        cli.standardOutput = output
        cli.standardError = FileHandle.nullDevice
        try cli.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        cli.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func executable(_ name: String) -> String? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        return folders.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// A loopback port free right now (bound to port 0, read back, released).
    private static func freePort() throws -> Int {
        let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).wait()
        defer { try? channel.close().wait() }
        guard let port = channel.localAddress?.port else { throw UsageError(description: "no free loopback port") }
        return port
    }
}

/// What Redis counted: calls per command (lowercase, as `INFO commandstats` names them) and
/// its CPU time (user + system, µs).
struct RedisStats {
    var calls: [String: Int] = [:]
    var cpuMicros = 0.0

    /// What happened between `earlier` and this sample, without the INFO calls that read it.
    func since(_ earlier: RedisStats) -> RedisStats {
        var delta = RedisStats(cpuMicros: cpuMicros - earlier.cpuMicros)
        for (name, count) in calls where name != "info" && count != earlier.calls[name] ?? 0 {
            delta.calls[name] = count - (earlier.calls[name] ?? 0)
        }
        return delta
    }
}
