import Foundation
import Testing
@testable import SwitchboardCore

@Suite("HELLO data")
struct HelloNoticeTests {
    @Test("the HELLO's JSON is what a JSON encoder with sorted keys writes, with and without rooms, escapes included")
    func matchesEncoder() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let notices = [
            HelloNotice(connectionId: "n1-7", clientId: "alice.tab1", sessionId: "s1", resumeToken: "r1", sessionGraceMs: 120_000),
            HelloNotice(
                connectionId: "n1-8", clientId: "we\"ird\\id/é", sessionId: "s2", resumeToken: "r2", sessionGraceMs: 0,
                rooms: ["user-alice": RoomPosition(epoch: 9, offset: 4), "client-alice.tab1": RoomPosition(epoch: 3, offset: UInt64.max)]
            ),
            HelloNotice(connectionId: "c", clientId: "~x", sessionId: "s", resumeToken: "r", sessionGraceMs: 5, rooms: [:]),
        ]
        for notice in notices {
            #expect(String(decoding: notice.json, as: UTF8.self) == String(decoding: try encoder.encode(notice), as: UTF8.self))
            #expect(try JSONDecoder().decode(HelloNotice.self, from: Data(notice.json)) == notice)
        }
    }
}
