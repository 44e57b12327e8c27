import Switchboard
@testable import SwitchboardClient
import Testing

/// Pushes to one room from several threads at once, received by real clients.
@Suite("Concurrent publishers")
struct ConcurrentPublishTests {
    @Test("two tasks publishing to one room at once: offsets 1...400 once each, and every member gets them in offset order")
    func twoPublishers() async throws {
        let server = try await TestServer.start()
        var members: [ResumeTests.Recorder] = []
        for _ in 0..<3 {
            let member = try await ResumeTests.Recorder(server)
            try await member.client.join(ResumeTests.board)
            members.append(member)
        }
        let publishers = (0..<2).map { publisher in
            Task.detached {
                for index in 0..<200 {
                    try server.push("/boards/updated", "\(publisher)-\(index)", to: ResumeTests.board)
                }
            }
        }
        for publisher in publishers { try await publisher.value }
        for member in members {
            #expect(await TestServer.eventually { member.offsets().count == 400 })
            #expect(member.offsets() == Array(1...400))
            #expect(member.reports.all.isEmpty, "no gap")
            for publisher in 0..<2 {
                let own = member.bodies().filter { $0.hasPrefix("\(publisher)-") }
                #expect(own == (0..<200).map { "\(publisher)-\($0)" }, "each publisher's pushes keep their order")
            }
        }
        #expect(Set(members.map { $0.bodies() }).count == 1, "every member got the same order")
        for member in members { await member.close() }
        try await server.stop()
    }
}
