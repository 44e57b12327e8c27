import ArgumentParser
import SwitchboardClient

/// `switchboard listen`: prints pushes whose url matches a pattern, one line each, as they come;
/// reconnects (and rejoins) when the connection drops.
struct ListenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Print pushes matching a pattern as they arrive: '<url> <room> <body>'."
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "A url pattern with route syntax, e.g. /boards/:id/** or /**.")
    var pattern: String = "/**"

    @Option(help: "A room to join first (repeatable), e.g. board-7.")
    var join: [String] = []

    @Option(help: "Stop after this many pushes.")
    var count: Int?

    func run() async throws {
        let client = try await connection.connect(reconnect: ReconnectPolicy())
        let pushes = client.pushes(matching: pattern)
        for room in join {
            do {
                try await client.join(RoomName(room))
            } catch {
                Output.error("switchboard: joining \(room): \(error)")
                await client.close()
                throw ExitCode.failure
            }
        }
        var seen = 0
        for await push in pushes {
            Output.standard("\(push.url) \(push.room.isEmpty ? "-" : push.room) \(push.text)")
            seen += 1
            if let count, seen >= count { break }
        }
        await client.close()
    }
}
