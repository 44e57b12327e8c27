import ArgumentParser
import SwitchboardClient

/// `switchboard send`: one one-way MESSAGE frame.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "send", abstract: "Send a one-way message (no answer).")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The message's path, e.g. /typing.")
    var path: String

    @Option(name: .shortAndLong, help: "The message body.")
    var data: String?

    func run() async throws {
        let client = try await connection.connect()
        do {
            try await client.send(path, Array((data ?? "").utf8))
        } catch {
            Output.error("switchboard: \(error)")
            await client.close()
            throw ExitCode.failure
        }
        await client.close()
    }
}
