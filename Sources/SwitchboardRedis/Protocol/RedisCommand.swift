/// One Redis command: its name and arguments, each sent as a binary-safe bulk string.
public struct RedisCommand: Sendable, Equatable {
    /// The name followed by the arguments.
    public var arguments: [[UInt8]]

    /// A command from its name and arguments as bytes, e.g. `RedisCommand("SET", ["key", value])`.
    public init(_ name: String, _ arguments: [[UInt8]]) {
        self.arguments = [Array(name.utf8)] + arguments
    }

    /// A command from its name and text arguments, e.g. `RedisCommand("SET", "key", "value")`.
    public init(_ name: String, _ arguments: String...) {
        self.init(name, arguments)
    }

    /// A command from its name and text arguments.
    public init(_ name: String, _ arguments: [String]) {
        self.arguments = [Array(name.utf8)] + arguments.map { Array($0.utf8) }
    }

    /// The command's name in upper case, for error messages and logs (never the arguments,
    /// which may hold secrets).
    public var name: String {
        String(decoding: arguments.first ?? [], as: UTF8.self).uppercased()
    }
}
