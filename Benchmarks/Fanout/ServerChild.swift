import Foundation

/// A `switchboard-fanout server` process spawned by `run`: commands on its stdin, answers from
/// its stdout, CPU time from /proc.
final class ServerChild {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffered: [UInt8] = []

    /// `node`: the Redis port and node id of a cluster node.
    init(mode: ServerMode, connections: Int, payload: Int, body: BodyKind, node: (redisPort: Int, id: String)? = nil) throws {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["server", mode.rawValue, String(connections), String(payload), body.rawValue]
            + (node.map { [String($0.redisPort), $0.id] } ?? [])
        process.standardInput = input
        process.standardOutput = output
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Sends one command line.
    func send(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// The next answer line, waiting at most `timeout` seconds.
    func readLine(timeout: Double) throws -> String {
        let fd = output.fileHandleForReading.fileDescriptor
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = buffered.firstIndex(of: 10) {
                let line = String(decoding: buffered[..<newline], as: UTF8.self)
                buffered.removeSubrange(...newline)
                return line
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw ChildError.timeout("no answer from the \(process.arguments?[1] ?? "") server within \(timeout) s") }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(min(remaining, 1) * 1000)) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = read(fd, &chunk, chunk.count)
            guard count > 0 else { throw ChildError.exited("the server process exited (status \(process.isRunning ? -1 : process.terminationStatus))") }
            buffered.append(contentsOf: chunk[..<count])
        }
    }

    /// The answer to `command`, which must start with `expected`.
    func ask(_ command: String, expecting expected: String, timeout: Double) throws -> String {
        send(command)
        return try expectLine(expected, timeout: timeout)
    }

    /// The next answer, which must start with `expected`.
    func expectLine(_ expected: String, timeout: Double) throws -> String {
        let line = try readLine(timeout: timeout)
        guard line.hasPrefix(expected) else { throw ChildError.unexpected("expected \(expected)…, the server said: \(line)") }
        return line
    }

    /// Asks the server to quit; kills it after 10 s.
    func stop() {
        send("quit")
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    enum ChildError: Error, CustomStringConvertible {
        case timeout(String), exited(String), unexpected(String)
        var description: String {
            switch self {
            case .timeout(let what), .exited(let what), .unexpected(let what): what
            }
        }
    }
}

/// CPU time of a process (all its threads), from /proc/<pid>/stat.
enum ProcessCPU {
    /// User plus system time in microseconds; `nil` when it cannot be read.
    static func microseconds(pid: Int32?) -> Double? {
        times(pid: pid).map { $0.user + $0.system }
    }

    /// User and system time in microseconds; `nil` when they cannot be read.
    static func times(pid: Int32?) -> (user: Double, system: Double)? {
        let path = pid.map { "/proc/\($0)/stat" } ?? "/proc/self/stat"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // After the command name: state is field 3, utime field 14, stime field 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let tick = 1_000_000 / Double(sysconf(Int32(_SC_CLK_TCK)))
        return (user * tick, system * tick)
    }
}
