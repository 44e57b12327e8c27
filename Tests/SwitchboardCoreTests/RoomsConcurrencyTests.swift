import Synchronization
import Testing
@testable import SwitchboardCore

@Suite("Rooms under concurrent use")
struct RoomsConcurrencyTests {
    @Test("concurrent connects, joins, pushes and disconnects leave no member and no room behind")
    func concurrentChurn() async throws {
        let connections = ConnectionRegistry<Int>()
        let rooms = RoomRegistry(policy: .everyRoom)
        let publisher = PushPublisher(connections: connections, rooms: rooms)
        let transport = CountingTransport()
        let queue = SocketQueue(connections: connections, transport: transport)
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for index in 0..<200 {
                        let connection = TestConnection("w\(worker)-\(index)", user: "u\(index % 5)")
                        connections.add(id: connection.id, handle: index, userId: "u\(index % 5)")
                        rooms.connect(connection)
                        rooms.join(.tasks("\(index % 3)"), connection.id, sharingMembersOf: .board("\(index % 3)"))
                        if let delivery = try? publisher.sendToGroup(.board("\(index % 3)"), PushMessage(url: "/boards/x/updated")) {
                            queue.enqueue(delivery)
                        }
                        if index % 10 == 0 { queue.flushNow() }
                        connections.remove(connection.id)
                        rooms.disconnect(connection.id)
                    }
                }
            }
        }
        await queue.flush()
        #expect(rooms.count == 0)
        #expect(connections.count == 0)
        #expect(transport.count > 0)
    }
}

/// Counts deliveries.
final class CountingTransport: PushTransport {
    private let delivered = Mutex(0)
    func deliver(_ deliveries: [PushDelivery<Int>]) { delivered.withLock { $0 += deliveries.count } }
    var count: Int { delivered.withLock { $0 } }
}
