/// The route table's search structure: a trie over path segments, flattened into arrays of
/// plain values linked by indices, matched on the url's UTF-8 bytes without allocating.
///
/// Each node has static children (kept sorted by length, then bytes, for a binary search),
/// children for segments with several parts (`:name.:ext`, a list in precedence order), at
/// most one parameter child (`:name`), one wildcard child (`*`), one catch-all endpoint (`**`)
/// and one endpoint for routes ending there. An endpoint has a route index per method plus one
/// for `all`. The search tries static, then several-part, then parameter, then wildcard, then
/// catch-all, and backtracks when a branch finds no route for the method, so precedence does
/// not depend on registration order. An optional last segment (`:name?`, `**?`) puts the
/// route at two endpoints: after that segment and before it.
///
/// When built to fold case, static text is stored in ASCII lower case and request bytes are
/// folded as they are compared.
struct RouteTrie: Sendable {
    /// Index of the route table entry, or -1.
    typealias RouteIndex = Int32

    private struct Node: Sendable {
        /// The node's static children are `edges[edgeStart ..< edgeStart + edgeCount]`, sorted;
        /// the range has room for `edgeCapacity` before it must move to the end of `edges`.
        var edgeStart: Int32 = 0
        var edgeCount: Int32 = 0
        var edgeCapacity: Int32 = 0
        var parameter: Int32 = -1
        var wildcard: Int32 = -1
        var endpoint: Int32 = -1
        var catchAll: Int32 = -1
        /// The first of this node's several-part children in `compounds`, or -1.
        var firstCompound: Int32 = -1
    }

    /// A child for a segment with several parts: `pieces[pieceStart ..< pieceStart + pieceCount]`.
    private struct Compound: Sendable {
        var pieceStart: Int32
        var pieceCount: Int32
        var captureCount: Int32
        /// Literal bytes in the segment: more is tried first.
        var literalBytes: Int32
        var child: Int32
        /// The next child of the same node, in precedence order, or -1.
        var next: Int32
    }

    /// A part of a several-part segment: literal text in `labels`, or a parameter
    /// (`labelStart` -1).
    private struct Piece: Sendable, Equatable {
        var labelStart: Int32
        var labelCount: Int32
    }

    private struct Edge: Sendable {
        var labelStart: Int32
        var labelCount: Int32
        var child: Int32
    }

    private static let slotsPerEndpoint = 8
    private static let allSlot = 7

    private var nodes: [Node] = [Node()]
    /// Every node's static children, each node's in one sorted range. A range that is full
    /// moves to the end with twice the room (the old slots stay unused), so adding a child
    /// costs a binary search and a shift within its node, never a rebuild of the table.
    private var edges: [Edge] = []
    private var labels: [UInt8] = []
    private var compounds: [Compound] = []
    private var pieces: [Piece] = []
    /// Whether static text matches regardless of ASCII case.
    let foldsCase: Bool
    /// `slotsPerEndpoint` route indices per endpoint: one per method (raw value - 1), then `all`.
    private var slots: [RouteIndex] = []
    /// The largest number of captures any pattern makes.
    private(set) var maxCaptures = 0

    /// The bit of `method` in a method mask; `all` routes use ``allMethodsMask``.
    static func bit(_ method: Method) -> UInt8 { 1 << (method.rawValue - 1) }
    /// A mask with every method.
    static let allMethodsMask: UInt8 = 0x7F

    /// An empty trie; `foldsCase` makes static text match regardless of ASCII case.
    init(foldsCase: Bool = false) {
        self.foldsCase = foldsCase
    }

    /// Adds `route` for `method` (`nil`: every method) at `pattern`. Returns `false`, setting
    /// no route, when that method and pattern shape already have a route.
    mutating func insert(_ pattern: PathPattern, method: Method?, route: RouteIndex) -> Bool {
        var node = 0
        var endpoint: Int32 = -1
        var before = 0
        for segment in pattern.segments {
            before = node
            switch segment {
            case .literal(let label):
                node = literalChild(of: node, label: foldsCase ? label.map(Self.fold) : label)
            case .compound(let parts):
                node = compoundChild(of: node, parts: parts)
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
        let offset = method.map { Int($0.rawValue) - 1 } ?? Self.allSlot
        var targets = [Int(endpoint) * Self.slotsPerEndpoint + offset]
        if pattern.lastIsOptional {
            if nodes[before].endpoint < 0 { nodes[before].endpoint = addEndpoint() }
            targets.append(Int(nodes[before].endpoint) * Self.slotsPerEndpoint + offset)
        }
        guard targets.allSatisfy({ slots[$0] < 0 }) else { return false }
        for slot in targets { slots[slot] = route }
        maxCaptures = max(maxCaptures, pattern.captureNames.count)
        return true
    }

    /// The route for `method` (falling back to `all` routes) whose pattern matches `path`, the
    /// url's bytes before any `?`. Capture `i` is stored as the byte offsets
    /// `captures[2i] ..< captures[2i + 1]` into `path`. Returns -1 when there is none.
    func route(for method: Method, path: UnsafeBufferPointer<UInt8>, captures: UnsafeMutablePointer<Int32>) -> RouteIndex {
        withSearch(path: path, slot: Int(method.rawValue) - 1, captures: captures) { search in
            search.find(node: 0, position: Search.start(of: path), captured: 0)
        }
    }

    /// The methods (a mask of ``bit(_:)``) of every route whose pattern matches `path`.
    func methods(matching path: UnsafeBufferPointer<UInt8>) -> UInt8 {
        withSearch(path: path, slot: 0, captures: nil) { search in
            search.methods(node: 0, position: Search.start(of: path))
        }
    }

    private func withSearch<Result>(
        path: UnsafeBufferPointer<UInt8>, slot: Int, captures: UnsafeMutablePointer<Int32>?,
        _ body: (Search) -> Result
    ) -> Result {
        nodes.withUnsafeBufferPointer { nodes in
            edges.withUnsafeBufferPointer { edges in
                labels.withUnsafeBufferPointer { labels in
                    slots.withUnsafeBufferPointer { slots in
                        compounds.withUnsafeBufferPointer { compounds in
                            pieces.withUnsafeBufferPointer { pieces in
                                body(Search(
                                    path: path, nodes: nodes, edges: edges, labels: labels, slots: slots,
                                    compounds: compounds, pieces: pieces, foldsCase: foldsCase,
                                    slot: slot, captures: captures
                                ))
                            }
                        }
                    }
                }
            }
        }
    }

    private mutating func addNode() -> Int {
        nodes.append(Node())
        return nodes.count - 1
    }

    private mutating func addEndpoint() -> Int32 {
        slots.append(contentsOf: repeatElement(-1, count: Self.slotsPerEndpoint))
        return Int32(slots.count / Self.slotsPerEndpoint - 1)
    }

    /// The several-part child of `node` for `parts`, added in precedence order when missing:
    /// more literal bytes first, then the earlier registered.
    private mutating func compoundChild(of node: Int, parts: [PathPattern.Piece]) -> Int {
        var stored: [Piece] = []
        var captureCount: Int32 = 0
        var literalBytes: Int32 = 0
        for part in parts {
            switch part {
            case .literal(let bytes):
                let folded = foldsCase ? bytes.map(Self.fold) : bytes
                stored.append(Piece(labelStart: Int32(labels.count), labelCount: Int32(folded.count)))
                labels.append(contentsOf: folded)
                literalBytes += Int32(folded.count)
            case .parameter:
                stored.append(Piece(labelStart: -1, labelCount: 0))
                captureCount += 1
            }
        }
        var previous: Int32 = -1
        var current = nodes[node].firstCompound
        while current >= 0 {
            let existing = compounds[Int(current)]
            if existing.pieceCount == Int32(stored.count) && samePieces(existing, stored) { return Int(existing.child) }
            if existing.literalBytes < literalBytes { break }
            previous = current
            current = existing.next
        }
        var later = current
        while later >= 0 {
            let existing = compounds[Int(later)]
            if existing.pieceCount == Int32(stored.count) && samePieces(existing, stored) { return Int(existing.child) }
            later = existing.next
        }
        let child = addNode()
        let index = Int32(compounds.count)
        compounds.append(Compound(
            pieceStart: Int32(pieces.count), pieceCount: Int32(stored.count), captureCount: captureCount,
            literalBytes: literalBytes, child: Int32(child), next: current
        ))
        pieces.append(contentsOf: stored)
        if previous < 0 { nodes[node].firstCompound = index } else { compounds[Int(previous)].next = index }
        return child
    }

    private func samePieces(_ compound: Compound, _ stored: [Piece]) -> Bool {
        for (offset, piece) in stored.enumerated() {
            let existing = pieces[Int(compound.pieceStart) + offset]
            if (existing.labelStart < 0) != (piece.labelStart < 0) || existing.labelCount != piece.labelCount { return false }
            if piece.labelStart >= 0 {
                let a = labels[Int(existing.labelStart) ..< Int(existing.labelStart + existing.labelCount)]
                let b = labels[Int(piece.labelStart) ..< Int(piece.labelStart + piece.labelCount)]
                if !a.elementsEqual(b) { return false }
            }
        }
        return true
    }

    /// `byte` in ASCII lower case.
    static func fold(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    /// The static child of `node` labelled `label`, added in order when missing.
    private mutating func literalChild(of node: Int, label: [UInt8]) -> Int {
        let start = Int(nodes[node].edgeStart)
        let count = Int(nodes[node].edgeCount)
        var low = start
        var high = start + count
        while low < high {
            let middle = (low + high) / 2
            let edge = edges[middle]
            let existing = labels[Int(edge.labelStart) ..< Int(edge.labelStart + edge.labelCount)]
            if existing.elementsEqual(label) { return Int(edge.child) }
            if Self.precedes(existing, label) { low = middle + 1 } else { high = middle }
        }
        var position = low
        if count == Int(nodes[node].edgeCapacity) {
            let capacity = max(2, 2 * count)
            let moved = edges.count
            // Element by element: appending a slice of `edges` to itself would copy the table.
            for index in start ..< start + count { edges.append(edges[index]) }
            edges.append(contentsOf: repeatElement(Edge(labelStart: 0, labelCount: 0, child: -1), count: capacity - count))
            nodes[node].edgeStart = Int32(moved)
            nodes[node].edgeCapacity = Int32(capacity)
            position += moved - start
        }
        let end = Int(nodes[node].edgeStart) + count
        var index = end
        while index > position {
            edges[index] = edges[index - 1]
            index -= 1
        }
        let child = addNode()
        edges[position] = Edge(labelStart: Int32(labels.count), labelCount: Int32(label.count), child: Int32(child))
        labels.append(contentsOf: label)
        nodes[node].edgeCount += 1
        return child
    }

    /// The order of static children: by length, then bytewise.
    private static func precedes(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        a.count != b.count ? a.count < b.count : a.lexicographicallyPrecedes(b)
    }

    /// One search over borrowed storage.
    private struct Search {
        let path: UnsafeBufferPointer<UInt8>
        let nodes: UnsafeBufferPointer<Node>
        let edges: UnsafeBufferPointer<Edge>
        let labels: UnsafeBufferPointer<UInt8>
        let slots: UnsafeBufferPointer<RouteIndex>
        let compounds: UnsafeBufferPointer<Compound>
        let pieces: UnsafeBufferPointer<Piece>
        let foldsCase: Bool
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
            var compound = node.firstCompound
            while compound >= 0 {
                let candidate = compounds[Int(compound)]
                if split(candidate, first: 0, from: position, to: end, record: nil) {
                    let found = find(node: Int(candidate.child), position: next, captured: captured + Int(candidate.captureCount))
                    if found >= 0 {
                        _ = split(candidate, first: 0, from: position, to: end, record: captured)
                        return found
                    }
                }
                compound = candidate.next
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
            var compound = node.firstCompound
            while compound >= 0 {
                let candidate = compounds[Int(compound)]
                if split(candidate, first: 0, from: position, to: end, record: nil) {
                    result |= methods(node: Int(candidate.child), position: next)
                }
                compound = candidate.next
            }
            if node.parameter >= 0 { result |= methods(node: Int(node.parameter), position: next) }
            if node.wildcard >= 0 { result |= methods(node: Int(node.wildcard), position: next) }
            return result
        }

        /// Whether `path[start ..< end]` matches the pieces of `compound` from `first` on. Each
        /// parameter takes the shortest non-empty text after which the rest matches. With
        /// `record`, writes the captures, numbered from `record`, of the match it reports.
        private func split(_ compound: Compound, first: Int, from start: Int, to end: Int, record: Int?) -> Bool {
            let count = Int(compound.pieceCount)
            guard first < count else { return start == end }
            let piece = pieces[Int(compound.pieceStart) + first]
            if piece.labelStart >= 0 {
                guard literal(piece, matchesAt: start, before: end) else { return false }
                return split(compound, first: first + 1, from: start + Int(piece.labelCount), to: end, record: record)
            }
            guard first + 1 < count else {
                guard end > start else { return false }
                if let record { _ = capture(record, start, end, 0) }
                return true
            }
            let separator = pieces[Int(compound.pieceStart) + first + 1]
            var at = start + 1
            while at + Int(separator.labelCount) <= end {
                if literal(separator, matchesAt: at, before: end),
                   split(compound, first: first + 2, from: at + Int(separator.labelCount), to: end, record: record.map { $0 + 1 }) {
                    if let record { _ = capture(record, start, at, 0) }
                    return true
                }
                at += 1
            }
            return false
        }

        private func literal(_ piece: Piece, matchesAt start: Int, before end: Int) -> Bool {
            let length = Int(piece.labelCount)
            guard start + length <= end else { return false }
            let labelStart = Int(piece.labelStart)
            for offset in 0..<length where labels[labelStart + offset] != byte(at: start + offset) { return false }
            return true
        }

        /// The request byte at `index`, folded when the trie folds case.
        private func byte(at index: Int) -> UInt8 {
            foldsCase ? RouteTrie.fold(path[index]) : path[index]
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
                let b = byte(at: start + offset)
                if a != b { return a < b ? -1 : 1 }
            }
            return 0
        }
    }
}
