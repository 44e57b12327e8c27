import Foundation
import Synchronization
@_spi(Conformance) import SwitchboardClient

// A raw WebSocket echo client for RFC 6455 conformance runs (Autobahn|Testsuite's client
// cases, see Scripts/autobahn.sh --client): asks the fuzzing server for its case count, runs
// every case echoing each message back with its opcode, then asks it to write the reports.
// --compression offers permessage-deflate (ClientConfiguration.compression), for cases 12.* and
// 13.*; with --case-ids FILE (the id of case 1, 2, … one a line, in the server's order) the offer
// is the one each case expects (see `offer(forCase:)`).
// Usage: switchboard-autobahn-client ws://127.0.0.1:9001 [agent] [--compression [--case-ids FILE]]
//   (agent defaults to switchboard)

var arguments = Array(CommandLine.arguments.dropFirst())
let compression = arguments.contains("--compression")
arguments.removeAll { $0 == "--compression" }
var caseIDs: [String]? = nil
if let flag = arguments.firstIndex(of: "--case-ids"), flag + 1 < arguments.count {
    guard let text = try? String(contentsOfFile: arguments[flag + 1], encoding: .utf8) else {
        FileHandle.standardError.write(Data("switchboard-autobahn-client: cannot read \(arguments[flag + 1])\n".utf8))
        exit(2)
    }
    caseIDs = text.split(whereSeparator: \.isNewline).map(String.init)
    arguments.removeSubrange(flag...(flag + 1))
}
guard let base = arguments.first else {
    FileHandle.standardError.write(
        Data("usage: switchboard-autobahn-client ws://HOST:PORT [agent] [--compression [--case-ids FILE]]\n".utf8)
    )
    exit(2)
}
let agent = arguments.dropFirst().first ?? "switchboard"

/// The permessage-deflate offer for the case with `id`. Each 13.N case's server (case12_x_x.py in
/// the suite) accepts only offers with what it asks the client for: 13.2 and 13.5–13.7 ask for
/// `client_no_context_takeover`, so it is offered there and nowhere else (elsewhere the client
/// keeps its compression history between messages); 13.3–13.7 ask for `client_max_window_bits`,
/// which is always offered. The server parameters are those of the case's own client offer (the
/// first of 13.7's three). Every message is compressed, however small.
func offer(forCase id: String?) -> ClientCompressionSettings {
    var settings = ClientCompressionSettings()
    settings.minimumMessageSize = 0
    let parts = id?.split(separator: ".") ?? []
    guard parts.count == 3, parts[0] == "13", let group = Int(parts[1]) else { return settings }
    settings.clientNoContextTakeover = [2, 5, 6, 7].contains(group)
    settings.serverNoContextTakeover = [2, 5, 6, 7].contains(group)
    settings.serverMaxWindowBits = [3: 9, 4: 15, 5: 9, 6: 15, 7: 9][group]
    return settings
}

var configuration = ClientConfiguration()
// Case group 9 sends messages of up to 16 MiB, in frames of up to 16 MiB or of 64 bytes.
configuration.maxMessageSize = 16 << 20
configuration.maxFragmentsPerMessage = 1 << 20
configuration.heartbeatInterval = nil
if compression { configuration.compression = offer(forCase: nil) }

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
    if let caseIDs, caseIDs.count != total {
        FileHandle.standardError.write(
            Data("switchboard-autobahn-client: the server runs \(total) cases, the case-ids file names \(caseIDs.count)\n".utf8)
        )
        exit(1)
    }
    for number in 0..<total {
        var caseConfiguration = configuration
        if compression, let caseIDs { caseConfiguration.compression = offer(forCase: caseIDs[number]) }
        _ = try await RawWebSocketConnection.run(
            url: "\(base)/runCase?case=\(number + 1)&agent=\(agent)", configuration: caseConfiguration
        ) { [$0] }
    }
    _ = try await RawWebSocketConnection.run(url: "\(base)/updateReports?agent=\(agent)", configuration: configuration) { _ in [] }
    print("ran \(total) cases")
} catch {
    FileHandle.standardError.write(Data("switchboard-autobahn-client: \(error)\n".utf8))
    exit(1)
}
