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
}
