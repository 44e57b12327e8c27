import Foundation
import NIOCore
import Switchboard
import Testing

/// The built-in room routes apply the room access policy and, for auth-gated rooms, need a
/// live identity.
@Suite("Reserved room routes: access policy and expired identities")
struct ReservedRoomRoutesTests {
    static func bearer(_ token: String) -> [(String, String)] { [("Authorization", "Bearer " + token)] }

    static func body(_ response: ResponseFrame) -> String { String(decoding: response.data, as: UTF8.self) }

    @Test("room state of another user's room is refused with 403 and reveals nothing; own rooms answer")
    func roomStateFollowsThePolicy() async throws {
        let running = try await RunningServer.start(authentication: HandshakeTests.authentication)
        let admin = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("bob-token"))
        let alice = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("alice-token"))
        #expect(await running.eventually { running.server.rooms.exists(.user("bob")) })

        let other = try await alice.request(.get, ReservedRoutes.roomState(.user("bob")), id: 1)
        #expect(other.status == .forbidden)
        #expect(!Self.body(other).contains("memberCount"))
        // An unknown room the policy refuses is refused the same way: no probing for existence.
        let unknown = try await alice.request(.get, ReservedRoutes.roomState(.user("nobody")), id: 2)
        #expect(unknown.status == .forbidden)

        let own = try await alice.request(.get, ReservedRoutes.roomState(.user("alice")), id: 3)
        #expect(own.status == .ok)
        #expect(Self.body(own).contains(#""memberCount":1"#))
        let invalid = try await alice.request(.get, ReservedRoutes.prefix + "rooms/a%7Cb", id: 4)
        #expect(invalid.status == .badRequest)
        for client in [admin, alice] { client.close() }
        try await running.stop()
    }

    @Test("an expired identity gets 401 from join and room state of an auth-gated room until it refreshes; leave still works")
    func expiredIdentityOnGatedRooms() async throws {
        let policy = RoomAccessPolicy.allowing { _, _ in .allowed }.requiringAuthentication { $0.rawValue.hasPrefix("secret-") }
        let running = try await RunningServer.start(authentication: HandshakeTests.authentication, rooms: RoomRegistry(policy: policy))
        let alice = try await WebSocketTestClient.connect(port: running.port, headers: Self.bearer("alice-short"))
        let joined = try await alice.request(.post, ReservedRoutes.join, body: #"{"room":"secret-1"}"#, id: 1)
        #expect(joined.status == .ok)
        #expect(try await alice.request(.post, ReservedRoutes.join, body: #"{"room":"open-1"}"#, id: 2).status == .ok)

        let id = try #require(running.server.registry.connections(ofUser: "alice").first?.id)
        let expiry = try #require(running.server.registry.get(id)?.expiresAt)
        #expect(await running.eventually(timeout: .seconds(10)) { Date() > expiry })
        let join = try await alice.request(.post, ReservedRoutes.join, body: #"{"room":"secret-2"}"#, id: 3)
        #expect(join.status == .unauthorized)
        #expect(Self.body(join).contains("credentials expired"))
        let state = try await alice.request(.get, ReservedRoutes.roomState(RoomName("secret-1")), id: 4)
        #expect(state.status == .unauthorized)
        // Rooms that are not gated, and leaving, need no live identity.
        #expect(try await alice.request(.get, ReservedRoutes.roomState(RoomName("open-1")), id: 5).status == .ok)
        let left = try await alice.request(.post, ReservedRoutes.leave, body: #"{"room":"secret-1"}"#, id: 6)
        #expect(Self.body(left) == #"{"left":true}"#)

        let refreshed = try await alice.request(.post, CredentialRefresh.path, body: "alice-new", id: 7)
        #expect(refreshed.status == .ok)
        // Every time field is in milliseconds since 1970: alice-new expires in an hour.
        struct Refreshed: Decodable { var userId: String; var expiresAt: Int64 }
        let answer = try JSONDecoder().decode(Refreshed.self, from: Data(refreshed.data))
        let inAnHour = Int64(Date().addingTimeInterval(3600).timeIntervalSince1970 * 1000)
        #expect(answer.userId == "alice")
        #expect(abs(answer.expiresAt - inAnHour) < 60_000)
        #expect(try await alice.request(.post, ReservedRoutes.join, body: #"{"room":"secret-2"}"#, id: 8).status == .ok)
        alice.close()
        try await running.stop()
    }
}
