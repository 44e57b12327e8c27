import NIOCore
import SwitchboardCore

/// Delivery guarantees (PROTOCOL.md §4, §7): the session from HELLO, per room positions with
/// gap and duplicate checks, RESUME after a reconnect, SUBSCRIBE positions, batched ACKs and
/// recovery reports.
extension SwitchboardClient {
    /// The session of the current (or last) connection, from its HELLO and the RESUME answer;
    /// `nil` before the first HELLO.
    public var session: ClientSession? { core.withLock { $0.session?.value } }

    /// The last processed `(epoch, offset)` per room: reliable pushes and SUBSCRIBE positions.
    /// The client resumes from them after a reconnect.
    public var roomPositions: [String: RoomPosition] { core.withLock { $0.delivery.positions } }

    /// The recovery reports from now on: one per RESUME answer after each reconnect, and one per
    /// gap seen in a room's live pushes. Refetch the rooms in ``RecoveryReport/notRecovered``.
    /// Reports made while nobody iterates are not kept; the sequence ends when the client is
    /// closed for good.
    public var recoveries: AsyncStream<RecoveryReport> {
        observe(\.recoveryObservers)
    }

    /// Tells every recovery observer. Called with the lock held.
    func publish(_ report: RecoveryReport, core: inout ClientCore) {
        for observer in core.recoveryObservers.values { observer.yield(report) }
    }

    /// A push: dropped when a duplicate, else handed to the listeners (a gap reported first),
    /// then acknowledged in batches.
    func deliver(_ push: PushFrame, generation: Int) {
        guard sequence(room: push.room, epoch: push.epoch, offset: push.offset, generation: generation) else { return }
        listeners.dispatch(push)
        guard push.offset > 0 else { return }
        acknowledge(push.room, generation: generation)
    }

    /// Checks `epoch:offset` of `room` (a push, or a SUBSCRIBE #0 in a push's place) against the
    /// room's position and moves it there, reporting a gap; `false` for a duplicate (or a stale
    /// connection).
    private func sequence(room: String, epoch: UInt32, offset: UInt64, generation: Int) -> Bool {
        core.withLock { core -> Bool in
            guard core.generation == generation else { return false }
            let verdict = core.delivery.receive(room: room, epoch: epoch, offset: offset)
            if case .gap(let reason) = verdict {
                let status = RoomRecoveryStatus(room: room, recovered: false, reason: reason, position: RoomPosition(epoch: epoch, offset: offset))
                publish(RecoveryReport(cause: .gap, sessionResumed: false, reason: nil, rooms: [status]), core: &core)
            }
            return verdict != .duplicate
        }
    }

    /// Sends `room`'s ACK once enough pushes were processed, else makes sure the timer runs.
    private func acknowledge(_ room: String, generation: Int) {
        core.withLock { core in
            guard core.generation == generation else { return }
            if core.delivery.needsAck(room, batchSize: configuration.ackBatchSize) {
                sendAcks(core.delivery.takeAcks(room: room), core: &core)
            }
            scheduleAcks(core: &core)
        }
    }

    /// HELLO: the connection's session, and the positions of the rooms it was put in at
    /// connect, kept for the rooms the client has no position for yet (a room it already
    /// follows keeps its own: a RESUME sent from it may still replay what it missed).
    func greeted(_ frame: ControlFrame, generation: Int) {
        guard let hello = ResumeMessages.decode(HelloNotice.self, from: frame.data) else { return }
        core.withLock { core in
            guard core.generation == generation else { return }
            core.session = (ClientSession(hello), generation)
            for (room, position) in hello.rooms ?? [:] where position.epoch != 0 && core.delivery.positions[room] == nil && !RoomName(room).isRandomClientRoom {
                core.delivery.settle(room: room, epoch: position.epoch, offset: position.offset)
            }
        }
    }

    /// SUBSCRIBE: the room's position, kept, and told with the response of the same id (a
    /// request's subscription or join). Id 0 answers no request: it stands in the place of a
    /// reliable push the server left this connection out of.
    func subscribed(_ frame: ControlFrame, generation: Int) {
        guard let notice = ResumeMessages.decode(SubscribeNotice.self, from: frame.data) else { return }
        if frame.id == 0 {
            // In the place of a push: sequenced and acknowledged like one, listeners get nothing.
            guard notice.epoch != 0, notice.offset > 0 else { return }
            if sequence(room: notice.room, epoch: notice.epoch, offset: notice.offset, generation: generation) {
                acknowledge(notice.room, generation: generation)
            }
            return
        }
        core.withLock { core in
            guard core.generation == generation else { return }
            if notice.epoch != 0 { core.delivery.settle(room: notice.room, epoch: notice.epoch, offset: notice.offset) }
            if let token = core.inFlight[frame.id] {
                core.items[token]?.subscription = RoomSubscription(room: notice.room, epoch: notice.epoch, offset: notice.offset)
            }
        }
    }

    /// The RESUME to send first on a new connection: the last session's token and every room's
    /// position; `nil` when there is neither (the first connection). Called with the lock held.
    func resumeItem(core: inout ClientCore) -> PendingItem? {
        // A random client id (`~…`) is new on every connection: the old client room is gone.
        for room in core.delivery.positions.keys where RoomName(room).isRandomClientRoom {
            core.delivery.forget(room)
        }
        let token = core.resumable?.resumeToken
        let positions = core.delivery.positions
        guard token != nil || !positions.isEmpty else { return nil }
        core.delivery.beginResume()
        return PendingItem(
            method: nil, url: "", data: ResumeMessages.encode(.init(resumeToken: token, rooms: positions)), replayable: false,
            timeout: configuration.requestTimeout, queueTimeout: configuration.queueTimeout, completion: .resume
        )
    }

    /// The RESUME's answer (or its failure): takes the new token and each room's position,
    /// rejoins the joined rooms the server did not restore, and returns the report. Called with
    /// the lock held.
    func finishResume(_ outcome: Result<ClientResponse, SwitchboardClientError>, core: inout ClientCore) -> RecoveryReport {
        let gaps = core.delivery.endResume()
        var answer: ResumeMessages.Answer?
        var failure: String?
        switch outcome {
        case .success(let response) where response.status == .ok:
            answer = ResumeMessages.decode(ResumeMessages.Answer.self, from: response.body)
            if answer == nil { failure = "the RESUME answer did not decode: \(response.text)" }
        case .success(let response):
            failure = ErrorBody.reason(in: response.body[...])
        case .failure(let error):
            failure = "the RESUME got no answer: \(error)"
        }
        var statuses: [String: RoomRecoveryStatus] = [:]
        if let answer {
            core.session?.value.sessionId = answer.sessionId
            core.session?.value.resumeToken = answer.resumeToken
            for (room, line) in answer.rooms {
                if let epoch = line.epoch, let offset = line.offset {
                    core.delivery.settle(room: room, epoch: epoch, offset: offset)
                } else {
                    core.delivery.forget(room)
                }
                statuses[room] = RoomRecoveryStatus(room: room, recovered: line.recovered, reason: line.reason, position: core.delivery.positions[room])
            }
            rejoin(core.rooms.filter { answer.rooms[$0.rawValue]?.epoch == nil }, core: &core)
        } else {
            // Nothing was restored: every position is meaningless now, every joined room is rejoined.
            for room in core.delivery.positions.keys {
                statuses[room] = RoomRecoveryStatus(room: room, recovered: false, reason: failure, position: nil)
                core.delivery.forget(room)
            }
            rejoin(core.rooms, core: &core)
        }
        for (room, reason) in gaps where statuses[room]?.recovered != false {
            statuses[room] = RoomRecoveryStatus(room: room, recovered: false, reason: reason, position: core.delivery.positions[room])
        }
        return RecoveryReport(
            cause: .resume, sessionResumed: answer?.resumed ?? false, reason: answer?.reason ?? failure,
            rooms: statuses.keys.sorted().compactMap { statuses[$0] }
        )
    }

    /// Starts the ACK timer when some room has pushes not acknowledged. Called with the lock held.
    func scheduleAcks(core: inout ClientCore) {
        guard core.ackTimer == nil, core.delivery.hasUnacked else { return }
        core.ackTimer = eventLoop.scheduleTask(in: TimeAmount(configuration.ackInterval)) { [weak self] in
            self?.flushAcks()
        }
    }

    /// The ACK timer ran out: every room's ACK leaves (when the socket is open).
    private func flushAcks() {
        core.withLock { core in
            core.ackTimer = nil
            guard core.channel != nil else { return }
            sendAcks(core.delivery.takeAcks(), core: &core)
        }
    }

    /// Writes `acks` on the open channel. Called with the lock held.
    func sendAcks(_ acks: [AckFrame], core: inout ClientCore) {
        guard let channel = core.channel else { return }
        for ack in acks { send(.ack(ack), on: channel) }
    }
}
