import Foundation

/// Settings of a ``Router``.
public struct RouterConfiguration: Sendable {
    /// How long a request may go unanswered before the router answers 504 for it (default
    /// 30 s). Counted from the moment the transport starts waiting for a pending reply.
    public var handlerDeadline: Duration
    /// Where the router reports problems that do not reach the client: a second response,
    /// errors behind a 500, duplicate routes. Defaults to ``standardError``.
    public var diagnostics: @Sendable (String) -> Void
    /// Where the router reports an error that escaped the chain and was answered 500, with the
    /// request it was thrown for. `nil` (the default) reports it to ``diagnostics`` as text; a
    /// Switchboard `Server` sets it, when `nil`, to log through its `Logger`.
    public var unhandledError: (@Sendable (Request, any Error) -> Void)?
    /// Whether static path text matches regardless of ASCII letter case, so `/Users/7` finds
    /// `/users/:id` (default `false`: matching is case-sensitive). Parameter values keep the
    /// request's case; bytes outside ASCII letters, escapes' hex digits aside, compare exactly.
    /// Two routes that differ only in case are then duplicates: the first registered wins.
    public var caseInsensitive: Bool

    /// A configuration; the defaults suit most servers.
    public init(
        handlerDeadline: Duration = .seconds(30),
        caseInsensitive: Bool = false,
        diagnostics: @escaping @Sendable (String) -> Void = RouterConfiguration.standardError
    ) {
        self.handlerDeadline = handlerDeadline
        self.caseInsensitive = caseInsensitive
        self.diagnostics = diagnostics
    }

    /// Writes each message as one line to the standard error stream.
    public static let standardError: @Sendable (String) -> Void = { message in
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
