import Testing

@testable import SwitchboardCore

@Suite("Session registry")
struct SessionRegistryTests {
    @Test("session ids and resume tokens are 32 lowercase hex digits (128 random bits), never repeated")
    func tokens() {
        let registry = SessionRegistry(grace: .seconds(60))
        var seen = Set<String>()
        for number in 0..<500 {
            let greeting = registry.open(ConnectionID("c\(number)"), userId: nil)
            for token in [greeting.sessionId, greeting.resumeToken] {
                #expect(token.utf8.count == 32)
                #expect(token.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
                seen.insert(token)
            }
        }
        #expect(seen.count == 1000)
        // Every digit value shows up in every position over many draws (no stuck nibble).
        let tokens = (0..<400).map { _ in Array(SecureRandom.hex128().utf8) }
        for position in 0..<32 {
            #expect(Set(tokens.map { $0[position] }).count == 16)
        }
    }

    @Test("whether parked sessions hold a room follows parks, claims and expiry; a claimed session's connection no longer names it")
    func parkedRooms() {
        let clock = HistoryStoreTests.Clock()
        let registry = SessionRegistry(grace: .seconds(60), clock: { clock.now.withLock { $0 } })
        let a = registry.open(ConnectionID("a"), userId: "ada")
        _ = registry.open(ConnectionID("b"), userId: "bob")
        registry.park(ConnectionID("a"), rooms: ["x", "y"], isActive: true)
        clock.advance(30_000)
        registry.park(ConnectionID("b"), rooms: ["y"], isActive: true)
        #expect(registry.parkedSessionsHold("x") && registry.parkedSessionsHold("y") && !registry.parkedSessionsHold("z"))
        #expect(registry.sessionId(of: ConnectionID("a")) == a.sessionId)

        guard case .parked(let session, _) = registry.claim(token: a.resumeToken, userId: "ada", for: ConnectionID("a2")) else {
            Issue.record("ada's parked session is claimed")
            return
        }
        #expect(session.rooms == ["x", "y"])
        #expect(!registry.parkedSessionsHold("x") && registry.parkedSessionsHold("y"), "bob's session still holds y")
        #expect(registry.sessionId(of: ConnectionID("a")) == nil)
        #expect(registry.parkedCount == 1)

        clock.advance(61_000)  // bob parked at 30 s with 60 s of grace: expired
        #expect(!registry.parkedSessionsHold("y"))
        #expect(registry.parkedCount == 0)
    }

    @Test("what every holder acknowledged counts the room's parked sessions, and only those")
    func acknowledgedByParkedSessions() {
        let registry = SessionRegistry(grace: .seconds(60))
        for (id, offset) in [("a", 3), ("b", 5), ("other", 1)] as [(String, UInt64)] {
            _ = registry.open(ConnectionID(id), userId: nil)
            registry.acknowledge(ConnectionID(id), room: "r", offset: offset)
        }
        registry.park(ConnectionID("a"), rooms: ["r"], isActive: true)
        registry.park(ConnectionID("other"), rooms: ["elsewhere"], isActive: true)
        #expect(registry.acknowledgedByAll("r", members: [ConnectionID("b")]) == 3, "a's parked session acknowledged 3")
        _ = registry.open(ConnectionID("c"), userId: nil)
        registry.park(ConnectionID("c"), rooms: ["r"], isActive: true)
        #expect(registry.acknowledgedByAll("r", members: [ConnectionID("b")]) == nil, "c's parked session acknowledged nothing in r")
        #expect(registry.acknowledgedByAll("elsewhere", members: []) == nil, "other's parked session has no ACK of elsewhere")
    }
}
