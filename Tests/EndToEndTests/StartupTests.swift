import Foundation
import Logging
import Switchboard
import Testing

@Suite("Startup failures: one clear error naming host and port")
struct StartupTests {
    @Test("a server on a port already in use throws ServerError.cannotListen naming host and port")
    func portInUse() async throws {
        let running = try await RunningServer.start()
        var logger = Logger(label: "switchboard.test")
        logger.logLevel = .critical
        let second = Server(router: TestResponder(), configuration: Configuration(host: "127.0.0.1", port: running.port), logger: logger)
        let error = try #require(await #expect(throws: ServerError.self) { try await second.run() })
        guard case .cannotListen(let host, let port, let reason) = error else {
            Issue.record("expected cannotListen, got \(error)")
            return
        }
        #expect(host == "127.0.0.1")
        #expect(port == running.port)
        #expect(reason.contains("address already in use"))
        #expect(error.description.hasPrefix("cannot listen on 127.0.0.1:\(running.port): address already in use"))
        await #expect(throws: ServerError.self) { try await second.waitUntilListening() }
        try await running.stop()
    }

    /// The demo executable built beside the tests, if any.
    static let demoBinary: URL? = {
        var folders: [URL] = []
        if let executable = CommandLine.arguments.first {
            folders.append(URL(fileURLWithPath: executable).deletingLastPathComponent())
        }
        folders.append(Bundle.main.bundleURL.deletingLastPathComponent())
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        folders.append(root.appendingPathComponent(".build/debug"))
        return folders.map { $0.appendingPathComponent("switchboard-demo") }.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    @Test(
        "the demo on a port in use exits non-zero with one line on stderr naming the port and SWITCHBOARD_PORT",
        .enabled(if: StartupTests.demoBinary != nil, "switchboard-demo is not built: run swift build --build-tests first")
    )
    func demoOnBusyPort() async throws {
        let demo = try #require(Self.demoBinary)
        let running = try await RunningServer.start()
        let process = Process()
        process.executableURL = demo
        process.environment = ProcessInfo.processInfo.environment.merging(["SWITCHBOARD_PORT": String(running.port)]) { $1 }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while process.isRunning && clock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            Issue.record("the demo kept running on a port in use")
        }
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus != 0)
        let lines = stderr.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 1, "stderr: \(stderr)")
        #expect(stderr.contains("127.0.0.1:\(running.port)"))
        #expect(stderr.contains("SWITCHBOARD_PORT"))
        try await running.stop()
    }
}
