import Foundation
import NIOCore
import NIOPosix
import Synchronization
import SwitchboardRedis

/// A `redis-server` child process on a free loopback port, for the Redis and cluster tests.
///
/// Tests that need one are enabled by ``isAvailableOrRequired``: without `redis-server` on this
/// machine they are skipped with a loud message, unless the environment variable `CI` is set:
/// then they run and fail, so a CI machine without Redis can never pass silently.
public final class RedisServerProcess: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The path of `redis-server`, from `PATH` or the usual folders; `nil` when not installed.
    public static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin", "/usr/local/bin"]
        return folders.map { "\($0)/redis-server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    public static let missingMessage = "redis-server is not installed: the Redis tests need it (apt-get install -y redis-server)"

    /// Whether the Redis tests run: when `redis-server` is installed, or when `CI` is set (then
    /// they fail without it). Prints a loud notice when they are skipped.
    public static let isAvailableOrRequired: Bool = {
        if executable != nil { return true }
        if ProcessInfo.processInfo.environment["CI"] != nil { return true }
        FileHandle.standardError.write(Data("""

            ************************************************************************
            SKIPPING the Redis tests: \(missingMessage).
            Set CI=1 to make them fail instead.
            ************************************************************************

            """.utf8))
        return false
    }()

    /// The port it listens on (127.0.0.1), the same across ``restart()``.
    public let port: Int
    private let arguments: [String]
    private let password: String?
    private let folder: URL
    private let process = Mutex<Process?>(nil)

    private init(port: Int, arguments: [String], password: String?, folder: URL) {
        self.port = port
        self.arguments = arguments
        self.password = password
        self.folder = folder
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Starts a server with the extra `arguments` (e.g. `["--requirepass", "secret"]`; pass the
    /// same password as `password` so readiness can be checked) and waits until it answers PING.
    public static func start(arguments: [String] = [], password: String? = nil) async throws -> RedisServerProcess {
        guard executable != nil else { throw Failure(description: missingMessage) }
        // A port free when probed may be taken before redis-server binds it (tests run in
        // parallel): then it exits at once, and another port is tried.
        var lastError: (any Error)?
        for _ in 0..<5 {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("redis-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let server = RedisServerProcess(port: try freePort(), arguments: arguments, password: password, folder: folder)
            do {
                try await server.launch()
                return server
            } catch {
                lastError = error
            }
        }
        throw lastError ?? Failure(description: "redis-server did not start")
    }

    /// Runs `body` with a started server, stopping it afterwards whatever happens.
    public static func with<T>(
        arguments: [String] = [],
        password: String? = nil,
        _ body: (RedisServerProcess) async throws -> T
    ) async throws -> T {
        let server = try await start(arguments: arguments, password: password)
        defer { server.stop() }
        return try await body(server)
    }

    /// A configuration reaching this server.
    public func configuration(_ protocolVersion: RedisConfiguration.ProtocolVersion = .resp2) -> RedisConfiguration {
        var configuration = RedisConfiguration(host: "127.0.0.1", port: port)
        configuration.password = password
        configuration.protocolVersion = protocolVersion
        return configuration
    }

    /// Stops the server and waits for it to exit. SIGKILL, because the test runner's blocked
    /// signals are inherited by the child, which then never sees SIGTERM; nothing is stored
    /// anyway.
    public func stop() {
        let running = process.withLock { process in
            defer { process = nil }
            return process
        }
        guard let running, running.isRunning else { return }
        kill(running.processIdentifier, SIGKILL)
        running.waitUntilExit()
    }

    /// Stops the server and starts it again on the same port, with nothing stored.
    public func restart() async throws {
        stop()
        try await launch()
    }

    private func launch() async throws {
        guard let executable = Self.executable else { throw Failure(description: Self.missingMessage) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", folder.path, "--logfile", folder.appendingPathComponent("redis-\(port).log").path,
        ] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process.withLock { $0 = process }
        var configuration = configuration()
        configuration.connectTimeout = .milliseconds(500)
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                let log = (try? String(contentsOf: folder.appendingPathComponent("redis-\(port).log"), encoding: .utf8)) ?? ""
                throw Failure(description: """
                    redis-server exited with status \(process.terminationStatus) on port \(port): \
                    \(log.split(separator: "\n").suffix(3).joined(separator: " | "))
                    """)
            }
            if let connection = try? await RedisConnection.connect(configuration: configuration) {
                let pong = try? await connection.send("PING")
                await connection.close()
                if pong == .simpleString("PONG") { return }
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        stop()
        throw Failure(description: "redis-server did not answer PING on port \(port) within 10 s")
    }

    /// Ports handed out in this test run, never handed out twice: a server that restarts on its
    /// port must not find another test's server there.
    private static let usedPorts = Mutex<Set<Int>>([])

    /// A loopback port free right now (bound to port 0, read back, released) and not handed out
    /// before in this run.
    private static func freePort() throws -> Int {
        for _ in 0..<100 {
            let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: 0).wait()
            let port = channel.localAddress?.port
            try? channel.close().wait()
            if let port, usedPorts.withLock({ $0.insert(port).inserted }) { return port }
        }
        throw Failure(description: "no free loopback port")
    }
}

/// Events reported by a subscriber, for a test to wait on.
public final class EventLog<Event: Sendable>: Sendable {
    private let events = Mutex<[Event]>([])

    public init() {}

    public func append(_ event: Event) {
        events.withLock { $0.append(event) }
    }

    public var all: [Event] { events.withLock { $0 } }

    /// Waits until `condition` holds for the events so far, or `timeout` passes; returns them.
    @discardableResult
    public func wait(
        timeout: Duration = .seconds(10),
        until condition: ([Event]) -> Bool
    ) async throws -> [Event] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let current = all
            if condition(current) { return current }
            try await Task.sleep(for: .milliseconds(10))
        }
        return all
    }
}
