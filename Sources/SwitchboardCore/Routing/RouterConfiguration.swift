import Foundation

/// Settings of a ``Router``.
public struct RouterConfiguration: Sendable {
    /// How long a request may go unanswered before the router answers 504 for it (default
    /// 30 s). Counted from the moment the transport starts waiting for a pending reply.
    public var handlerDeadline: Duration
    /// Where the router reports problems that do not reach the client: a second response,
    /// errors behind a 500, duplicate routes. Defaults to ``standardError``.
    public var diagnostics: @Sendable (String) -> Void

    /// A configuration; the defaults suit most servers.
    public init(
        handlerDeadline: Duration = .seconds(30),
        diagnostics: @escaping @Sendable (String) -> Void = RouterConfiguration.standardError
    ) {
        self.handlerDeadline = handlerDeadline
        self.diagnostics = diagnostics
    }

    /// Writes each message as one line to the standard error stream.
    public static let standardError: @Sendable (String) -> Void = { message in
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
