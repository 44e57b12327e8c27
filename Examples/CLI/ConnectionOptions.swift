import ArgumentParser
import Foundation
import SwitchboardClient

/// The options every subcommand shares: where to connect (TLS trust and compression
/// included), the token, timeouts and logging.
struct ConnectionOptions: ParsableArguments {
    @Argument(help: "The server's WebSocket url, e.g. ws://127.0.0.1:8080/ws (or wss:// for TLS).")
    var url: String

    @Option(help: ArgumentHelp("For wss:// urls: trust only the certificate authorities in this PEM file instead of the system's.", valueName: "file"))
    var ca: String?

    @Option(help: ArgumentHelp("For wss:// urls: the host name the server's certificate must be valid for (default: the url's host).", valueName: "name"))
    var serverName: String?

    @Flag(help: "Offer permessage-deflate compression (used when the server accepts it).")
    var compress = false

    @Option(help: "A bearer token, sent as 'Authorization: Bearer <token>'.")
    var token: String?

    @Option(help: "Milliseconds to wait for a response (and for the connection).")
    var timeout: Int = 10_000

    @Flag(name: .shortAndLong, help: "Print every frame sent (>) and received (<) on standard error.")
    var verbose = false

    /// A connected client; a refused handshake or an unreachable server is reported and exits 1.
    func connect(reconnect: ReconnectPolicy = ReconnectPolicy(maxAttempts: 0)) async throws -> SwitchboardClient {
        var configuration = ClientConfiguration()
        configuration.requestTimeout = .milliseconds(timeout)
        configuration.queueTimeout = .milliseconds(timeout)
        configuration.connectTimeout = .milliseconds(timeout)
        configuration.reconnect = reconnect
        if let token { configuration.tokenProvider = { token } }
        if compress { configuration.compression = ClientCompressionSettings() }
        if verbose {
            configuration.frameObserver = { direction, frame in
                let mark = direction == .sent ? ">" : "<"
                var lines = ["\(mark) \(frame)"]
                if case .batch(let frames) = frame { lines += frames.map { "\(mark)   \($0)" } }
                Output.error(lines.joined(separator: "\n"))
            }
        }
        do {
            if let ca { configuration.tls = try ClientTLSSettings(trustingAuthorityFile: ca) }
            if let serverName { configuration.tls.serverHostname = serverName }
            let client = try SwitchboardClient(url: url, configuration: configuration)
            try await client.connect()
            return client
        } catch {
            Output.error("switchboard: \(error)")
            throw ExitCode.failure
        }
    }
}

/// Writing to standard output and standard error.
enum Output {
    static func standard(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
