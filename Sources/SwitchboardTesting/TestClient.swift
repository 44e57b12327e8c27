import Foundation
import SwitchboardCore
import Synchronization

/// Calls a router (or any ``Responder``) in-process, the way the server does, without sockets:
/// the full middleware and handler path runs, inline or through a task.
///
/// ```swift
/// let client = TestClient(router)
/// let res = try await client.get("/users/7")
/// #expect(res.status == .ok)
/// let user = try res.decode(User.self)
/// ```
///
/// Authenticated requests: on a real server the token is checked once, at the WebSocket
/// handshake, and the connection carries the identity it stands for; route middleware such as
/// `bearerAuth` and `requireRole` then read it. A test client stands in for that handshake:
///
/// ```swift
/// let alice = TestClient(router, authenticatedAs: Identity(userId: "alice"))
/// let viaToken = try await TestClient(router, token: "demo-token", verify: tokens.identity(for:))
/// let admin = alice.authenticated(as: Identity(userId: "root", roles: ["admin"]))
/// ```
public struct TestClient: Sendable {
    /// The responder under test.
    public let responder: any Responder
    /// The connection requests come from; set its `identity` to act as an authenticated one.
    public let connection: TestConnection
    private let ids = RequestIDs()

    /// A client for `responder`, on `connection`.
    public init(_ responder: some Responder, connection: TestConnection = TestConnection()) {
        self.responder = responder
        self.connection = connection
    }

    /// A client whose requests come from a connection authenticated as `identity`, as if its
    /// token had been accepted at the handshake.
    public init(_ responder: some Responder, authenticatedAs identity: Identity, rooms: RoomRegistry = RoomRegistry()) {
        self.init(responder, connection: TestConnection(identity: identity, rooms: rooms))
    }

    /// A client authenticated the way the server's handshake does it: `verify` turns `token`
    /// into an identity (pass the same function the server's token authentication uses).
    /// - Throws: ``TestClientError/tokenRefused(_:)`` when `verify` returns `nil` or an expired
    ///   identity, where the server would refuse the handshake with 401.
    public init(_ responder: some Responder, token: String, verify: @Sendable (String) async -> Identity?, rooms: RoomRegistry = RoomRegistry()) async throws(TestClientError) {
        guard let identity = await verify(token) else { throw .tokenRefused("invalid token") }
        guard !identity.isExpired() else { throw .tokenRefused("token expired") }
        self.init(responder, authenticatedAs: identity, rooms: rooms)
    }

    /// A client for the same responder whose requests come from a new connection
    /// authenticated as `identity` (sharing this client's rooms).
    public func authenticated(as identity: Identity) -> TestClient {
        TestClient(responder, connection: TestConnection(identity: identity, rooms: connection.roomRegistry))
    }

    /// Sends a request and waits for its reply.
    public func request(_ method: SwitchboardCore.Method, _ url: String, body: some Collection<UInt8> = [UInt8]()) async -> TestResponse {
        let id = ids.next()
        let request = Request(method: method, url: url, body: ArraySlice(body), id: id, connection: connection)
        switch responder.respond(to: request) {
        case .completed(let reply):
            return TestResponse(status: reply.status, body: Array(reply.body), wasAnsweredInline: true)
        case .pending(let operation):
            let reply = await operation()
            return TestResponse(status: reply.status, body: Array(reply.body), wasAnsweredInline: false)
        }
    }

    /// Sends a request whose body is `value` encoded as JSON.
    public func request(_ method: SwitchboardCore.Method, _ url: String, json value: some Encodable) async throws -> TestResponse {
        await request(method, url, body: Array(try JSONEncoder().encode(value)))
    }

    /// A GET request.
    public func get(_ url: String) async throws -> TestResponse { await request(.get, url) }
    /// A HEAD request.
    public func head(_ url: String) async throws -> TestResponse { await request(.head, url) }
    /// An OPTIONS request.
    public func options(_ url: String) async throws -> TestResponse { await request(.options, url) }
    /// A DELETE request.
    public func delete(_ url: String) async throws -> TestResponse { await request(.delete, url) }

    /// A POST request with a raw body.
    public func post(_ url: String, body: some Collection<UInt8> = [UInt8]()) async throws -> TestResponse { await request(.post, url, body: body) }
    /// A POST request with `text` as the body.
    public func post(_ url: String, text: String) async throws -> TestResponse { await request(.post, url, body: Array(text.utf8)) }
    /// A POST request with `value` as a JSON body.
    public func post(_ url: String, json value: some Encodable) async throws -> TestResponse { try await request(.post, url, json: value) }

    /// A PUT request with a raw body.
    public func put(_ url: String, body: some Collection<UInt8> = [UInt8]()) async throws -> TestResponse { await request(.put, url, body: body) }
    /// A PUT request with `value` as a JSON body.
    public func put(_ url: String, json value: some Encodable) async throws -> TestResponse { try await request(.put, url, json: value) }

    /// A PATCH request with a raw body.
    public func patch(_ url: String, body: some Collection<UInt8> = [UInt8]()) async throws -> TestResponse { await request(.patch, url, body: body) }
    /// A PATCH request with `value` as a JSON body.
    public func patch(_ url: String, json value: some Encodable) async throws -> TestResponse { try await request(.patch, url, json: value) }
}

/// Why a ``TestClient`` could not be created.
public enum TestClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The token was refused, as the server's handshake would refuse it (401), with the reason.
    case tokenRefused(String)

    /// The reason, readable.
    public var description: String {
        switch self {
        case .tokenRefused(let reason): "the token was refused: \(reason)"
        }
    }
}

/// The request ids a ``TestClient`` hands out, 1, 2, 3… shared by its copies.
private final class RequestIDs: Sendable {
    private let last = Atomic<UInt32>(0)

    func next() -> UInt32 {
        last.wrappingAdd(1, ordering: .relaxed).newValue
    }
}
