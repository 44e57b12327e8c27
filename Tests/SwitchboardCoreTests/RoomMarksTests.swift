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

    @Test("more than two rooms keep their order and are all found")
    func beyondTwo() {
        let rooms = (0..<5).map { RoomName("room-\($0)") }
        let marks = RoomMarks(rooms.enumerated().map { .init(room: $1, mark: HistoryMark(epoch: UInt32($0 + 1), offset: 0, sequence: 0)) })
        #expect(marks.marks.map(\.room) == rooms)
        for (index, room) in rooms.enumerated() { #expect(marks[room]?.epoch == UInt32(index + 1)) }
        #expect(marks == RoomMarks(marks.marks))
    }
}
