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

    struct Node: Sendable {
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
    struct Compound: Sendable {
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
    struct Piece: Sendable, Equatable {
        var labelStart: Int32
        var labelCount: Int32
    }

    struct Edge: Sendable {
        var labelStart: Int32
        var labelCount: Int32
        var child: Int32
    }

    static let slotsPerEndpoint = 8
    static let allSlot = 7

    private(set) var nodes: [Node] = [Node()]
    /// Every node's static children, each node's in one sorted range. A range that is full
    /// moves to the end with twice the room (the old slots stay unused), so adding a child
    /// costs a binary search and a shift within its node, never a rebuild of the table.
    private(set) var edges: [Edge] = []
    private(set) var labels: [UInt8] = []
    private(set) var compounds: [Compound] = []
    private(set) var pieces: [Piece] = []
    /// Whether static text matches regardless of ASCII case.
    let foldsCase: Bool
    /// `slotsPerEndpoint` route indices per endpoint: one per method (raw value - 1), then `all`.
    private(set) var slots: [RouteIndex] = []
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
}
