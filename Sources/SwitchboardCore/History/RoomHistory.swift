/// One room's history: its epoch, the offsets given so far, and the pushes still kept.
///
/// A pure value: ``HistoryStore`` keeps one per room behind its lock. Reliable pushes take
/// offsets `lastOffset + 1`; latest-class pushes replace the kept one with the same key and
/// remember the offset they followed (their `position`). The oldest entries are dropped past
/// the ``HistoryLimits``; what was dropped is remembered (`trimmedThrough`,
/// `droppedLatestPosition`) so a replay never pretends to cover it.
struct RoomHistory: Sendable {
    struct Entry: Sendable {
        /// The reliable offset, or 0 for a latest-class push.
        var offset: UInt64
        /// The supersede key of a latest-class push.
        var key: String?
        /// The room's latest offset when the push was appended.
        var position: UInt64
        /// Order of appends (reliable and latest), for ``HistoryMark``.
        var sequence: UInt64
        /// When it was appended, in milliseconds since 1970.
        var appendedAt: Int64
        var frame: [UInt8]
        /// The session of the connection the push left out (`excluding:`), if any: a replay to
        /// that session gives it a position notice instead (a reliable push) or nothing (a
        /// latest-class one).
        var excludedSession: String?
    }

    let epoch: UInt32
    var limits: HistoryLimits
    private(set) var lastOffset: UInt64 = 0
    private(set) var sequence: UInt64 = 0
    private(set) var entries: [Entry] = []
    private(set) var bytes = 0
    /// Every reliable offset up to this one is no longer kept.
    private(set) var trimmedThrough: UInt64 = 0
    /// The highest position of a latest-class push dropped by the limits (not superseded).
    private(set) var droppedLatestPosition: UInt64?
    /// The last append or position query, for dropping idle histories.
    var lastUsed: Int64
    /// When a release by acknowledgements was last worked out (see
    /// ``HistoryStore/releaseCheckDue(_:every:)``).
    var releaseCheckedAt: Int64 = .min

    init(epoch: UInt32, limits: HistoryLimits, now: Int64) {
        self.epoch = epoch
        self.limits = limits
        self.lastUsed = now
    }

    /// A copy of a shared history; what the shared one no longer covers (when it is not
    /// complete) is uncovered here too.
    init(shared: SharedHistory, limits: HistoryLimits, now: Int64) {
        self.init(epoch: shared.epoch, limits: limits, now: now)
        lastOffset = shared.offset
        sequence = shared.sequence
        if !shared.isComplete {
            let first = shared.entries.first.map { $0.offset == 0 ? $0.position : $0.offset - 1 } ?? shared.offset
            trimmedThrough = first
            droppedLatestPosition = first
        }
        for entry in shared.entries {
            if let key = entry.key, let index = entries.firstIndex(where: { $0.offset == 0 && $0.key == key }) {
                bytes -= entries[index].frame.count
                entries.remove(at: index)
            }
            entries.append(Entry(offset: entry.offset, key: entry.key, position: entry.position, sequence: entry.sequence, appendedAt: entry.appendedAt, frame: entry.frame, excludedSession: entry.excludedSession))
            bytes += entry.frame.count
        }
        trim(now: now)
    }

    /// Keeps a push whose offset and sequence number the cluster gave. It is new when its
    /// sequence number is newer than this history's, or, for a reliable push, its offset is
    /// (fetched after a newer latest-class push, it goes before that one). A reliable push past
    /// the next offset is a gap and is not kept, unless `acceptingGap`: the offsets between are
    /// then not covered.
    mutating func appendShared(_ entry: SharedHistory.Entry, now: Int64, acceptingGap: Bool) -> SharedAppend {
        let reliable = entry.offset > 0
        guard entry.sequence > sequence || (reliable && entry.offset > lastOffset) else { return .duplicate }
        if reliable && entry.offset > lastOffset + 1 {
            guard acceptingGap else { return .gap(after: lastOffset) }
            trimmedThrough = max(trimmedThrough, entry.offset - 1)
        }
        if let key = entry.key, let index = entries.firstIndex(where: { $0.offset == 0 && $0.key == key }) {
            bytes -= entries[index].frame.count
            entries.remove(at: index)
        }
        if reliable { lastOffset = max(lastOffset, entry.offset) }
        sequence = max(sequence, entry.sequence)
        let kept = Entry(
            offset: entry.offset, key: entry.key, position: entry.position, sequence: entry.sequence, appendedAt: entry.appendedAt, frame: entry.frame,
            excludedSession: entry.excludedSession
        )
        if let last = entries.last, last.sequence > entry.sequence {
            entries.insert(kept, at: entries.firstIndex { $0.sequence > entry.sequence } ?? entries.endIndex)
        } else {
            entries.append(kept)
        }
        bytes += entry.frame.count
        lastUsed = now
        trim(now: now)
        return .appended
    }

    var position: RoomPosition { RoomPosition(epoch: epoch, offset: lastOffset) }
    var mark: HistoryMark { HistoryMark(epoch: epoch, offset: lastOffset, sequence: sequence) }

    /// Gives `frame` (an encoded push) the next offset, writing epoch and offset into it, and
    /// keeps it.
    mutating func appendReliable(_ frame: inout [UInt8], now: Int64, excludedSession: String? = nil) -> RoomPosition {
        lastOffset += 1
        FrameCodec.setPushPosition(epoch: epoch, offset: lastOffset, in: &frame)
        append(
            Entry(offset: lastOffset, key: nil, position: lastOffset, sequence: 0, appendedAt: now, frame: frame, excludedSession: excludedSession),
            now: now
        )
        return position
    }

    /// Keeps `frame` as the newest latest-class push for `key`, dropping the previous one.
    mutating func appendLatest(_ frame: [UInt8], key: String, now: Int64, excludedSession: String? = nil) {
        if let index = entries.firstIndex(where: { $0.offset == 0 && $0.key == key }) {
            bytes -= entries[index].frame.count
            entries.remove(at: index)
        }
        append(
            Entry(offset: 0, key: key, position: lastOffset, sequence: 0, appendedAt: now, frame: frame, excludedSession: excludedSession),
            now: now
        )
    }

    private mutating func append(_ entry: Entry, now: Int64) {
        var entry = entry
        sequence += 1
        entry.sequence = sequence
        entries.append(entry)
        bytes += entry.frame.count
        lastUsed = now
        trim(now: now)
    }

    /// Trims by the limits; a `retained` history counts as used now, another is idle when it
    /// is empty and unused for `maxAge`. Returns the change of ``bytes``.
    mutating func sweep(now: Int64, retained: Bool) -> (bytesChange: Int, isIdle: Bool) {
        let before = bytes
        trim(now: now)
        if retained { lastUsed = now }
        return (bytes - before, !retained && entries.isEmpty && now - lastUsed >= limits.maxAgeMilliseconds)
    }

    /// Drops the oldest entries past the count, byte and age limits.
    mutating func trim(now: Int64) {
        let oldest = now - limits.maxAgeMilliseconds
        var drop = 0
        var remaining = entries.count
        var remainingBytes = bytes
        while drop < entries.count,
            remaining > limits.maxPushes || remainingBytes > limits.maxBytes || entries[drop].appendedAt <= oldest
        {
            remaining -= 1
            remainingBytes -= entries[drop].frame.count
            drop += 1
        }
        guard drop > 0 else { return }
        forget(entries[..<drop])
        entries.removeFirst(drop)
        bytes = remainingBytes
    }

    /// Drops every entry up to reliable offset `offset` (everyone has processed it), and the
    /// latest-class entries that came before it.
    mutating func release(through offset: UInt64) {
        let count = entries.prefix { $0.offset == 0 ? $0.position < offset : $0.offset <= offset }.count
        guard count > 0 else { return }
        forget(entries[..<count])
        bytes -= entries[..<count].reduce(0) { $0 + $1.frame.count }
        entries.removeFirst(count)
    }

    private mutating func forget(_ dropped: ArraySlice<Entry>) {
        for entry in dropped {
            if entry.offset == 0 {
                droppedLatestPosition = max(droppedLatestPosition ?? 0, entry.position)
            } else {
                trimmedThrough = max(trimmedThrough, entry.offset)
            }
        }
    }

    /// The pushes a client at `from` missed. `liveSince` is where the history stood when the
    /// resuming connection joined the room on its own (its client and user rooms, joined at
    /// connect): when something reached it live since then, only a client that had everything
    /// before is recovered, and nothing is replayed (it would come after newer pushes).
    ///
    /// The pushes that left out `session` are not replayed to it: a reliable one becomes a
    /// SUBSCRIBE #0 of `room` at its offset, a latest-class one nothing.
    func replay(_ room: RoomName, from: RoomPosition, liveSince: HistoryMark? = nil, session: String? = nil) -> ReplayOutcome {
        let now = position
        guard from.epoch == epoch else { return .lost(reason: "epoch changed", position: now) }
        let missedFrom = from.offset
        guard missedFrom <= lastOffset else {
            return .lost(reason: "offset \(missedFrom) is ahead of the room's latest offset \(lastOffset)", position: now)
        }
        if let liveSince {
            guard liveSince.epoch == epoch else { return .lost(reason: "epoch changed", position: now) }
            if sequence > liveSince.sequence {
                guard missedFrom >= liveSince.offset else {
                    return .lost(reason: "pushes reached this connection live before the resume", position: now)
                }
                return .recovered(frames: [], position: now)
            }
        }
        let uncovered = missedFrom < trimmedThrough || (droppedLatestPosition.map { $0 >= missedFrom } ?? false)
        guard !uncovered else {
            return .lost(reason: "history no longer covers offset \(missedFrom)", position: now)
        }
        var frames: [[UInt8]] = []
        for entry in entries where entry.offset == 0 ? entry.position >= missedFrom : entry.offset > missedFrom {
            if let session, entry.excludedSession == session {
                if entry.offset > 0 { frames.append(SubscribeNotice(room: room.rawValue, epoch: epoch, offset: entry.offset).encodedFrame()) }
            } else {
                frames.append(entry.frame)
            }
        }
        return .recovered(frames: frames, position: now)
    }
}

/// Where a room's history stood at one moment, appends of every class counted; internal to
/// resumption.
public struct HistoryMark: Sendable, Hashable {
    /// The history's epoch.
    public var epoch: UInt32
    /// Its latest reliable offset.
    public var offset: UInt64
    /// How many pushes (reliable and latest) it had taken.
    public var sequence: UInt64

    /// The position part.
    public var position: RoomPosition { RoomPosition(epoch: epoch, offset: offset) }
}
