import Logging
import Synchronization

/// Collects the records of a `Logger` for tests to inspect.
final class CapturedLogs: Sendable {
    /// One log record.
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let records = Mutex<[Record]>([])

    /// A logger whose records at `level` and above go here.
    func logger(level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: "switchboard.test") { _ in Handler(logs: self) }
        logger.logLevel = level
        return logger
    }

    /// The records so far.
    var all: [Record] { records.withLock { $0 } }

    /// The records so far with `message`.
    func records(_ message: String) -> [Record] { all.filter { $0.message == message } }

    fileprivate func add(_ record: Record) {
        records.withLock { $0.append(record) }
    }

    private struct Handler: LogHandler {
        let logs: CapturedLogs
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            logs.add(Record(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
        }
    }
}
