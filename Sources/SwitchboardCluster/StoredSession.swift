import Foundation
import SwitchboardCore

/// A parked session as JSON in Redis (`session:<resume token>`).
struct StoredSession: Codable, Sendable {
    var sessionId: String
    var userId: String?
    var rooms: [String]
    var acks: [String: UInt64]
    var isActive: Bool
    var expiresAt: Int64

    init(_ session: ParkedSession) {
        sessionId = session.sessionId
        userId = session.userId
        rooms = session.rooms.map(\.rawValue)
        acks = Dictionary(uniqueKeysWithValues: session.acks.map { ($0.key.rawValue, $0.value) })
        isActive = session.isActive
        expiresAt = session.expiresAt
    }

    var parked: ParkedSession {
        ParkedSession(
            sessionId: sessionId, userId: userId, rooms: rooms.map { RoomName($0) },
            acks: Dictionary(uniqueKeysWithValues: acks.map { (RoomName($0.key), $0.value) }), isActive: isActive, expiresAt: expiresAt
        )
    }
}
