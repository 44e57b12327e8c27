import Foundation

/// The result of a load run, printed as a table or as JSON (`--json`).
struct LoadReport: Codable, Sendable {
    var mode = "load"
    var url: String
    var path: String
    var connections: Int
    var inflight: Int
    var bodyBytes: Int
    var warmupSeconds: Double
    var measuredSeconds: Double
    var requests: UInt64
    var requestsPerSecond: Double
    var p50Microseconds: Double
    var p99Microseconds: Double
    var p999Microseconds: Double
    var maxMicroseconds: Double
    var errors: UInt64
    var errorReplies: UInt64
    var unexpectedReplies: UInt64
    var disconnects: UInt64
    var serverPid: Int32?
    var serverCpuMicrosecondsPerRequest: Double?
    var serverCpuUtilisation: Double?
    var clientCpuMicrosecondsPerRequest: Double

    /// Human-readable lines.
    var text: String {
        var lines = [
            "target      \(url)  route POST \(path)",
            "load        \(connections) connections × \(inflight) in flight, \(bodyBytes) B bodies; warm-up \(fmt(warmupSeconds)) s, measured \(fmt(measuredSeconds, 2)) s",
            "throughput  \(fmt(requestsPerSecond)) req/s  (\(requests) responses)",
            "latency     p50 \(fmt(p50Microseconds)) µs  p99 \(fmt(p99Microseconds)) µs  p999 \(fmt(p999Microseconds)) µs  max \(fmt(maxMicroseconds)) µs",
            "errors      \(errors)  (error replies \(errorReplies), unexpected replies \(unexpectedReplies), disconnects \(disconnects))",
        ]
        if let serverPid, let perRequest = serverCpuMicrosecondsPerRequest, let utilisation = serverCpuUtilisation {
            lines.append("server CPU  \(fmt(perRequest, 2)) µs/request  (pid \(serverPid), \(fmt(utilisation * 100)) % of one core)")
        }
        lines.append("client CPU  \(fmt(clientCpuMicrosecondsPerRequest, 2)) µs/request")
        return lines.joined(separator: "\n")
    }
}

/// The result of an idle-memory run (`--idle N`).
struct IdleReport: Codable, Sendable {
    var mode = "idle"
    var url: String
    var connections: Int
    var sourceAddresses: Int
    var secondsToOpen: Double
    var serverPid: Int32
    var rssBeforeKib: Int
    var rssWithConnectionsKib: Int
    var rssAfterCloseKib: Int?
    var kibPerConnection: Double
    /// Server CPU (user + system) from the first connect to the last upgrade, per connection.
    var serverCpuMicrosecondsPerConnection: Double?

    /// Human-readable lines.
    var text: String {
        [
            "target      \(url)",
            "idle        \(connections) WebSockets from \(sourceAddresses) source address(es), opened in \(fmt(secondsToOpen, 1)) s",
            "server RSS  before \(rssBeforeKib) KiB, with connections \(rssWithConnectionsKib) KiB, after closing \(rssAfterCloseKib.map(String.init) ?? "?") KiB (pid \(serverPid))",
            "per conn.   \(fmt(kibPerConnection, 2)) KiB",
            "connect CPU \(serverCpuMicrosecondsPerConnection.map { fmt($0, 1) } ?? "?") µs of server CPU per opened connection",
        ].joined(separator: "\n")
    }
}

/// `value` with `digits` decimals.
func fmt(_ value: Double, _ digits: Int = 0) -> String {
    String(format: "%.\(digits)f", value)
}

/// `value` as one line of JSON with snake_case keys.
func jsonLine(_ value: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.sortedKeys]
    guard let data = try? encoder.encode(value) else { return "{}" }
    return String(decoding: data, as: UTF8.self)
}
