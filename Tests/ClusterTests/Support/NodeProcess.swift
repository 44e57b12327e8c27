import Foundation
import Synchronization

/// A `switchboard-cluster-node` child process (Examples/Cluster), joined to a test's Redis.
final class NodeProcess: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The node's id.
    let nodeId: String
    /// The port its WebSocket (`/ws`) and plain HTTP listen on.
    let port: Int
    private let process: Process

    private init(nodeId: String, port: Int, process: Process) {
        self.nodeId = nodeId
        self.port = port
        self.process = process
    }

    deinit { kill() }

    /// The built node executable, beside the test bundle (`swift build --build-tests` builds it).
    static var executable: URL {
        var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
        for _ in 0..<6 {
            folder.deleteLastPathComponent()
            let candidate = folder.appendingPathComponent("switchboard-cluster-node")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return package.appendingPathComponent(".build/debug/switchboard-cluster-node")
    }

    /// Starts a node and waits until it listens.
    static func start(redisPort: Int, nodeId: String, leaseMilliseconds: Int, extra: [String] = []) async throws -> NodeProcess {
        let executable = Self.executable
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw Failure(description: "\(executable.path) is missing: build it with `swift build --build-tests`")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = [
            "--redis", "redis://127.0.0.1:\(redisPort)", "--node-id", nodeId, "--lease-ms", "\(leaseMilliseconds)", "--port", "0",
        ] + extra
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        let reader = output.fileHandleForReading
        let port = try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask {
                var text = ""
                while true {
                    let chunk = reader.availableData
                    if chunk.isEmpty { return nil }
                    text += String(decoding: chunk, as: UTF8.self)
                    if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening ") }) {
                        return Int(line.dropFirst("listening ".count))
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(20))
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let port else {
            process.terminate()
            throw Failure(description: "node \(nodeId) did not print its port within 20 s")
        }
        return NodeProcess(nodeId: nodeId, port: port, process: process)
    }

    /// The node's WebSocket URL.
    var url: String { "ws://127.0.0.1:\(port)/ws" }

    /// Kills the node with SIGKILL (no goodbye to Redis) and waits for it to exit.
    func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The node's `GET /health` answer: status code and body.
    func health() async throws -> (Int, String) {
        try await PlainHTTP.get(port: port, path: "/health")
    }
}
