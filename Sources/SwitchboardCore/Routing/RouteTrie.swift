/// The route table's search structure: a trie over path segments, flattened into arrays of
/// plain values linked by indices, matched on the url's UTF-8 bytes without allocating.
///
/// Each node has static children (kept sorted by length, then bytes, for a binary search), at
/// most one parameter child (`:name`), one wildcard child (`*`), one catch-all endpoint (`**`)
/// and one endpoint for routes ending there. An endpoint has a route index per method plus one
/// for `all`. The search tries static, then parameter, then wildcard, then catch-all, and
/// backtracks when a branch finds no route for the method, so precedence does not depend on
/// registration order.
struct RouteTrie: Sendable {
    /// Index of the route table entry, or -1.
    typealias RouteIndex = Int32

    private struct Node: Sendable {
        var edgeStart: Int32 = 0
        var edgeCount: Int32 = 0
        var parameter: Int32 = -1
        var wildcard: Int32 = -1
        var endpoint: Int32 = -1
        var catchAll: Int32 = -1
    }

    private struct Edge: Sendable {
        var labelStart: Int32
        var labelCount: Int32
        var child: Int32
    }

    private static let slotsPerEndpoint = 8
    private static let allSlot = 7

    private var nodes: [Node] = [Node()]
    /// Static children per node, as registered; `edges` and `labels` are rebuilt from them.
    private var literalChildren: [[(label: [UInt8], child: Int32)]] = [[]]
    private var edges: [Edge] = []
    private var labels: [UInt8] = []
    /// `slotsPerEndpoint` route indices per endpoint: one per method (raw value - 1), then `all`.
    private var slots: [RouteIndex] = []
    /// The largest number of captures any pattern makes.
    private(set) var maxCaptures = 0

    /// The bit of `method` in a method mask; `all` routes use ``allMethodsMask``.
    static func bit(_ method: Method) -> UInt8 { 1 << (method.rawValue - 1) }
    /// A mask with every method.
    static let allMethodsMask: UInt8 = 0x7F

    /// Adds `route` for `method` (`nil`: every method) at `pattern`. Returns `false`, changing
    /// nothing, when that method and pattern shape already have a route.
    mutating func insert(_ pattern: PathPattern, method: Method?, route: RouteIndex) -> Bool {
        var node = 0
        var endpoint: Int32 = -1
        for segment in pattern.segments {
            switch segment {
            case .literal(let label):
                if let existing = literalChildren[node].first(where: { $0.label == label }) {
                    node = Int(existing.child)
                } else {
                    let child = addNode()
                    literalChildren[node].append((label, Int32(child)))
                    node = child
                }
            case .parameter:
                if nodes[node].parameter < 0 { nodes[node].parameter = Int32(addNode()) }
                node = Int(nodes[node].parameter)
            case .wildcard:
                if nodes[node].wildcard < 0 { nodes[node].wildcard = Int32(addNode()) }
                node = Int(nodes[node].wildcard)
            case .catchAll:
                if nodes[node].catchAll < 0 { nodes[node].catchAll = addEndpoint() }
                endpoint = nodes[node].catchAll
            }
        }
        if endpoint < 0 {
            if nodes[node].endpoint < 0 { nodes[node].endpoint = addEndpoint() }
            endpoint = nodes[node].endpoint
        }
        let slot = Int(endpoint) * Self.slotsPerEndpoint + (method.map { Int($0.rawValue) - 1 } ?? Self.allSlot)
        guard slots[slot] < 0 else { return false }
        slots[slot] = route
        maxCaptures = max(maxCaptures, pattern.captureNames.count)
        rebuildEdges()
        return true
    }

    /// The route for `method` (falling back to `all` routes) whose pattern matches `path`, the
    /// url's bytes before any `?`. Capture `i` is stored as the byte offsets
    /// `captures[2i] ..< captures[2i + 1]` into `path`. Returns -1 when there is none.
    func route(for method: Method, path: UnsafeBufferPointer<UInt8>, captures: UnsafeMutablePointer<Int32>) -> RouteIndex {
        nodes.withUnsafeBufferPointer { nodes in
            edges.withUnsafeBufferPointer { edges in
                labels.withUnsafeBufferPointer { labels in
                    slots.withUnsafeBufferPointer { slots in
                        let search = Search(
                            path: path, nodes: nodes, edges: edges, labels: labels, slots: slots,
                            slot: Int(method.rawValue) - 1, captures: captures
                        )
                        return search.find(node: 0, position: Search.start(of: path), captured: 0)
                    }
                }
            }
        }
    }

    /// The methods (a mask of ``bit(_:)``) of every route whose pattern matches `path`.
    func methods(matching path: UnsafeBufferPointer<UInt8>) -> UInt8 {
        nodes.withUnsafeBufferPointer { nodes in
            edges.withUnsafeBufferPointer { edges in
                labels.withUnsafeBufferPointer { labels in
                    slots.withUnsafeBufferPointer { slots in
                        let search = Search(
                            path: path, nodes: nodes, edges: edges, labels: labels, slots: slots,
                            slot: 0, captures: nil
                        )
                        return search.methods(node: 0, position: Search.start(of: path))
                    }
                }
            }
        }
    }

    private mutating func addNode() -> Int {
        nodes.append(Node())
        literalChildren.append([])
        return nodes.count - 1
    }

    private mutating func addEndpoint() -> Int32 {
        slots.append(contentsOf: repeatElement(-1, count: Self.slotsPerEndpoint))
        return Int32(slots.count / Self.slotsPerEndpoint - 1)
    }

    private mutating func rebuildEdges() {
        edges.removeAll(keepingCapacity: true)
        labels.removeAll(keepingCapacity: true)
        for node in nodes.indices {
            let children = literalChildren[node].sorted { Self.precedes($0.label, $1.label) }
            nodes[node].edgeStart = Int32(edges.count)
            nodes[node].edgeCount = Int32(children.count)
            for child in children {
                edges.append(Edge(labelStart: Int32(labels.count), labelCount: Int32(child.label.count), child: child.child))
                labels.append(contentsOf: child.label)
            }
        }
    }

    /// The order of static children: by length, then bytewise.
    private static func precedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.count != b.count ? a.count < b.count : a.lexicographicallyPrecedes(b)
    }

    /// One search over borrowed storage.
    private struct Search {
        let path: UnsafeBufferPointer<UInt8>
        let nodes: UnsafeBufferPointer<Node>
        let edges: UnsafeBufferPointer<Edge>
        let labels: UnsafeBufferPointer<UInt8>
        let slots: UnsafeBufferPointer<RouteIndex>
        let slot: Int
        let captures: UnsafeMutablePointer<Int32>?

        static func start(of path: UnsafeBufferPointer<UInt8>) -> Int {
            path.first == UInt8(ascii: "/") ? 1 : 0
        }

        func routeAt(endpoint: Int32) -> RouteIndex {
            guard endpoint >= 0 else { return -1 }
            let base = Int(endpoint) * RouteTrie.slotsPerEndpoint
            let specific = slots[base + slot]
            return specific >= 0 ? specific : slots[base + RouteTrie.allSlot]
        }

        func mask(endpoint: Int32) -> UInt8 {
            guard endpoint >= 0 else { return 0 }
            let base = Int(endpoint) * RouteTrie.slotsPerEndpoint
            if slots[base + RouteTrie.allSlot] >= 0 { return RouteTrie.allMethodsMask }
            var mask: UInt8 = 0
            for index in 0..<RouteTrie.allSlot where slots[base + index] >= 0 { mask |= 1 << index }
            return mask
        }

        /// The end of the segment starting at `position`.
        func segmentEnd(from position: Int) -> Int {
            var end = position
            while end < path.count && path[end] != UInt8(ascii: "/") { end += 1 }
            return end
        }

        /// The end of the catch-all capture starting at `position`: the path without one
        /// trailing slash.
        func restEnd() -> Int {
            path.last == UInt8(ascii: "/") ? path.count - 1 : path.count
        }

        func find(node index: Int, position: Int, captured: Int) -> RouteIndex {
            let node = nodes[index]
            guard position < path.count else { return routeAt(endpoint: node.endpoint) }
            let end = segmentEnd(from: position)
            guard end > position else { return -1 }
            let next = end < path.count ? end + 1 : end
            if node.edgeCount > 0, let child = literalChild(of: node, from: position, to: end) {
                let found = find(node: child, position: next, captured: captured)
                if found >= 0 { return found }
            }
            if node.parameter >= 0 {
                let found = find(node: Int(node.parameter), position: next, captured: captured + 1)
                if found >= 0 { return capture(captured, position, end, found) }
            }
            if node.wildcard >= 0 {
                let found = find(node: Int(node.wildcard), position: next, captured: captured + 1)
                if found >= 0 { return capture(captured, position, end, found) }
            }
            let found = routeAt(endpoint: node.catchAll)
            if found >= 0 { return capture(captured, position, restEnd(), found) }
            return -1
        }

        func methods(node index: Int, position: Int) -> UInt8 {
            let node = nodes[index]
            guard position < path.count else { return mask(endpoint: node.endpoint) }
            let end = segmentEnd(from: position)
            guard end > position else { return 0 }
            let next = end < path.count ? end + 1 : end
            var result: UInt8 = mask(endpoint: node.catchAll)
            if node.edgeCount > 0, let child = literalChild(of: node, from: position, to: end) {
                result |= methods(node: child, position: next)
            }
            if node.parameter >= 0 { result |= methods(node: Int(node.parameter), position: next) }
            if node.wildcard >= 0 { result |= methods(node: Int(node.wildcard), position: next) }
            return result
        }

        /// Records capture `number` once the deeper search succeeded, so failed branches
        /// leave nothing behind.
        private func capture(_ number: Int, _ start: Int, _ end: Int, _ found: RouteIndex) -> RouteIndex {
            captures?[2 * number] = Int32(start)
            captures?[2 * number + 1] = Int32(end)
            return found
        }

        private func literalChild(of node: Node, from start: Int, to end: Int) -> Int? {
            let length = end - start
            var low = Int(node.edgeStart)
            var high = low + Int(node.edgeCount)
            while low < high {
                let middle = (low + high) / 2
                let edge = edges[middle]
                let order = compare(edge, start: start, length: length)
                if order == 0 { return Int(edge.child) }
                if order < 0 { low = middle + 1 } else { high = middle }
            }
            return nil
        }

        /// Compares an edge's label with the request segment in the children's order.
        private func compare(_ edge: Edge, start: Int, length: Int) -> Int {
            let labelLength = Int(edge.labelCount)
            if labelLength != length { return labelLength < length ? -1 : 1 }
            let labelStart = Int(edge.labelStart)
            for offset in 0..<length {
                let a = labels[labelStart + offset]
                let b = path[start + offset]
                if a != b { return a < b ? -1 : 1 }
            }
            return 0
        }
    }
}
