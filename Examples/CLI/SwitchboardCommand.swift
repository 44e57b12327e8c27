import ArgumentParser

/// `switchboard`: a curl-like command line client for Switchboard servers.
@main
struct SwitchboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "Talk to a Switchboard server over its WebSocket, like curl.",
        discussion: """
            switchboard get ws://127.0.0.1:8080/ws /boards/7 --token demo-token
            switchboard post ws://127.0.0.1:8080/ws /boards --data '{"name":"Q3"}' --token demo-token
            switchboard listen ws://127.0.0.1:8080/ws '/boards/:id/**' --join board-7 --token demo-token
            """,
        subcommands: [
            MethodCommand.Get.self, MethodCommand.Post.self, MethodCommand.Put.self, MethodCommand.Patch.self,
            MethodCommand.Delete.self, MethodCommand.Head.self, MethodCommand.Options.self,
            SendCommand.self, ListenCommand.self,
        ]
    )
}
