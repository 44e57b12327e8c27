import Testing

@testable import SwitchboardCore

@Suite("A connection's own rooms' marks")
struct RoomMarksTests {
    @Test("a room's mark is found by name, an unknown room has none, and the positions are keyed by room name")
    func lookup() {
        let client = RoomName.client("alice.tab1")
        let user = RoomName.user("alice")
        let marks = RoomMarks([
            .init(room: client, mark: HistoryMark(epoch: 3, offset: 0, sequence: 0)),
            .init(room: user, mark: HistoryMark(epoch: 7, offset: 12, sequence: 15)),
        ])
        #expect(marks[user] == HistoryMark(epoch: 7, offset: 12, sequence: 15))
        #expect(marks[client]?.epoch == 3)
        #expect(marks[.user("bob")] == nil)
        #expect(marks.positions == [client.rawValue: RoomPosition(epoch: 3, offset: 0), user.rawValue: RoomPosition(epoch: 7, offset: 12)])
        #expect(RoomMarks().positions.isEmpty)
    }
}
