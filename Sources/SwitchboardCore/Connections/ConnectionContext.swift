/// The connection a request or message came from, as handlers see it.
///
/// The server implements it for real sockets; `SwitchboardTesting` implements it in memory.
/// It is a reference because its identity can change while the connection lives (in-band
/// credential refresh).
public protocol ConnectionContext: AnyObject, Sendable {
    /// The connection's id.
    var id: ConnectionID { get }
    /// The client-chosen id of the app instance (e.g. a browser tab), if it sent one.
    var clientId: String? { get }
    /// Who the connection belongs to, if authenticated.
    var identity: Identity? { get }
}
