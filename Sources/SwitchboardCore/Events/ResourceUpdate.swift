/// The body of an update event: diffs of updates are pushed instead of the data, with the
/// update timestamp. Which resource, what changed as a JSON Merge Patch, and when.
///
/// Encodes as `{"changes":{"name":"Roadmap"},"id":"7","updatedAt":1712345678901}`. A client
/// applies `changes` to its copy with RFC 7396 and stores `updatedAt`, which it later
/// compares with the room's `lastBroadcastTimestamp`.
public struct ResourceUpdate: Sendable, Equatable, Codable {
    /// The resource's id.
    public var id: String
    /// The JSON Merge Patch from the previous version to the new one.
    public var changes: JSONValue
    /// When the resource was updated, in milliseconds since 1970.
    public var updatedAt: Int64

    /// An update with a ready patch.
    public init(id: String, changes: JSONValue, updatedAt: Int64) {
        self.id = id
        self.changes = changes
        self.updatedAt = updatedAt
    }

    /// The update between two versions of a resource.
    public init<Resource: Encodable>(id: String, from old: Resource, to new: Resource, updatedAt: Int64) throws {
        self.init(id: id, changes: try JSONMergePatch.diff(from: old, to: new), updatedAt: updatedAt)
    }
}
