/// The rooms (with their own member lists) one connection is in, as ``RoomRegistry`` keeps
/// them: a short list while there are few — most connections are in their client and user
/// rooms only, and a two-name list is half the memory of a set — and a set past
/// ``listLimit``, so a connection in many rooms still joins and leaves in constant time.
struct ConnectionRooms: Sequence {
    /// The most rooms kept as a list.
    static let listLimit = 8

    private var list: [RoomName] = []
    private var large: Set<RoomName>?

    /// Adds `room`; `false` when it was there.
    @discardableResult
    mutating func insert(_ room: RoomName) -> Bool {
        if large != nil { return large!.insert(room).inserted }
        guard !list.contains(room) else { return false }
        if list.count < Self.listLimit {
            list.append(room)
        } else {
            large = Set(list + [room])
            list = []
        }
        return true
    }

    /// Removes `room`.
    mutating func remove(_ room: RoomName) {
        if large != nil {
            large!.remove(room)
        } else if let index = list.firstIndex(of: room) {
            list.remove(at: index)
        }
    }

    var isEmpty: Bool { large?.isEmpty ?? list.isEmpty }

    /// The rooms, in no particular order.
    struct Iterator: IteratorProtocol {
        fileprivate enum Source {
            case list(IndexingIterator<[RoomName]>)
            case set(Set<RoomName>.Iterator)
        }
        fileprivate var source: Source

        mutating func next() -> RoomName? {
            switch source {
            case .list(var iterator):
                defer { source = .list(iterator) }
                return iterator.next()
            case .set(var iterator):
                defer { source = .set(iterator) }
                return iterator.next()
            }
        }
    }

    func makeIterator() -> Iterator {
        Iterator(source: large.map { .set($0.makeIterator()) } ?? .list(list.makeIterator()))
    }
}
