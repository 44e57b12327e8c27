import NIOCore
import NIOWebSocket
import SwitchboardCore

/// The send path: queue or write, time out, match responses, replay after a reconnect.
extension SwitchboardClient {
    /// Sends `method url data` (a message when `method` is `nil`) and waits for its outcome.
    func exchange(_ method: Method?, _ url: String, _ data: [UInt8], replayable: Bool, options: RequestOptions) async -> PendingItem.Outcome {
        let token = core.withLock { $0.makeToken() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let item = PendingItem(
                    method: method, url: url, data: data, replayable: replayable,
                    timeout: options.timeout ?? configuration.requestTimeout,
                    queueTimeout: options.queueTimeout ?? configuration.queueTimeout,
                    completion: .caller(continuation)
                )
                submit(item, token: token, queueing: options.queueWhileDisconnected)
            }
        } onCancel: {
            abandon(token)
        }
    }

    private func submit(_ item: PendingItem, token: UInt64, queueing: Bool) {
        let refusal = core.withLock { core -> SwitchboardClientError? in
            if Task.isCancelled { return .cancelled }
            if let reason = core.endReason { return reason }
            if core.state == .open, let channel = core.channel {
                write(item, token: token, on: channel, core: &core)
                return nil
            }
            guard queueing else { return .notConnected }
            guard core.queue.count < configuration.maxQueuedItems else { return .queueFull }
            var item = item
            item.timer = schedule(token, after: item.queueTimeout, wireID: nil)
            core.items[token] = item
            core.queue.append(token)
            return nil
        }
        if let refusal { item.complete(.failure(refusal)) }
    }

    /// Writes `item` under a fresh wire id; a request stays in flight with its timer, a message
    /// is done. Called with the lock held, so writes leave in the order the lock was taken
    /// (off the event loop a write only enqueues; nothing in the pipeline calls back into the
    /// lock).
    func write(_ item: PendingItem, token: UInt64, on channel: any Channel, core: inout ClientCore) {
        var item = item
        let id = core.makeWireID()
        send(item.frame(id: id), on: channel)
        guard item.expectsAnswer else {
            item.complete(.success(nil))
            return
        }
        item.wireID = id
        item.timer = schedule(token, after: item.timeout, wireID: id)
        core.items[token] = item
        core.inFlight[id] = token
    }

    /// Encodes and writes one frame (urls were validated when the call was made).
    func send(_ frame: Frame, on channel: any Channel) {
        guard let bytes = try? FrameCodec.encode(frame) else { return }
        let buffer = channel.allocator.buffer(bytes: bytes)
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(), data: buffer), promise: nil)
    }

    private func schedule(_ token: UInt64, after duration: Duration, wireID: UInt32?) -> Scheduled<Void> {
        eventLoop.scheduleTask(in: TimeAmount(duration)) { [weak self] in
            self?.expire(token, wireID: wireID)
        }
    }

    /// A timer ran out: the item fails unless it moved on (written, or replayed under a new id).
    private func expire(_ token: UInt64, wireID: UInt32?) {
        let item = core.withLock { core -> PendingItem? in
            guard let item = core.items[token], item.wireID == wireID else { return nil }
            core.items[token] = nil
            if let wireID {
                core.inFlight[wireID] = nil
            } else {
                core.queue.removeAll { $0 == token }
            }
            if case .resume = item.completion {
                publish(finishResume(.failure(.timedOut), core: &core), core: &core)
            }
            return item
        }
        guard let item else { return }
        if wireID == nil {
            item.complete(.failure(.queueTimedOut(Int(item.queueTimeout.milliseconds))))
        } else {
            item.complete(.failure(.timedOut))
        }
    }

    /// The caller's task was cancelled: the item is dropped (a written request's answer will be ignored).
    private func abandon(_ token: UInt64) {
        let item = core.withLock { core -> PendingItem? in
            guard let item = core.items.removeValue(forKey: token) else { return nil }
            item.timer?.cancel()
            if let id = item.wireID { core.inFlight[id] = nil } else { core.queue.removeAll { $0 == token } }
            return item
        }
        item?.complete(.failure(.cancelled))
    }

    /// The answer to wire id `id` on connection `generation`.
    func answer(_ id: UInt32, generation: Int, with outcome: Result<ClientResponse, SwitchboardClientError>) {
        let item = core.withLock { core -> PendingItem? in
            guard core.generation == generation, let token = core.inFlight.removeValue(forKey: id),
                  let item = core.items.removeValue(forKey: token) else { return nil }
            item.timer?.cancel()
            switch item.completion {
            case .rejoin(let room):
                if case .success(let response) = outcome, !response.isSuccess { core.rooms.removeAll { $0 == room } }
            case .resume:
                publish(finishResume(outcome, core: &core), core: &core)
            case .caller:
                break
            }
            return item
        }
        guard let item else { return }
        item.complete(outcome.map { ClientResponse(status: $0.status, body: $0.body, subscription: item.subscription) })
    }

    /// Writes a rejoin of each of `rooms` on the open channel. Called with the lock held.
    func rejoin(_ rooms: [RoomName], core: inout ClientCore) {
        guard let channel = core.channel else { return }
        for room in rooms {
            let item = PendingItem(
                method: .post, url: ReservedPaths.join, data: ReservedPaths.roomBody(room), replayable: false,
                timeout: configuration.requestTimeout, queueTimeout: configuration.queueTimeout, completion: .rejoin(room)
            )
            write(item, token: core.makeToken(), on: channel, core: &core)
        }
    }

    /// The socket opened: RESUME first when there is something to resume (rooms are rejoined
    /// once it is answered), else rejoin rooms; then flush the queue in order.
    /// - Returns: `false` when the client ended meanwhile (the caller closes `channel`).
    func opened(_ channel: any Channel, generation: Int) -> Bool {
        let waiters = core.withLock { core -> [CheckedContinuation<Result<Void, SwitchboardClientError>, Never>]? in
            guard !core.hasEnded, core.generation == generation else { return nil }
            core.channel = channel
            core.enter(.open)
            if let resume = resumeItem(core: &core) {
                write(resume, token: core.makeToken(), on: channel, core: &core)
            } else {
                rejoin(core.rooms, core: &core)
            }
            scheduleAcks(core: &core)
            let queued = core.queue
            core.queue = []
            for token in queued {
                guard let item = core.items.removeValue(forKey: token) else { continue }
                item.timer?.cancel()
                write(item, token: token, on: channel, core: &core)
            }
            defer { core.openWaiters = [] }
            return core.openWaiters
        }
        guard let waiters else { return false }
        for waiter in waiters { waiter.resume(returning: .success(())) }
        return true
    }

    /// The socket of connection `generation` closed: replayable requests in flight go back to
    /// the queue (in their original order), the others fail with ``SwitchboardClientError/connectionLost``.
    func disconnected(generation: Int, next state: ConnectionState) {
        let lost = core.withLock { core -> [PendingItem] in
            guard core.generation == generation, !core.hasEnded else { return [] }
            core.channel = nil
            core.enter(state)
            if let session = core.session, session.generation == generation { core.resumable = session.value }
            var lost: [PendingItem] = []
            var requeued: [UInt64] = []
            for token in core.inFlight.values.sorted() {
                guard var item = core.items[token] else { continue }
                item.timer?.cancel()
                if case .caller = item.completion, item.replayable {
                    item.wireID = nil
                    item.timer = schedule(token, after: item.queueTimeout, wireID: nil)
                    core.items[token] = item
                    requeued.append(token)
                } else {
                    core.items[token] = nil
                    if case .caller = item.completion { lost.append(item) }
                }
            }
            core.inFlight = [:]
            core.queue = (requeued + core.queue).sorted()
            return lost
        }
        for item in lost { item.complete(.failure(.connectionLost)) }
    }
}

extension SwitchboardClient: FrameSink {
    func received(_ frame: Frame, generation: Int) {
        switch frame {
        case .response(let response):
            answer(response.id, generation: generation, with: .success(ClientResponse(status: response.status, body: Array(response.data))))
        case .error(let error) where error.id != 0:
            answer(error.id, generation: generation, with: .failure(.status(code: error.status.code, message: ErrorBody.reason(in: error.data))))
        case .push(let push):
            deliver(push, generation: generation)
        case .control(let control) where control.kind == .hello:
            greeted(control, generation: generation)
        case .control(let control) where control.kind == .subscribe:
            subscribed(control, generation: generation)
        default:
            break
        }
    }
}
