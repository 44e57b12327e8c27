/// What the upgrade hook decides about a WebSocket handshake.
public enum UpgradeDecision: Sendable {
    /// Open the WebSocket. `identity` becomes the connection's identity (pass the request's
    /// ``UpgradeRequest/identity`` to keep what token authentication found); `clientId`, when
    /// given, is the connection's client id exactly as given (its `client-<clientId>` room
    /// receives that client's pushes, so never pass a client-chosen value through unchecked; an
    /// id with a `~` counts as random, like the server's own: its room is taken to be new on
    /// every connection, never resumed and, in a cluster, never looked up in Redis);
    /// when `nil`, the server decides it from the `clientId` query parameter and `identity`
    /// (namespaced by user, random when anonymous).
    case accept(identity: Identity? = nil, clientId: String? = nil)
    /// Answer the HTTP request with `status` (e.g. 401, 403) and `reason` as a JSON body
    /// `{"error": reason}`; no WebSocket is created. A client that asked with the query
    /// parameter `refusal=close` gets it as a close instead: the upgrade completes and the
    /// socket closes at once with code 4000 + `status` and `reason` (PROTOCOL.md §1.1).
    case refuse(status: Status, reason: String)
}

/// Decides whether a WebSocket handshake may proceed, after the server's own checks (path,
/// origin, subprotocol, capacity, token authentication) have passed.
///
/// It may suspend (e.g. to look a session up); it runs once per handshake, never per frame.
public typealias UpgradeHook = @Sendable (UpgradeRequest) async -> UpgradeDecision
