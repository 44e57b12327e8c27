/// Matching: a request path looked up over the trie's arrays, borrowed for one search, with
/// backtracking across static, several-part, parameter, wildcard and catch-all children.
extension RouteTrie {
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
