import Foundation
import Synchronization
@_spi(Conformance) import SwitchboardClient

// A raw WebSocket echo client for RFC 6455 conformance runs (Autobahn|Testsuite's client
// cases, see Scripts/autobahn.sh --client): asks the fuzzing server for its case count, runs
// every case echoing each message back with its opcode, then asks it to write the reports.
// --compression offers permessage-deflate (ClientConfiguration.compression), for cases 12.* and 13.*.
// Usage: switchboard-autobahn-client ws://127.0.0.1:9001 [agent] [--compression]   (agent defaults to switchboard)

let compression = CommandLine.arguments.contains("--compression")
let arguments = CommandLine.arguments.dropFirst().filter { $0 != "--compression" }
guard let base = arguments.first else {
    FileHandle.standardError.write(Data("usage: switchboard-autobahn-client ws://HOST:PORT [agent] [--compression]\n".utf8))
    exit(2)
}
let agent = arguments.dropFirst().first ?? "switchboard"

var configuration = ClientConfiguration()
// Case group 9 sends messages of up to 16 MiB, in frames of up to 16 MiB or of 64 bytes.
configuration.maxMessageSize = 16 << 20
configuration.maxFragmentsPerMessage = 1 << 20
configuration.heartbeatInterval = nil
if compression { configuration.compression = ClientCompressionSettings() }

/// The case count the server sends as one text message.
final class CaseCount: Sendable {
    let text = Mutex<String?>(nil)
}

do {
    let count = CaseCount()
    // The server sends the count and its close frame and drops the TCP connection at once; when
    // all of it arrives with the 101 answer, NIO's HTTP decoder drops the bytes after the answer
    // (it forwards them only when no end of stream was seen), so the request is retried.
    for _ in 0..<10 where count.text.withLock({ $0 }) == nil {
        _ = try await RawWebSocketConnection.run(url: "\(base)/getCaseCount", configuration: configuration) { message in
            count.text.withLock { $0 = String(decoding: message.bytes, as: UTF8.self) }
            return []
        }
    }
    guard let total = count.text.withLock({ $0 }).flatMap({ Int($0) }) else {
        FileHandle.standardError.write(Data("switchboard-autobahn-client: the server sent no case count\n".utf8))
        exit(1)
    }
    for number in 0..<total {
        _ = try await RawWebSocketConnection.run(url: "\(base)/runCase?case=\(number + 1)&agent=\(agent)", configuration: configuration) { [$0] }
    }
    _ = try await RawWebSocketConnection.run(url: "\(base)/updateReports?agent=\(agent)", configuration: configuration) { _ in [] }
    print("ran \(total) cases")
} catch {
    FileHandle.standardError.write(Data("switchboard-autobahn-client: \(error)\n".utf8))
    exit(1)
}
