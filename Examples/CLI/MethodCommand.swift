import ArgumentParser
import SwitchboardClient

/// The request commands, one per method: print the response body; exit 1 on a status of 400
/// or more (the status and reason go to standard error).
enum MethodCommand {
    /// The arguments of every request command.
    struct Arguments: ParsableArguments {
        @OptionGroup var connection: ConnectionOptions

        @Argument(help: "The path and query, e.g. /boards/7.")
        var path: String

        @Option(name: .shortAndLong, help: "The request body, e.g. '{\"name\":\"Q3\"}'.")
        var data: String?

        @Flag(name: .shortAndLong, help: "Print the status before the body.")
        var include = false

        func run(_ method: Method) async throws {
            let client = try await connection.connect()
            let response: ClientResponse
            do {
                response = try await client.request(method, path, body: Array((data ?? "").utf8))
            } catch {
                Output.error("switchboard: \(error)")
                await client.close()
                throw ExitCode.failure
            }
            if include { Output.standard("\(response.status.code)") }
            if !response.body.isEmpty { Output.standard(response.text) }
            await client.close()
            if response.status.code >= 400 {
                Output.error("switchboard: the server answered \(response.status.code)")
                throw ExitCode.failure
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Send a GET request.")
        @OptionGroup var arguments: Arguments
        func run() async throws { try await arguments.run(.get) }
    }

    struct Post: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "post", abstract: "Send a POST request.")
        @OptionGroup var arguments: Arguments
        func run() async throws { try await arguments.run(.post) }
    }

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "put", abstract: "Send a PUT request.")
        @OptionGroup var arguments: Arguments
        func run() async throws { try await arguments.run(.put) }
    }

    struct Patch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "patch", abstract: "Send a PATCH request.")
        @OptionGroup var arguments: Arguments
        func run() async throws { try await arguments.run(.patch) }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Send a DELETE request.")
        @OptionGroup var arguments: Arguments
        func run() async throws { try await arguments.run(.delete) }
    }

    struct Head: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "head", abstract: "Send a HEAD request.")
        @OptionGroup var arguments: Arguments
        func run() async throws { try await arguments.run(.head) }
    }

    struct Options: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "options", abstract: "Send an OPTIONS request.")
        @OptionGroup var arguments: Arguments
        func run() async throws { try await arguments.run(.options) }
    }
}
