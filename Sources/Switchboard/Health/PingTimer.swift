import NIOCore

/// A connection the ``PingTimer`` of its event loop ticks.
protocol PingTimerMember: AnyObject {
    /// Where the member sits in its timer; kept by the timer, `nil` while not added.
    var pingTimerSlot: Int? { get set }
    /// One ping interval went by.
    func pingTick()
}

/// The ping timer of one event loop: a single repeating timer that ticks every connection of
/// the loop once per ping interval, so a connection costs an entry in an array rather than a
/// scheduled task of its own. The timer runs in steps of a quarter interval while it has
/// members: a connection's first tick comes between one and one and a quarter intervals after
/// it was added, the next ones exactly one interval apart.
///
/// Confined to its event loop: every method is called on it.
final class PingTimer {
    /// Steps of the timer per ping interval.
    static let stepsPerInterval = 4

    private let eventLoop: any EventLoop
    private let step: TimeAmount
    private var members: [(member: any PingTimerMember, due: Int)] = []
    private var steps = 0
    private var task: RepeatedTask?
    /// The members due in the current step, emptied after their ticks but keeping its room, so
    /// a step allocates nothing once a step has had as many members due.
    private var dueMembers: [any PingTimerMember] = []

    init(eventLoop: any EventLoop, interval: TimeAmount) {
        self.eventLoop = eventLoop
        self.step = .nanoseconds(max(1, interval.nanoseconds / Int64(Self.stepsPerInterval)))
    }

    /// The members being ticked.
    var count: Int { members.count }

    /// Starts ticking `member` (once; adding a member twice does nothing).
    func add(_ member: any PingTimerMember) {
        guard member.pingTimerSlot == nil else { return }
        member.pingTimerSlot = members.count
        members.append((member, steps + Self.stepsPerInterval + 1))
        if task == nil { start() }
    }

    /// Stops ticking `member`; the timer stops with its last member.
    func remove(_ member: any PingTimerMember) {
        guard let slot = member.pingTimerSlot, slot < members.count, members[slot].member === member else { return }
        member.pingTimerSlot = nil
        let last = members.count - 1
        if slot != last {
            members[slot] = members[last]
            members[slot].member.pingTimerSlot = slot
        }
        members.removeLast()
        if members.isEmpty {
            task?.cancel()
            task = nil
        }
    }

    private func start() {
        let timer = NIOLoopBound(self, eventLoop: eventLoop)
        task = eventLoop.scheduleRepeatedTask(initialDelay: step, delay: step) { _ in timer.value.advance() }
    }

    private func advance() {
        steps += 1
        for index in members.indices where members[index].due <= steps {
            members[index].due = steps + Self.stepsPerInterval
            dueMembers.append(members[index].member)
        }
        // Ticked after the loop: a tick may close its connection, which removes it.
        for member in dueMembers { member.pingTick() }
        dueMembers.removeAll(keepingCapacity: true)
    }
}

@available(*, unavailable)
extension PingTimer: Sendable {}
