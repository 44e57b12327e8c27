import Foundation
import Logging
import Switchboard

#if os(Linux)
/// glibc's `malloc_trim(size_t pad)`, which the Glibc module does not export.
@_silgen_name("malloc_trim")
private func mallocTrim(_ pad: Int) -> Int32
#endif

/// `switchboard-fanout history`: the resident memory of room histories at the default limits.
///
/// A `Server` (not listening, no connections) with the default ``DeliveryPolicy``; every room
/// gets `pushes` reliable pushes of a `body`-byte JSON body through `server.sendToGroup`, one
/// push per room in turn (as pushes to many rooms arrive). A room with no members does not
/// exist in the room registry, but its reliable pushes are still numbered and kept, so the
/// memory that grows is the histories'. VmRSS (`/proc/self/status`) is read before the first
/// push and after the last, then again after `malloc_trim(0)` (glibc gives freed heap back).
enum HistoryMemory {
    static func run(_ options: HistoryOptions) throws {
        var logger = Logger(label: "switchboard.history-memory")
        logger.logLevel = .warning
        let server = Server(router: Router(), configuration: Configuration(host: "127.0.0.1", port: 0), logger: logger)
        let limits = server.publisher.history.policy.defaultLimits
        let rooms = (0..<options.rooms).map { RoomName("board:\($0)") }
        let urls = (0..<options.rooms).map { "/boards/\($0)/cards" }
        let body = sampleBody(size: options.body)

        trim()
        let before = residentKiB()
        let start = Date()
        for push in 0..<options.pushes {
            for (room, url) in zip(rooms, urls) {
                try server.sendToGroup(room, PushMessage(url: url, body: body))
            }
            if push == 0 { progress("first push to each of \(options.rooms) rooms after \(String(format: "%.1f", Date().timeIntervalSince(start))) s") }
        }
        let seconds = Date().timeIntervalSince(start)
        let after = residentKiB()
        trim()
        let trimmed = residentKiB()

        let history = server.publisher.history
        let kept = history.storedCount(of: rooms[0])
        let storedBytes = history.storedBytes
        let frame = storedBytes / max(1, kept * history.count)
        let growth = Double(after - before) * 1024
        let trimmedGrowth = Double(trimmed - before) * 1024
        let n = Double(options.rooms)
        print("""

            History memory: \(options.rooms) rooms × \(options.pushes) reliable pushes of a \(options.body)-byte JSON body \
            (\(frame)-byte frame), default limits (\(limits.maxPushes) pushes, \(limits.maxBytes / 1024) KiB, \(limits.maxAge)); \
            \(String(format: "%.1f", seconds)) s
              rooms with a history: \(history.count); pushes kept in room board:0: \(kept); frame bytes kept: \(grouped(storedBytes)) \
            (\(grouped(storedBytes / max(1, history.count))) per room)
              VmRSS before \(grouped(before)) KiB, after \(grouped(after)) KiB, after malloc_trim \(grouped(trimmed)) KiB
              growth: \(mebibytes(growth)) MiB total, \(grouped(Int(growth / n))) bytes per room \
            (\(String(format: "%.2f", growth / Double(max(1, storedBytes))))× the frame bytes kept)
              growth after malloc_trim: \(mebibytes(trimmedGrowth)) MiB total, \(grouped(Int(trimmedGrowth / n))) bytes per room \
            (\(String(format: "%.2f", trimmedGrowth / Double(max(1, storedBytes))))× the frame bytes kept)
            """)
        withExtendedLifetime(server) {}
    }

    /// A JSON card update of exactly `size` bytes (at least its fixed part, 150 bytes).
    static func sampleBody(size: Int) -> [UInt8] {
        let head = #"{"type":"card.updated","board":7,"card":{"id":48213,"column":"doing","position":3,"updatedBy":"user-1842","updatedAt":"2026-11-22T08:26:00Z","title":""#
        let tail = #""}}"#
        let title = String(repeating: "x", count: max(0, size - head.utf8.count - tail.utf8.count))
        return Array((head + title + tail).utf8)
    }

    /// VmRSS of this process in KiB.
    static func residentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return 0
    }

    private static func trim() {
        #if os(Linux)
        _ = mallocTrim(0)
        #endif
    }

    private static func mebibytes(_ bytes: Double) -> String { String(format: "%.1f", bytes / 1_048_576) }
    private static func grouped(_ value: Int) -> String { FanoutReport.grouped(Double(value)) }

    private static func progress(_ line: String) {
        FileHandle.standardError.write(Data(("· " + line + "\n").utf8))
    }
}

/// Options of `switchboard-fanout history`.
struct HistoryOptions {
    static let usage = """
        usage: switchboard-fanout history [--rooms N] [--pushes P] [--body BYTES]
          --rooms   rooms, each with its own history (default 10000)
          --pushes  reliable pushes per room (default 100, the default history's count limit)
          --body    JSON body bytes per push, at least 150 (default 200)
        """

    var rooms = 10_000
    var pushes = 100
    var body = 200

    init(parsing arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw UsageError(description: "\(flag) needs a value\n\(Self.usage)") }
            switch flag {
            case "--rooms": rooms = try RunOptions.int(value, flag, in: 1...1_000_000)
            case "--pushes": pushes = try RunOptions.int(value, flag, in: 1...100_000)
            case "--body": body = try RunOptions.int(value, flag, in: 150...1_000_000)
            default: throw UsageError(description: "unknown option \(flag)\n\(Self.usage)")
            }
        }
    }
}
