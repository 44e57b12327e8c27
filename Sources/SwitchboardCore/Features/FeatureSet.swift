import Foundation
import Synchronization

/// The features a server offers, and the features each connection has open.
///
/// ## Handshake syntax
/// A client names the features it wants in the upgrade request's query:
/// `/ws?features=presence@board:7:presence,chat@board:7:chat` — a comma-separated list of
/// `name@stream`; the parameter may repeat, and `clients=` (an older name) is read
/// the same way. Values may be percent-encoded (`%40` for `@`, `%3A` for `:`, `%2C` for `,`).
/// Unknown names are ignored when at least one known feature is named; naming only unknown
/// features, a known feature without a stream or with an invalid one, or (with
/// `requireFeatures`) none at all, is a ``FeatureHandshakeError``: close with 1008 and its
/// ``FeatureHandshakeError/closeReason``.
///
/// ## Server flow
/// `let handshake = try features.handshake(query:)` before upgrading (or right after, to close
/// with 1008); after ``RoomRegistry/connect(_:)``,
/// `transport.deliver(try features.perform(try features.open(handshake, for: connection, rooms: rooms), with: publisher))`;
/// a message frame to `/features/<name>/<stream>` (see ``messageTarget(url:)``) →
/// ``message(_:toFeature:stream:from:)``; on close, after ``RoomRegistry/disconnect(_:)``,
/// perform ``close(_:)``'s actions.
public final class FeatureSet: Sendable {
    private let features: [String: any Feature]
    private let requireFeatures: Bool
    private let sessions = Mutex<[ConnectionID: [(feature: any Feature, session: FeatureSession)]]>([:])

    /// A set of features; with `requireFeatures`, a handshake naming none is refused (for a
    /// socket that exists only for its features), otherwise it just opens none.
    public init(_ features: [any Feature], requireFeatures: Bool = false) {
        var byName: [String: any Feature] = [:]
        for feature in features { byName[feature.name] = feature }
        self.features = byName
        self.requireFeatures = requireFeatures
    }

    /// The features' names, sorted.
    public var names: [String] { features.keys.sorted() }

    /// The feature with a name.
    public func feature(named name: String) -> (any Feature)? { features[name] }

    // MARK: Handshake

    /// Reads the features asked for in a query string (with or without the path and `?`).
    /// - Throws: ``FeatureHandshakeError`` (close 1008 with its reason).
    public func handshake(query: String) throws(FeatureHandshakeError) -> FeatureHandshake {
        let queryPart = query.firstIndex(of: "?").map { String(query[query.index(after: $0)...]) } ?? query
        var items: [String] = []
        for parameter in queryPart.split(separator: "&") {
            let pair = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2, pair[0] == "features" || pair[0] == "clients" else { continue }
            let value = String(pair[1]).removingPercentEncoding ?? String(pair[1])
            items += value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if items.isEmpty {
            if requireFeatures { throw .noFeaturesRequested(known: names) }
            return FeatureHandshake(requests: [], unknownNames: [])
        }
        var requests: [FeatureRequest] = []
        var unknown: [String] = []
        var seen: Set<String> = []
        for item in items {
            let parts = item.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            guard !name.isEmpty else { throw .malformedItem(item) }
            guard let feature = features[name] else {
                if !unknown.contains(name) { unknown.append(name) }
                continue
            }
            guard parts.count == 2, !parts[1].isEmpty else { throw .missingStream(feature: name) }
            let text = String(parts[1])
            let stream: StreamName
            do {
                stream = try StreamName(text)
            } catch {
                throw .invalidStream(feature: name, stream: text, error)
            }
            if seen.insert(name + "@" + text).inserted {
                requests.append(FeatureRequest(feature: feature, stream: stream))
            }
        }
        if requests.isEmpty { throw .noKnownFeature(requested: unknown, known: names) }
        return FeatureHandshake(requests: requests, unknownNames: unknown)
    }

    // MARK: Hooks

    /// Opens the features a handshake asked for on a connection, after checking that the
    /// room access policy lets the connection into each stream's room.
    /// - Returns: the open hooks' actions, to ``perform(_:with:)``.
    /// - Throws: ``FeatureHandshakeError/forbidden(feature:stream:reason:)``; nothing is opened.
    public func open(_ handshake: FeatureHandshake, for connection: any ConnectionContext, rooms: RoomRegistry) throws(FeatureHandshakeError) -> [FeatureAction] {
        for request in handshake.requests {
            if case .denied(let reason) = rooms.access(to: request.stream.room, for: connection) {
                throw .forbidden(feature: request.feature.name, stream: request.stream.rawValue, reason: reason)
            }
        }
        var actions: [FeatureAction] = []
        for request in handshake.requests {
            let session = FeatureSession(connection: connection, stream: request.stream)
            sessions.withLock { $0[connection.id, default: []].append((request.feature, session)) }
            actions += request.feature.open(session)
        }
        return actions
    }

    /// Runs a feature's message hook, if the connection has the feature open on that stream.
    public func message(_ body: ArraySlice<UInt8>, toFeature name: String, stream: StreamName, from id: ConnectionID) -> [FeatureAction] {
        let open = sessions.withLock { $0[id]?.first { $0.feature.name == name && $0.session.stream == stream } }
        guard let open else { return [] }
        return open.feature.message(body, in: open.session)
    }

    /// The feature and stream a message frame's url addresses: `/features/<name>/<stream>`.
    public func messageTarget(url: String) -> (feature: String, stream: StreamName)? {
        let parts = url.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].isEmpty, parts[1] == "features", !parts[2].isEmpty,
              let stream = try? StreamName(String(parts[3])) else { return nil }
        return (String(parts[2]), stream)
    }

    /// Runs the close hooks of every feature the connection had open, and forgets them.
    public func close(_ id: ConnectionID) -> [FeatureAction] {
        let open = sessions.withLock { $0.removeValue(forKey: id) } ?? []
        return open.flatMap { $0.feature.close($0.session) }
    }

    /// Carries out actions: joins and leaves on the publisher's rooms (trusted: the policy was
    /// checked at ``open(_:for:rooms:)``), pushes through the publisher.
    /// - Returns: the deliveries, for a ``PushTransport``.
    /// - Throws: ``FrameError`` for a push whose url cannot go on the wire; earlier actions
    ///   have been carried out.
    public func perform<Handle: Sendable>(_ actions: [FeatureAction], with publisher: PushPublisher<Handle>) throws(FrameError) -> [PushDelivery<Handle>] {
        var deliveries: [PushDelivery<Handle>] = []
        for action in actions {
            switch action {
            case .join(let room, let id): publisher.rooms.join(room, id)
            case .leave(let room, let id): publisher.rooms.leave(room, id)
            case .push(let message, let target):
                let delivery = try publisher.send(message, to: target)
                if !delivery.isEmpty { deliveries.append(delivery) }
            }
        }
        return deliveries
    }
}
