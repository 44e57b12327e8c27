import Testing

@testable import SwitchboardCore

@Suite("The rooms one connection is in")
struct ConnectionRoomsTests {
    @Test("a short list: no duplicates, removal, empty again")
    func shortList() {
        var rooms = ConnectionRooms()
        #expect(rooms.isEmpty)
        do { let inserted = rooms.insert(.client("a")); #expect(inserted) }
        do { let inserted = rooms.insert(.user("u")); #expect(inserted) }
        do { let inserted = rooms.insert(.client("a")); #expect(!inserted) }
        #expect(Set(rooms) == [.client("a"), .user("u")])
        rooms.remove(.client("a"))
        rooms.remove(.client("missing"))
        #expect(Array(rooms) == [.user("u")])
        rooms.remove(.user("u"))
        #expect(rooms.isEmpty)
    }

    @Test("past the list limit every room is kept once, and removal still works")
    func manyRooms() {
        var rooms = ConnectionRooms()
        let names = (0..<(ConnectionRooms.listLimit * 3)).map { RoomName("room-\($0)") }
        for name in names {
            let inserted = rooms.insert(name)
            #expect(inserted)
        }
        for name in names {
            let inserted = rooms.insert(name)
            #expect(!inserted)
        }
        #expect(Array(rooms).count == names.count)
        #expect(Set(rooms) == Set(names))
        for name in names.dropLast() { rooms.remove(name) }
        #expect(Array(rooms) == [names.last!])
        rooms.remove(names.last!)
        #expect(rooms.isEmpty)
    }
}
